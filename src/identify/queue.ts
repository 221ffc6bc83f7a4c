/**
 * The identification queue (docs/identification.md): passages waiting in
 * `wkmp_ai_identification_jobs` are identified from their fingerprints, at the fewest requests the
 * public services allow, and never in the way of an import:
 *
 * 1. due jobs are read in path order, so an album's passages come together;
 * 2. their fingerprints go to AcoustID, ten to a request, unless a reply is cached (a reply is
 *    stored as soon as it arrives, so a run killed at any moment repeats no request answered);
 * 3. per album (the folder and album tag), the release most passages share is chosen locally and
 *    asked of MusicBrainz once; a passage without one costs a recording lookup (both cached);
 * 4. an album's outcomes are written in one transaction: High and Medium write the song, artists,
 *    works and album; Low and none keep the candidates for review.
 *
 * Trouble loses nothing: a slow-down answer is waited out and asked again, a failure leaves the job
 * waiting for a later attempt, and a refused or missing AcoustID key pauses the AcoustID side with
 * one status until the key changes.
 */
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import type { WkmpDatabase } from '../db/setup.js';
import { countJobs, listAcoustIdReplies, listDueJobs, listMusicBrainz, replyKey, type AcoustIdReplyKey, type DueJob, type JobUpdate, type QueueCounts } from '../db/queries/identification.js';
import { recordIdentifications, type IdentificationUpdate } from '../db/record-identifications.js';
import type { LinkedPassage } from '../db/entity-links.js';
import { TICKS_PER_SECOND, type AlbumRef, type RecordingRef } from '../file-record.js';
import { shareCredit } from '../credits.js';
import { newGuid } from '../guid.js';
import { parseAdditionalMetadata } from '../stored/additional-metadata.js';
import type { ReviewCandidate } from '../stored/candidates.js';
import { anyJson, readJsonColumn } from '../stored/check.js';
import type { FileCueSheet } from '../stored/file-cue-sheet.js';
import { parseImportMetadata, type PassageBoundaries } from '../stored/import-metadata.js';
import { trackSpans } from './release-tracks.js';
import { largestBatch, lookUpFingerprints, parseResults, type AcoustIdClientOptions, type AcoustIdResult, type Credit } from './acoustid.js';
import { bandOf, bestAcoustId, candidatesOf, isWritten, joinedParts, pick, sharedReleases, type Candidate } from './choose.js';
import { ServiceError } from '../queue/http.js';
import type { RequestPace } from '../queue/pace.js';
import { lookUp, parseRecording, parseRelease, type MbRecording, type MbRelease, type MbReleaseSummary, type MusicBrainzClientOptions, type MusicBrainzEntity } from './musicbrainz.js';

export interface IdentificationServices {
  /** Null when no key is set: the AcoustID side is paused. */
  acoustId: AcoustIdClientOptions | null;
  musicBrainz: MusicBrainzClientOptions;
  /** Cached replies older than this are asked again. */
  cacheTtlDays: number;
}

export interface QueueProgress {
  counts: QueueCounts;
  /** Why the queue does not go on, when it does not: a missing or refused AcoustID key. */
  paused: string | null;
  requests: { acoustId: number; musicBrainz: number };
  /** Jobs finished per second in this run, and the time the due ones left would take at that rate. */
  jobsPerSecond: number;
  etaSeconds: number | null;
}

/** The queue as the service shows it: its progress, whether it runs in the service, and who runs it elsewhere. */
export interface QueueStatus extends QueueProgress {
  running: boolean;
  /** The process that holds the queue's lease (queue/lease.ts), in words, while it is not the service. */
  elsewhere: string | null;
}

export interface QueueRunOptions {
  db: WkmpDatabase;
  services: IdentificationServices;
  /** At most this many jobs in this run. */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (progress: QueueProgress) => void;
  /** What "now" is, and how a slow-down answer is waited out; tests move it themselves. Default the system's. */
  clock?: Clock;
}

export interface QueueRunSummary extends QueueProgress {
  /** Jobs this run finished: done, no match or failed. */
  finished: { done: number; noMatch: number; failed: number };
}

/** A job is given up after this many failed attempts (the service kept failing on it). */
export const maxAttempts = 5;
const firstRetryMs = 60_000;
const lastRetryMs = 3_600_000;
/** Slow-down answers are waited out from 1 s, doubling to 30 s, this many times in a run. */
const slowDownTries = 8;
const chunkJobs = 200;

interface Passage {
  job: DueJob;
  fingerprint: string;
  seconds: number;
  key: AcoustIdReplyKey;
  album: string;
}

/** A passage as identified: one recorded passage, or several of one file joined (one song a silence split). */
interface Song {
  passage: Passage;
  results: AcoustIdResult[];
  /** The passages after it that it takes in. */
  joined: Passage[];
  seconds: number;
}

/**
 * How analysis found the passage's boundaries, with the silences it did not cut at
 * (analysis/build-record.ts); null when its import_metadata cannot be read (another service
 * wrote it, or an older release): the passage is identified all the same.
 */
function boundariesOf(job: DueJob): PassageBoundaries | null {
  const stored = job.importMetadata === null ? null : parseImportMetadata(job.importMetadata);
  return stored?.readable === true ? stored.value.boundaries : null;
}

/** The album a passage belongs to, for choosing its release: its folder and album tag. */
function albumKeyOf(job: DueJob): string {
  const folder = job.path.includes('/') ? job.path.slice(0, job.path.lastIndexOf('/')) : '';
  return `${folder}\u0000${(job.album ?? '').trim().toLowerCase()}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isoAfter(clock: Clock, ms: number): string {
  return new Date(clock.now() + ms).toISOString();
}

function daysAgo(clock: Clock, days: number): string {
  return new Date(clock.now() - days * 86_400_000).toISOString().replace('T', ' ').slice(0, 19);
}

function recordingRefOf(recording: MbRecording): RecordingRef {
  return {
    songGuid: newGuid(), recordingMbid: recording.mbid, title: recording.title, artists: shareCredit(recording.artists),
    works: recording.works.map((work) => ({ guid: newGuid(), mbid: work.mbid, title: work.title })),
  };
}

function albumRefOf(release: MbReleaseSummary): AlbumRef {
  return { guid: newGuid(), mbid: release.mbid, title: release.title, releaseDate: release.date };
}

/** For a passage known only by its recording: the release to call its album, official non-compilations and the earliest first. */
function likelyRelease(releases: readonly MbReleaseSummary[]): MbReleaseSummary | null {
  const rank = (r: MbReleaseSummary): string => [
    r.status === 'Official' ? 0 : 1, r.releaseGroup?.secondaryTypes.includes('Compilation') ? 1 : 0, r.date ?? '9999', r.mbid,
  ].join('|');
  return [...releases].sort((a, b) => rank(a).localeCompare(rank(b)))[0] ?? null;
}

/** What review needs of the candidates a passage was not identified by. */
function candidatesJson(candidates: readonly Candidate[]): string {
  return JSON.stringify(candidates.slice(0, 5).map((c): ReviewCandidate => ({
    recordingMbid: c.recordingMbid, title: c.title, artist: c.artists.map((a) => a.name + a.joinphrase).join(''),
    score: c.score, confidence: Math.round(c.confidence * 1000) / 1000, album: c.releases[0]?.title ?? null,
  })));
}

class QueueRun {
  readonly requests = { acoustId: 0, musicBrainz: 0 };
  readonly finished = { done: 0, noMatch: 0, failed: 0 };
  paused: string | null;
  private batchSize = largestBatch;
  private readonly clock: Clock;
  private readonly started: number;

  constructor(private readonly options: QueueRunOptions) {
    this.clock = options.clock ?? systemClock;
    this.started = this.clock.now();
    this.paused = options.services.acoustId === null ? 'no AcoustID key: set acoustid_api_key (or WKMP_ACOUSTID_API_KEY) to identify passages by their fingerprints' : null;
  }

  private get db(): WkmpDatabase {
    return this.options.db;
  }

  progress(): QueueProgress {
    const counts = countJobs(this.db.read, new Date(this.clock.now()).toISOString());
    const seconds = (this.clock.now() - this.started) / 1000;
    const done = this.finished.done + this.finished.noMatch + this.finished.failed;
    const jobsPerSecond = seconds > 0 ? done / seconds : 0;
    return {
      counts, paused: this.paused, requests: { ...this.requests }, jobsPerSecond,
      etaSeconds: jobsPerSecond > 0 && this.paused === null ? Math.round(counts.due / jobsPerSecond) : null,
    };
  }

  private report(): void {
    this.options.onProgress?.(this.progress());
  }

  /** Runs `request`, waiting out slow-down answers (Retry-After when given, else 1 s doubling to 30 s). */
  private async patiently<T>(pace: RequestPace, request: () => Promise<T>): Promise<T> {
    let waitMs = 1000;
    for (let tries = 1; ; tries += 1) {
      try {
        return await request();
      } catch (error) {
        if (!(error instanceof ServiceError) || error.kind !== 'rate-limited' || tries >= slowDownTries) throw error;
        const wait = error.retryAfterMs ?? waitMs;
        await pace.holdOff(wait);
        waitMs = Math.min(waitMs * 2, 30_000);
        await this.clock.sleep(wait, this.options.signal);
      }
    }
  }

  /** A failed attempt: the job waits for a later one (1 min doubling to 1 h), or fails after the last. */
  private failedAttempt(passage: Passage, why: string): JobUpdate & { link: null } {
    const attempts = passage.job.attempts + 1;
    const failed = attempts >= maxAttempts;
    return {
      passageGuid: passage.job.passageGuid, state: failed ? 'failed' : 'waiting', attempts,
      nextAttemptAt: failed ? null : isoAfter(this.clock, Math.min(firstRetryMs * 2 ** (attempts - 1), lastRetryMs)),
      lastError: why, acoustId: null, recordingMbid: null, releaseMbid: null, confidence: null, candidates: null, link: null,
    };
  }

  private async write(update: IdentificationUpdate): Promise<void> {
    if (update.acoustIdReplies.length + update.musicBrainz.length + update.jobs.length === 0) return;
    await this.db.recorder.write(recordIdentifications(update));
    for (const job of update.jobs) {
      if (job.state === 'done') this.finished.done += 1;
      else if (job.state === 'no-match') this.finished.noMatch += 1;
      else if (job.state === 'failed') this.finished.failed += 1;
    }
  }

  /** AcoustID's results for each passage: cached, or asked in batches; passages whose lookup failed are answered with a job update instead. */
  private async acoustIdResults(passages: readonly Passage[]): Promise<{ replies: Map<string, unknown>; failures: IdentificationUpdate['jobs'] }> {
    const cached = listAcoustIdReplies(this.db.read, passages.map((p) => p.key), daysAgo(this.clock, this.options.services.cacheTtlDays));
    // A cached reply that is not JSON (the table was edited by hand) is asked again.
    const replies = new Map<string, unknown>([...cached].flatMap(([key, text]) => {
      const stored = readJsonColumn('wkmp_ai_acoustid_replies.json', text, anyJson);
      return stored.readable ? [[key, stored.value] as const] : [];
    }));
    const failures: IdentificationUpdate['jobs'] = [];
    const toAsk = [...new Map(passages.filter((p) => !replies.has(replyKey(p.key))).map((p) => [replyKey(p.key), p])).values()];
    const client = this.options.services.acoustId;
    let next = 0;
    while (next < toAsk.length && client !== null && this.paused === null) {
      this.options.signal?.throwIfAborted();
      const batch = toAsk.slice(next, next + this.batchSize);
      try {
        const lookups = batch.map((p) => ({ fingerprint: p.fingerprint, durationSeconds: p.key.durationSeconds }));
        const results = await this.patiently(client.pacer, () => {
          this.requests.acoustId += 1;
          return lookUpFingerprints(client, lookups, this.options.signal);
        });
        const answered = batch.map((p, i) => ({ key: p.key, json: JSON.stringify(results[i] ?? []) }));
        // Stored at once: a run stopped from here on never asks these again.
        await this.write({ acoustIdReplies: answered, musicBrainz: [], jobs: [] });
        answered.forEach(({ key }, i) => replies.set(replyKey(key), results[i] ?? []));
        next += batch.length;
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        if (error.kind === 'invalid-key') {
          this.paused = error.message;
        } else if (error.kind === 'too-large' && this.batchSize > 1) {
          this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
        } else {
          const asked = new Set(batch.map((p) => replyKey(p.key)));
          failures.push(...passages.filter((p) => asked.has(replyKey(p.key))).map((p) => this.failedAttempt(p, error.message)));
          next += batch.length;
        }
      }
      this.report();
    }
    return { replies, failures };
  }

  /** MusicBrainz's JSON of an entity: cached, or asked (and cached under the id asked and the id answered). */
  private async musicBrainz(entity: MusicBrainzEntity, mbid: string, pending: IdentificationUpdate['musicBrainz']): Promise<unknown> {
    const cached = listMusicBrainz(this.db.read, entity, [mbid], daysAgo(this.clock, this.options.services.cacheTtlDays)).get(mbid);
    // The cache is WKMP's, shared with other services: what is not JSON there is asked again.
    const stored = cached === undefined ? null : readJsonColumn('musicbrainz_cache.json', cached, anyJson);
    if (stored?.readable === true) return stored.value;
    const client = this.options.services.musicBrainz;
    const json = await this.patiently(client.pacer, () => {
      this.requests.musicBrainz += 1;
      return lookUp(client, entity, mbid, this.options.signal);
    });
    const text = JSON.stringify(json);
    pending.push({ entity, mbid, json: text });
    if (typeof json.id === 'string' && json.id !== mbid) pending.push({ entity, mbid: json.id, json: text });
    return json;
  }

  /** One album's passages, from AcoustID's replies to their outcomes, written in one transaction. */
  /** The album's passages as songs: adjacent ones of a file that name the same recording are joined (choose.ts). */
  private songsOf(answered: readonly Passage[], replies: ReadonlyMap<string, unknown>): Song[] {
    const results = answered.map((p) => parseResults(replies.get(replyKey(p.key))));
    const runs = joinedParts(answered.map((p, i) => ({
      seconds: p.seconds, results: results[i]!,
      followsPrevious: i > 0 && answered[i - 1]!.job.fileGuid === p.job.fileGuid && answered[i - 1]!.job.position + 1 === p.job.position,
    })));
    return runs.map((run) => ({
      passage: answered[run[0]!]!,
      results: results[run[0]!]!,
      joined: run.slice(1).map((i) => answered[i]!),
      seconds: run.reduce((sum, i) => sum + answered[i]!.seconds, 0),
    }));
  }

  /** One album's passages, from AcoustID's replies to their outcomes, written in one transaction. */
  private async identifyAlbum(passages: readonly Passage[], replies: ReadonlyMap<string, unknown>): Promise<void> {
    const songs = this.songsOf(passages.filter((p) => replies.has(replyKey(p.key))), replies);
    const candidates = songs.map((song) => candidatesOf(song.results, song.seconds));
    const update: IdentificationUpdate = { acoustIdReplies: [], musicBrainz: [], jobs: [], joins: [], plans: [] };
    let release: MbRelease | null = null;
    // Asked only when a passage on it is sure enough to be written: Low and no match cost no request.
    const worthAsking = sharedReleases(candidates).filter((shared) => candidates.some((list) => {
      const chosen = pick(list, shared.mbid);
      return chosen !== null && chosen.onRelease && isWritten(bandOf(chosen.candidate.confidence));
    }));
    // The best first; the next only when MusicBrainz says the best is not official (a bootleg, a promotion).
    for (const shared of worthAsking) {
      try {
        const asked = parseRelease(await this.musicBrainz('release', shared.mbid, update.musicBrainz));
        release ??= asked;
        if (asked?.status === 'Official') {
          release = asked;
          break;
        }
      } catch (error) {
        if (!(error instanceof ServiceError) || error.kind === 'rate-limited') throw error;
        if (error.kind !== 'not-found') {
          update.jobs.push(...songs.flatMap((song) => [song.passage, ...song.joined]).map((p) => this.failedAttempt(p, error.message)));
          await this.write(update);
          return;
        }
      }
    }
    const wholeReleases = await this.wholeReleases(songs, candidates, release, update);
    for (const [i, song] of songs.entries()) {
      const outcome = await this.outcome(song, candidates[i]!, release, update.musicBrainz);
      const holds = wholeReleases.get(song.passage.job.fileGuid);
      if (holds !== undefined && outcome.state !== 'done') outcome.lastError = holds;
      update.jobs.push(outcome);
      const last = song.joined.at(-1);
      if (outcome.state === 'done' && last !== undefined) {
        update.joins!.push({ keep: song.passage.job.passageGuid, drop: song.joined.map((p) => p.job.passageGuid), endTicks: last.job.endTicks, leadOutStartTicks: last.job.leadOutStartTicks });
      } else {
        // Not identified as one song: each part is its own passage, and answered on its own.
        for (const part of song.joined) {
          const alone: Song = { passage: part, results: parseResults(replies.get(replyKey(part.key))), joined: [], seconds: part.seconds };
          update.jobs.push(await this.outcome(alone, candidatesOf(alone.results, alone.seconds), release, update.musicBrainz));
        }
      }
    }
    await this.write(update);
  }

  /**
   * Files of the album that hold a whole release (every passage of the file is here, none from a
   * cue sheet): the album's release, or the one whose first track a passage half as long again
   * begins with. Their tracks' spans go into `update.plans` for the next import. Returns, by file,
   * what its jobs say about it.
   */
  private async wholeReleases(songs: readonly Song[], candidates: readonly (readonly Candidate[])[], shared: MbRelease | null, update: IdentificationUpdate): Promise<Map<string, string>> {
    const said = new Map<string, string>();
    const byFile = new Map<string, { songs: Song[]; candidates: Candidate[] }>();
    songs.forEach((song, i) => {
      const file = byFile.get(song.passage.job.fileGuid) ?? { songs: [], candidates: [] };
      file.songs.push(song);
      file.candidates.push(...candidates[i]!);
      byFile.set(song.passage.job.fileGuid, file);
    });
    for (const [fileGuid, file] of byFile) {
      const parts = file.songs.flatMap((song) => [song.passage, ...song.joined]).sort((a, b) => a.job.startTicks - b.job.startTicks);
      // A file some of whose passages a cue sheet cut, or whose cutting cannot be read, is left as it is.
      const isCutByAnalysis = (p: Passage): boolean => ['silence', 'container duration'].includes(boundariesOf(p.job)?.source ?? 'unknown');
      if (parts.length !== parts[0]!.job.filePassages || !parts.every(isCutByAnalysis)) continue;
      const release = shared ?? await this.releaseBegunBy(file.candidates, parts.reduce((sum, p) => sum + p.seconds, 0), update);
      if (release === null || release.tracks.length <= parts.length || release.tracks.some((t) => t.lengthMs === null)) continue;
      const gaps = [
        ...parts.slice(1).map((p, i) => ({ startTicks: parts[i]!.job.endTicks, endTicks: p.job.startTicks })),
        ...parts.flatMap((p) => boundariesOf(p.job)?.rejectedGaps ?? []),
      ];
      const spans = trackSpans(parts[0]!.job.startTicks, parts.at(-1)!.job.endTicks, release.tracks.map((t) => t.lengthMs!), gaps);
      if (spans === null) continue;
      const credit = (credits: readonly Credit[]): string | null => (credits.length === 0 ? null : credits.map((c) => c.name + c.joinphrase).join(''));
      const sheet: FileCueSheet = {
        source: `MusicBrainz release ${release.mbid}`,
        album: { title: release.title, performer: credit(release.artists), date: release.date, genre: null, releaseMbid: release.mbid, catalog: null, discId: null, comment: null },
        tracks: spans.map((span, i) => ({
          number: i + 1, kind: 'audio', startTicks: span.startTicks, endTicks: span.endTicks, title: release.tracks[i]!.recording.title,
          performer: credit(release.tracks[i]!.recording.artists), recordingMbid: null, artistMbids: [], isrc: null, flags: [],
        })),
      };
      update.plans!.push({ fileGuid, releaseMbid: release.mbid, sheet: JSON.stringify(sheet) });
      said.set(fileGuid, `holds the whole release "${release.title}" (${release.tracks.length} tracks): the next import cuts it at the release's tracks`);
    }
    return said;
  }

  /** The release a passage half as long again as its first track begins with (a whole album in one file); null when none. */
  private async releaseBegunBy(candidates: readonly Candidate[], seconds: number, update: IdentificationUpdate): Promise<MbRelease | null> {
    const first = candidates.find((c) => c.durationSeconds !== null && seconds > c.durationSeconds * 1.5
      && c.releases.some((r) => r.positions.some((p) => p.medium === 1 && p.track === 1)));
    const release = first?.releases.find((r) => r.positions.some((p) => p.medium === 1 && p.track === 1));
    if (release === undefined) return null;
    try {
      return parseRelease(await this.musicBrainz('release', release.mbid, update.musicBrainz));
    } catch (error) {
      if (!(error instanceof ServiceError) || error.kind === 'rate-limited') throw error;
      return null;
    }
  }

  private async outcome(song: Song, candidates: readonly Candidate[], release: MbRelease | null, pending: IdentificationUpdate['musicBrainz']): Promise<IdentificationUpdate['jobs'][number]> {
    const { passage, results } = song;
    const base = {
      passageGuid: passage.job.passageGuid, attempts: passage.job.attempts + 1, nextAttemptAt: null, lastError: null,
      acoustId: bestAcoustId(results), recordingMbid: null, releaseMbid: null, confidence: null, candidates: null, link: null,
    };
    const chosen = pick(candidates, release?.mbid ?? null);
    if (chosen === null) return { ...base, state: 'no-match' };
    const { candidate, onRelease } = chosen;
    const band = bandOf(candidate.confidence);
    const confidence = Math.round(candidate.confidence * 1000) / 1000;
    if (!isWritten(band)) return { ...base, state: 'no-match', confidence, candidates: candidatesJson(candidates) };
    let recording: MbRecording | null = null;
    let album: MbReleaseSummary | null = null;
    if (onRelease && release !== null) {
      const onIt = candidate.releases.find((r) => r.mbid === release.mbid);
      // By id; else at the position AcoustID gives, for a recording MusicBrainz has merged into another.
      const track = release.tracks.find((t) => t.recording.mbid === candidate.recordingMbid)
        ?? release.tracks.find((t) => onIt?.positions.some((p) => p.medium === t.medium && p.track === t.position));
      recording = track?.recording ?? null;
      album = release;
    }
    if (recording === null) {
      try {
        const lookup = parseRecording(await this.musicBrainz('recording', candidate.recordingMbid, pending));
        recording = lookup?.recording ?? null;
        album ??= lookup === null ? null : likelyRelease(lookup.releases);
      } catch (error) {
        if (!(error instanceof ServiceError) || error.kind === 'rate-limited') throw error;
        if (error.kind !== 'not-found') return this.failedAttempt(passage, error.message);
      }
    }
    if (recording === null) return { ...base, state: 'no-match', confidence, candidates: candidatesJson(candidates), lastError: `MusicBrainz has no recording ${candidate.recordingMbid}` };
    const link: LinkedPassage = {
      guid: passage.job.passageGuid, startTicks: passage.job.startTicks, endTicks: song.joined.at(-1)?.job.endTicks ?? passage.job.endTicks,
      recording: recordingRefOf(recording), release: album === null ? null : albumRefOf(album),
    };
    return { ...base, state: 'done', recordingMbid: recording.mbid, releaseMbid: album?.mbid ?? null, confidence, link };
  }

  private passageOf(job: DueJob): Passage | JobUpdate & { link: null } {
    const stored = job.additionalMetadata === null ? null : parseAdditionalMetadata(job.additionalMetadata);
    const fingerprint = stored?.readable === true ? stored.value.chromaprint ?? null : null;
    const seconds = (job.endTicks - job.startTicks) / TICKS_PER_SECOND;
    const passage = { job, fingerprint: fingerprint?.fingerprint ?? '', seconds, album: albumKeyOf(job), key: { fingerprintSha256: '', durationSeconds: Math.round(seconds) } };
    // Neither is mended by waiting: the job fails at once, saying why.
    if (stored?.readable === false) return { ...this.failedAttempt(passage, stored.problem), state: 'failed', nextAttemptAt: null };
    if (fingerprint === null) return { ...this.failedAttempt(passage, 'the passage has no fingerprint'), state: 'failed', nextAttemptAt: null };
    return { ...passage, key: { fingerprintSha256: sha256(fingerprint.fingerprint), durationSeconds: Math.round(seconds) } };
  }

  async run(): Promise<QueueRunSummary> {
    let left = this.options.limit ?? Number.POSITIVE_INFINITY;
    const skipped = new Set<string>();
    while (left > 0) {
      this.options.signal?.throwIfAborted();
      const due = listDueJobs(this.db.read, new Date(this.clock.now()).toISOString(), Math.min(left, chunkJobs) + skipped.size).filter((job) => !skipped.has(job.passageGuid));
      if (due.length === 0) break;
      const chunk = due.slice(0, Math.min(left, chunkJobs));
      left -= chunk.length;
      const made = chunk.map((job) => this.passageOf(job));
      const passages = made.filter((p): p is Passage => 'fingerprint' in p);
      const unusable = made.filter((p): p is JobUpdate & { link: null } => !('fingerprint' in p));
      const { replies, failures } = await this.acoustIdResults(passages);
      await this.write({ acoustIdReplies: [], musicBrainz: [], jobs: [...unusable, ...failures] });
      const failed = new Set(failures.map((f) => f.passageGuid));
      const albums = new Map<string, Passage[]>();
      for (const passage of passages) {
        if (failed.has(passage.job.passageGuid)) continue;
        // Without an AcoustID reply (the key is refused or missing) the job waits, untouched, for the next run.
        if (!replies.has(replyKey(passage.key))) {
          skipped.add(passage.job.passageGuid);
          continue;
        }
        albums.set(passage.album, [...(albums.get(passage.album) ?? []), passage]);
      }
      for (const album of albums.values()) {
        this.options.signal?.throwIfAborted();
        await this.identifyAlbum(album, replies);
        this.report();
      }
      if (this.paused !== null && albums.size === 0) break;
    }
    const progress = this.progress();
    this.options.onProgress?.(progress);
    return { ...progress, finished: { ...this.finished } };
  }
}

/** Runs the queue until no job is due (or `limit` jobs are done, or it is paused or cancelled). */
export function runIdentificationQueue(options: QueueRunOptions): Promise<QueueRunSummary> {
  return new QueueRun(options).run();
}
