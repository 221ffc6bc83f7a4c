/**
 * `wkmp-ai flavor --from-dump FILE`: AcousticBrainz's documents from one of its CC0 high-level dump
 * archives (dump-archive.ts), for the recordings of this library (every one with `all`), into the
 * same cache the queue fills, with the songs' and passages' flavor, without asking any service.
 *
 * - Memory stays bounded whatever the archive's size: one member is read at a time, the members of
 *   other recordings are drained unread, and what is kept is written every few megabytes.
 * - A recording's submissions may be spread over several archives: the offsets found are added to
 *   those stored, and those stored are kept as they are.
 * - Resumable by reading again: an interrupted import is run again from the start of the archive.
 *   What is stored already is known before the first byte (one read of the library's recordings and
 *   their stored offsets), so its members are passed unread and nothing is written twice; reading
 *   again costs the decompression alone.
 * - A member that is not JSON is counted and named, never fatal; an archive that ends early keeps
 *   what was read before, and says so in one line naming the file.
 */
import { statSync } from 'node:fs';
import type { WkmpDatabase } from '../db/setup.js';
import { listCachedOffsets, listLibraryRecordings } from '../db/queries/acousticbrainz.js';
import { listPassagesOfRecordings } from '../db/queries/flavor.js';
import { recordAcousticBrainz, type DocumentsByOffset } from '../db/record-acousticbrainz.js';
import { errorMessage } from '../errors.js';
import { normalisedMbid } from './acousticbrainz-client.js';
import { DumpArchiveError, memberOf, readDumpArchive } from './dump-archive.js';
import { recomposeFlavors } from './recompose.js';
import { songFlavorOf } from './song-flavor.js';

export interface DumpImportOptions {
  db: WkmpDatabase;
  file: string;
  /** Every recording of the archive, not only this library's. */
  all?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: DumpProgress) => void;
}

export interface DumpProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  /** Documents (JSON members) met so far. */
  members: number;
  /** Of those, documents stored (new offsets of the recordings wanted). */
  stored: number;
}

export interface DumpSummary extends DumpProgress {
  /** Read to the end of the archive. */
  complete: boolean;
  cancelled: boolean;
  /** Why the reading stopped before the end (a truncated or damaged archive), in one line; null otherwise. */
  error: string | null;
  /** Documents of recordings this library does not have (passed unread). */
  otherRecordings: number;
  /** Documents already stored (an earlier reading, or the service). */
  alreadyStored: number;
  /** Members that are not JSON documents, with the first few named. */
  broken: { count: number; members: { member: string; problem: string }[] };
  /** Recordings whose stored documents this reading made or extended. */
  recordings: number;
  flavored: { songs: number; passages: number };
  durationMs: number;
}

/** Written every this many bytes of documents kept, or this many recordings. */
const batchBytes = 4 << 20;
const batchRecordings = 500;
/** A member larger than this is no high-level document (they weigh a few kB): counted as broken, drained unread. */
const largestMember = 16 << 20;
const namedBroken = 20;
const progressEveryMs = 200;

class DumpImport {
  /** This library's recordings by the MBID the archive names them with: the MBID as stored, and the offsets stored. */
  private readonly wanted: Map<string, { mbid: string; offsets: Set<string> }> | null;
  private readonly summary: DumpSummary;
  private batch = new Map<string, DocumentsByOffset>();
  private batchSize = 0;
  private lastReport = 0;
  private readonly started = performance.now();

  constructor(private readonly options: DumpImportOptions) {
    this.summary = {
      file: options.file, bytesRead: 0, bytesTotal: statSync(options.file).size, members: 0, stored: 0, complete: false, cancelled: false, error: null,
      otherRecordings: 0, alreadyStored: 0, broken: { count: 0, members: [] }, recordings: 0, flavored: { songs: 0, passages: 0 }, durationMs: 0,
    };
    this.wanted = options.all === true ? null : this.libraryOffsets();
  }

  private libraryOffsets(): Map<string, { mbid: string; offsets: Set<string> }> {
    const wanted = new Map<string, { mbid: string; offsets: Set<string> }>();
    const library = listLibraryRecordings(this.options.db.read);
    const offsets = listCachedOffsets(this.options.db.read, library);
    for (const mbid of library) {
      const key = normalisedMbid(mbid);
      if (key !== null) wanted.set(key, { mbid, offsets: new Set(offsets.get(mbid) ?? []) });
    }
    return wanted;
  }

  private report(force = false): void {
    const now = performance.now();
    if (!force && now - this.lastReport < progressEveryMs) return;
    this.lastReport = now;
    const { file, bytesRead, bytesTotal, members, stored } = this.summary;
    this.options.onProgress?.({ file, bytesRead, bytesTotal, members, stored });
  }

  private broken(member: string, problem: string): void {
    this.summary.broken.count += 1;
    if (this.summary.broken.members.length < namedBroken) this.summary.broken.members.push({ member, problem });
  }

  /** Writes what the batch holds: the documents, the songs' flavor, then their passages'. */
  private async flush(): Promise<void> {
    if (this.batch.size === 0) return;
    const batched = this.batch;
    // Stored under the MBID as the library has it (the archive's are lower-case).
    const recordings = [...batched].map(([key, documents]) => ({ recordingMbid: this.wanted?.get(key)?.mbid ?? key, documents }));
    this.batch = new Map();
    this.batchSize = 0;
    const { db } = this.options;
    const written = await db.recorder.write(recordAcousticBrainz(db.read, { recordings, jobs: [] }, songFlavorOf));
    this.summary.recordings += written.stored;
    this.summary.flavored.songs += written.songs.length;
    this.summary.flavored.passages += await recomposeFlavors(db, listPassagesOfRecordings(db.read, written.songs));
    for (const [key, documents] of batched) {
      for (const offset of Object.keys(documents)) this.wanted?.get(key)?.offsets.add(offset);
    }
  }

  /** One member: kept, passed, or counted as broken. */
  private async take(path: string, size: number, read: () => Promise<Buffer>): Promise<void> {
    const member = memberOf(path);
    if (member.kind === 'low-level') throw new DumpArchiveError(`it is a low-level dump (${path}): give a high-level one (acousticbrainz-highlevel-json-…)`);
    if (member.kind === 'other') return;
    this.summary.members += 1;
    const wanted = this.wanted?.get(member.mbid);
    if (this.wanted !== null && wanted === undefined) {
      this.summary.otherRecordings += 1;
      return;
    }
    if (wanted?.offsets.has(member.offset) === true || this.batch.get(member.mbid)?.[member.offset] !== undefined) {
      this.summary.alreadyStored += 1;
      return;
    }
    if (size > largestMember) {
      this.broken(path, `${size} bytes: larger than any high-level document`);
      return;
    }
    const bytes = await read();
    let document: unknown;
    try {
      document = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      this.broken(path, `not JSON (${errorMessage(error)})`);
      return;
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      this.broken(path, 'not a JSON object');
      return;
    }
    this.batch.set(member.mbid, { ...this.batch.get(member.mbid), [member.offset]: document });
    this.batchSize += bytes.length;
    this.summary.stored += 1;
    if (this.batchSize >= batchBytes || this.batch.size >= batchRecordings) await this.flush();
  }

  async run(): Promise<DumpSummary> {
    const reading = readDumpArchive(this.options.file, (bytes) => {
      this.summary.bytesRead += bytes;
    });
    const { signal } = this.options;
    const stop = () => reading.stop(new Error('cancelled'));
    signal?.addEventListener('abort', stop, { once: true });
    try {
      for await (const entry of reading.entries) {
        if (signal?.aborted) break;
        await this.take(entry.path, entry.size, entry.read);
        this.report();
      }
      await reading.done;
      this.summary.complete = !signal?.aborted;
    } catch (error) {
      reading.stop(error instanceof Error ? error : new Error(String(error)));
      // What could not be written (the database) is thrown; what is wrong with the archive is said.
      if (!(error instanceof DumpArchiveError) && !signal?.aborted) throw error;
      if (!signal?.aborted) this.summary.error = `reading ${this.options.file}: ${errorMessage(error)}; what was read before is kept`;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    this.summary.cancelled = signal?.aborted === true;
    // What was read before a failure or a cancel is kept.
    await this.flush();
    this.summary.durationMs = Math.round(performance.now() - this.started);
    this.report(true);
    return { ...this.summary };
  }
}

/** Reads one dump archive into the cache; never throws for what the archive holds (the summary says), only for what could not be written. */
export function importDump(options: DumpImportOptions): Promise<DumpSummary> {
  return new DumpImport(options).run();
}
