/**
 * The AcousticBrainz queue (docs/acousticbrainz.md): the songs' recordings without AcousticBrainz's
 * documents get them, 25 to a request, and their songs and passages gain their flavor:
 *
 * 1. songs whose recording's documents are already stored (a dump, or another song, brought them)
 *    are flavored from them, asking nothing;
 * 2. the recordings due (never asked, or their retry has come) are asked in MBID order, 25 to a
 *    request; each reply is stored as soon as it arrives, with the songs' flavor in the same
 *    transaction, so a run killed at any moment repeats no request answered. A recording the reply
 *    leaves out is unknown to AcousticBrainz and stored as `{}`: it takes no new data since 2022;
 * 3. the passages of those recordings have their flavor made again (recompose.ts).
 *
 * Trouble loses nothing: a slow-down answer (429, 503) holds every process off for as long as the
 * rate-limit headers say and is asked again; an error, a time-out or a reply that is not JSON is a
 * failed attempt (the recordings wait 1 min, doubling to 1 h, and fail after 5); a service that is
 * gone (its endpoint answers 404, or nothing answers at its address) pauses the queue with one
 * status, failing nothing.
 */
import { systemClock, type Clock } from '../clock.js';
import type { WkmpDatabase } from '../db/setup.js';
import { countFlavorQueue, listDueRecordings, listSongsToFlavor, type DueRecording, type FlavorCounts, type FlavorJobUpdate } from '../db/queries/acousticbrainz.js';
import { recordAcousticBrainz, recordSongFlavors, type AcousticBrainzUpdate, type DocumentsByOffset } from '../db/record-acousticbrainz.js';
import { ServiceError } from '../queue/http.js';
import { defaultSlowDownMs, fetchHighLevel, maxRecordingsPerRequest, normalisedMbid, type AcousticBrainzClient } from './acousticbrainz-client.js';
import { recomposeStaleFlavors } from './recompose.js';
import { songFlavorOf } from './song-flavor.js';

export interface FlavorProgress {
  counts: FlavorCounts;
  /** Why the queue does not go on, when it does not: AcousticBrainz is gone from its address. */
  paused: string | null;
  /** Requests made in this run, the refused ones too. */
  requests: number;
  /** Recordings answered per second in this run, and the time the due ones left would take at that rate. */
  recordingsPerSecond: number;
  etaSeconds: number | null;
}

/** The queue as the service shows it: its progress, whether it runs in the service, and who runs it elsewhere. */
export interface FlavorStatus extends FlavorProgress {
  running: boolean;
  /** The process that holds the queue's lease (queue/lease.ts), in words, while it is not the service. */
  elsewhere: string | null;
}

export interface FlavorRunOptions {
  db: WkmpDatabase;
  client: AcousticBrainzClient;
  /** At most this many recordings asked in this run. */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (progress: FlavorProgress) => void;
  /** What "now" is, and how an unreachable service is waited for; tests move it themselves. Default the system's. */
  clock?: Clock;
}

export interface FlavorRunSummary extends FlavorProgress {
  /** Recordings this run answered (`known`: with documents; `unknown` to AcousticBrainz) or gave up on. */
  finished: { known: number; unknown: number; failed: number };
  /** Songs and passages whose flavor this run wrote. */
  flavored: { songs: number; passages: number };
}

/** A recording is given up after this many failed attempts (the service kept failing on it). */
export const maxAttempts = 5;
const firstRetryMs = 60_000;
const lastRetryMs = 3_600_000;
/** Slow-down answers are waited out this many times for one request in a run; then it is a failed attempt. */
const slowDownTries = 8;
/** A service that cannot be reached is tried this many times, 1 s then 2 s apart, before the queue pauses. */
const unreachableTries = 3;
/** Recordings read at a time; their passages are made again after each chunk. */
const chunkRecordings = 500;
const chunkSongs = 200;

function isoAfter(clock: Clock, ms: number): string {
  return new Date(clock.now() + ms).toISOString();
}

/** Why the queue pauses when AcousticBrainz is gone, in one line that says what else can be done. */
export function goneStatus(baseUrl: string, why: string): string {
  return `AcousticBrainz does not answer at ${baseUrl} (${why}): the recordings wait; a mirror or a dump (wkmp-ai flavor --from-dump) can give them`;
}

/** The documents as stored, or none when the row holds something else. */
function storedDocuments(text: string): DocumentsByOffset {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as DocumentsByOffset) : {};
  } catch {
    return {};
  }
}

class FlavorRun {
  requests = 0;
  readonly finished = { known: 0, unknown: 0, failed: 0 };
  readonly flavored = { songs: 0, passages: 0 };
  paused: string | null = null;
  private readonly clock: Clock;
  private readonly started: number;

  constructor(private readonly options: FlavorRunOptions) {
    this.clock = options.clock ?? systemClock;
    this.started = this.clock.now();
  }

  private get db(): WkmpDatabase {
    return this.options.db;
  }

  progress(): FlavorProgress {
    const counts = countFlavorQueue(this.db.read, new Date(this.clock.now()).toISOString());
    const seconds = (this.clock.now() - this.started) / 1000;
    const answered = this.finished.known + this.finished.unknown;
    const recordingsPerSecond = seconds > 0 ? answered / seconds : 0;
    return {
      counts, paused: this.paused, requests: this.requests, recordingsPerSecond,
      etaSeconds: recordingsPerSecond > 0 && this.paused === null ? Math.round(counts.due / recordingsPerSecond) : null,
    };
  }

  private report(): void {
    this.options.onProgress?.(this.progress());
  }

  private async write(update: AcousticBrainzUpdate): Promise<void> {
    const written = await this.db.recorder.write(recordAcousticBrainz(this.db.read, update, songFlavorOf));
    this.flavored.songs += written.songs.length;
  }

  /** A failed attempt: the recording waits for a later one (1 min doubling to 1 h), or fails after the last. */
  private failedAttempt(recording: DueRecording, why: string, final = false): FlavorJobUpdate {
    const attempts = recording.attempts + 1;
    const failed = final || attempts >= maxAttempts;
    if (failed) this.finished.failed += 1;
    return {
      recordingMbid: recording.recordingMbid, state: failed ? 'failed' : 'waiting', attempts,
      nextAttemptAt: failed ? null : isoAfter(this.clock, Math.min(firstRetryMs * 2 ** (attempts - 1), lastRetryMs)), lastError: why,
    };
  }

  /** Songs whose recording's documents are stored already, flavored from them. */
  private async flavorStoredSongs(): Promise<void> {
    for (;;) {
      this.options.signal?.throwIfAborted();
      const songs = listSongsToFlavor(this.db.read, chunkSongs);
      if (songs.length === 0) return;
      const flavors = songs.map((song) => ({ recordingMbid: song.recordingMbid, flavor: songFlavorOf(storedDocuments(song.highLevelData)) }));
      // Each is written FLAVOR READY or FLAVORING FAILED, so the next read moves on.
      this.flavored.songs += await this.db.recorder.write(recordSongFlavors(flavors));
    }
  }

  /** One request for up to 25 recordings, with what its answer (or its failure) means for each. */
  private async ask(batch: readonly DueRecording[]): Promise<void> {
    const { client, signal } = this.options;
    const mbids = batch.map((recording) => normalisedMbid(recording.recordingMbid)!);
    let slowDowns = 0;
    let unreachable = 0;
    for (;;) {
      signal?.throwIfAborted();
      try {
        this.requests += 1;
        const reply = await fetchHighLevel(client, mbids, signal);
        const recordings = batch.map((recording, i) => ({ recordingMbid: recording.recordingMbid, documents: reply.documents.get(mbids[i]!) ?? {} }));
        // Stored at once: a run stopped from here on never asks these again.
        await this.write({ recordings, jobs: [] });
        for (const { documents } of recordings) {
          if (Object.keys(documents).length > 0) this.finished.known += 1;
          else this.finished.unknown += 1;
        }
        // The window's last request: no process asks again before it ends.
        if (reply.rateLimit.remaining === 0) await client.pacer.holdOff(reply.rateLimit.resetInMs ?? defaultSlowDownMs);
        return;
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        if (error.kind === 'rate-limited' && ++slowDowns < slowDownTries) {
          // Every process holds off until the window ends; the pace's next turn waits for it.
          await client.pacer.holdOff(error.retryAfterMs ?? defaultSlowDownMs);
          continue;
        }
        if (error.kind === 'not-found') {
          this.paused = goneStatus(client.baseUrl, error.message.replace(/^AcousticBrainz: /, ''));
          return;
        }
        if (error.kind === 'unreachable') {
          if (++unreachable < unreachableTries) {
            await this.clock.sleep(1000 * 2 ** (unreachable - 1), signal);
            continue;
          }
          this.paused = goneStatus(client.baseUrl, error.message.replace(/^AcousticBrainz: /, ''));
          return;
        }
        await this.write({ recordings: [], jobs: batch.map((recording) => this.failedAttempt(recording, error.message)) });
        return;
      }
    }
  }

  /** The due recordings of one chunk, 25 to a request; those whose MBID AcousticBrainz cannot read fail at once. */
  private async askChunk(due: readonly DueRecording[]): Promise<void> {
    const unreadable = due.filter((recording) => normalisedMbid(recording.recordingMbid) === null);
    if (unreadable.length > 0) {
      await this.write({ recordings: [], jobs: unreadable.map((recording) => this.failedAttempt(recording, `AcousticBrainz: "${recording.recordingMbid}" is not a MusicBrainz recording id`, true)) });
    }
    const askable = due.filter((recording) => normalisedMbid(recording.recordingMbid) !== null);
    for (let start = 0; start < askable.length && this.paused === null; start += maxRecordingsPerRequest) {
      await this.ask(askable.slice(start, start + maxRecordingsPerRequest));
      this.report();
    }
  }

  async run(): Promise<FlavorRunSummary> {
    await this.flavorStoredSongs();
    let left = this.options.limit ?? Number.POSITIVE_INFINITY;
    let after = '';
    let recomposed = false;
    while (left > 0 && this.paused === null) {
      this.options.signal?.throwIfAborted();
      const due = listDueRecordings(this.db.read, new Date(this.clock.now()).toISOString(), after, Math.min(left, chunkRecordings));
      if (due.length === 0) break;
      after = due.at(-1)!.recordingMbid;
      left -= due.length;
      await this.askChunk(due);
      // Passages gain their recordings' flavor chunk by chunk, and those stored before this run with the first.
      this.flavored.passages += await recomposeStaleFlavors(this.db, this.options.signal);
      recomposed = true;
    }
    if (!recomposed) this.flavored.passages += await recomposeStaleFlavors(this.db, this.options.signal);
    const progress = this.progress();
    this.options.onProgress?.(progress);
    return { ...progress, finished: { ...this.finished }, flavored: { ...this.flavored } };
  }
}

/** Runs the queue until no recording is due (or `limit` are asked, or it is paused or cancelled). */
export function runFlavorQueue(options: FlavorRunOptions): Promise<FlavorRunSummary> {
  return new FlavorRun(options).run();
}
