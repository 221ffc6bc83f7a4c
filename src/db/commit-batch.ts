/**
 * One write transaction over many files: the synchronous core of the recorder. Nothing here
 * awaits, reads a file or talks to the network; everything it needs was read before BEGIN.
 */
import type { Statement } from 'better-sqlite3';
import type { AnalysisResult, CommittedPassage, FileFailure, FileRecord, FileWarning, OtherFile, PassageRecord, SameFile } from '../file-record.js';
import { errorMessage } from '../errors.js';
import { arrayOf, readJsonColumn, string } from '../stored/check.js';
import type { WriteDb } from './connection.js';
import { isBusyError } from './connection.js';
import type { FileWithHash } from './queries/files.js';
import type { StoredPassageSpan } from './queries/passages.js';
import { keepPassageGuids, type Takeover } from './kept-passages.js';
import type { EntityGuids } from './entity-guids.js';
import { EntityLinker } from './entity-links.js';
import { fileRowParams, keptPassageParams, MAX_HOST_PARAMETERS, PASSAGE_COLUMN_COUNT, passageJson, sameFileParams, takeoverParams, type FileWrites } from './queries/file-writes.js';

export interface CommittedFile {
  path: string;
  guid: string;
  status: FileRecord['status'];
  /** The passages written; none for a duplicate or a file without audio. */
  passages: CommittedPassage[];
  songs: number;
  /** A new file that took over a missing file's passages (another encoding of it), or matched two missing files' and took nothing. */
  identity?: 'reencoded' | 'ambiguous';
}

function committedPassages(passages: readonly PassageRecord[]): CommittedPassage[] {
  return passages.map((p, index) => ({
    title: p.title, artist: p.artist, number: index + 1, of: passages.length, recordingMbid: p.recording?.recordingMbid ?? null,
    startTicks: p.startTicks, endTicks: p.endTicks, leadInStartTicks: p.leadInStartTicks, leadOutStartTicks: p.leadOutStartTicks,
    flavorSources: p.flavor?.sources ?? [],
  }));
}

export interface BatchReport {
  committed: CommittedFile[];
  /** Analysis failures recorded, and files whose writes failed and were rolled back alone. */
  failed: FileFailure[];
  statements: number;
}

/**
 * The present (not missing) files holding each content, kept in step with what the batch
 * writes so that two copies in one batch are found too.
 */
export class ContentIndex {
  private readonly byHash = new Map<string, FileWithHash[]>();
  private readonly byPath = new Map<string, FileWithHash>();

  constructor(known: readonly FileWithHash[]) {
    for (const file of known) if (file.missingSince === null) this.add(file);
  }

  /** Adds or replaces (a path holds one content) what the database holds at `file.path`. */
  add(file: FileWithHash): void {
    const previous = this.byPath.get(file.path);
    if (previous) this.byHash.set(previous.hash, (this.byHash.get(previous.hash) ?? []).filter((known) => known.path !== file.path));
    this.byPath.set(file.path, file);
    this.byHash.set(file.hash, [...(this.byHash.get(file.hash) ?? []), file]);
  }

  othersWith(hash: string, path: string): FileWithHash[] {
    return (this.byHash.get(hash) ?? []).filter((file) => file.path !== path);
  }
}

const maxPassageRows = Math.floor(MAX_HOST_PARAMETERS / PASSAGE_COLUMN_COUNT);

class BatchWriter {
  private ownStatements = 0;
  private readonly linker: EntityLinker;

  constructor(
    private readonly writes: FileWrites,
    private readonly sessionId: string,
    private readonly contents: ContentIndex,
    entities: EntityGuids,
    /** The passages the batch's known files had, by file guid, read before BEGIN. */
    private readonly stored: ReadonlyMap<string, readonly StoredPassageSpan[]>,
    /** What each new file takes over of missing files' passages, by its guid, decided before BEGIN. */
    private readonly takeovers: ReadonlyMap<string, Takeover>,
  ) {
    this.linker = new EntityLinker(writes, entities);
  }

  get statements(): number {
    return this.ownStatements + this.linker.statements;
  }

  /** Whether the file being written took an entity's guid from the cache rather than the database. */
  get usedKnownGuid(): boolean {
    return this.linker.usedKnownGuid;
  }

  set usedKnownGuid(value: boolean) {
    this.linker.usedKnownGuid = value;
  }

  private run(statement: Statement, ...params: unknown[]): void {
    this.ownStatements += 1;
    statement.run(...params);
  }

  private returningGuid(statement: Statement, ...params: unknown[]): string {
    this.ownStatements += 1;
    return (statement.get(...params) as { guid: string }).guid;
  }

  /**
   * A known file found at a path by its content: its row follows it and takes its new tags, its
   * passages stay what they are. False if the row is gone (another service deleted it meanwhile).
   */
  recordSameFile(file: SameFile): boolean {
    const params = sameFileParams(file);
    this.ownStatements += 1;
    if ((file.how === 'moved' ? this.writes.moveFile : this.writes.retagFile).run(params).changes === 0) return false;
    if (file.how === 'retagged') this.run(this.writes.retagPassages, params);
    return true;
  }

  /** A file that is not audio, remembered so that a rescan skips it unopened. */
  rememberOtherFile(file: OtherFile): void {
    this.run(this.writes.upsertOtherFile, file.path, file.sizeBytes, file.modificationTime, file.fileClass);
  }

  recordFailure(failure: FileFailure): void {
    this.recordError(failure.path, failure);
  }

  private recordError(path: string, error: FileWarning): void {
    this.run(this.writes.insertImportError, this.sessionId, path, error.phase, error.code, error.message);
  }

  /**
   * All of one file's rows; a duplicate of a present file gets no passages. Only a file that is
   * not itself a duplicate makes this one a duplicate: an original recorded again (touched,
   * rewritten with the same content) stays the original of its copies.
   */
  writeRecord(record: FileRecord): CommittedFile {
    // A tags-only record has no content hash yet: duplicates are found by the full pass.
    const others = record.hash === '' ? [] : this.contents.othersWith(record.hash, record.path);
    const isDuplicate = others.some((file) => file.status !== 'DUPLICATE HASH');
    const matchingHashes = others.length > 0 ? JSON.stringify(others.map((file) => file.guid)) : null;
    const guid = this.returningGuid(
      this.writes.upsertFile, fileRowParams(record, isDuplicate ? 'DUPLICATE HASH' : record.status, matchingHashes),
    );
    for (const warning of record.warnings) this.recordError(record.path, warning);
    const { passages, kept } = isDuplicate ? { passages: [], kept: new Set<string>() } : keepPassageGuids(this.storedPassages(guid), record.passages);
    // A new file has no old passages to replace, unless its path was recorded since the plan was made.
    if (record.change === 'changed' || guid !== record.guid) this.run(this.writes.deletePassagesOfFileExcept, guid, JSON.stringify([...kept]));
    if (isDuplicate) {
      for (const original of others) this.linkDuplicate(original, guid);
      this.contents.add({ guid, path: record.path, hash: record.hash, status: 'DUPLICATE HASH', matchingHashes, missingSince: null });
      return { path: record.path, guid, status: 'DUPLICATE HASH', passages: [], songs: 0 };
    }
    // A new file may be another encoding of a missing one: its passages then take the old ones' guids.
    const takeover = (guid === record.guid ? this.takeovers.get(guid) : undefined) ?? { kind: 'none' as const };
    const takenOver = takeover.kind === 'takeover' ? this.takeOver(guid, takeover, passages) : new Map<string, string>();
    const written = passages.map((passage) => {
      const old = takenOver.get(passage.guid);
      return old === undefined ? passage : { ...passage, guid: old };
    });
    const takenGuids = new Set(takenOver.values());
    const inserted = written.filter((passage) => !takenGuids.has(passage.guid) && (!kept.has(passage.guid) || !this.updateKeptPassage(guid, passage)));
    this.insertPassages(guid, inserted);
    let songs = 0;
    for (const passage of written) {
      const isTakenOver = takenGuids.has(passage.guid);
      // A taken-over passage keeps what identification found for it, unless the new file names its recording itself.
      if (isTakenOver && passage.recording === null && passage.release === null) continue;
      if (isTakenOver) this.dropLinks(passage.guid);
      songs += this.linker.link(passage);
      this.queueIdentification(passage, kept.has(passage.guid) || isTakenOver);
    }
    if (takeover.kind === 'ambiguous') {
      this.recordError(record.path, {
        phase: 'record', code: 'AMBIGUOUS_UPGRADE',
        message: `${record.path} sounds like the passages of ${takeover.fileGuids.length} missing files (${takeover.fileGuids.join(', ')}): it takes over none of them, and all are kept`,
      });
    }
    this.contents.add({ guid, path: record.path, hash: record.hash, status: record.status, matchingHashes, missingSince: null });
    const identity = takeover.kind === 'ambiguous' ? 'ambiguous' : takenGuids.size > 0 ? 'reencoded' : null;
    return { path: record.path, guid, status: record.status, passages: committedPassages(written), songs, ...(identity === null ? {} : { identity }) };
  }

  /**
   * Moves the matched passages of the missing file to this one, and retires that file: returns the
   * new passages' guids mapped to the old ones moved. A passage another service deleted meanwhile is
   * left out: the new passage is inserted under its own guid.
   */
  private takeOver(fileGuid: string, takeover: Extract<Takeover, { kind: 'takeover' }>, passages: readonly PassageRecord[]): Map<string, string> {
    const moved = new Map<string, string>();
    for (const passage of passages) {
      const old = takeover.byNewGuid.get(passage.guid);
      if (old === undefined) continue;
      this.ownStatements += 1;
      if (this.writes.takeOverPassage.run(takeoverParams(fileGuid, takeover.fileGuid, { ...passage, guid: old })).changes > 0) moved.set(passage.guid, old);
    }
    if (moved.size > 0) this.run(this.writes.retireFile, fileGuid, takeover.fileGuid);
    return moved;
  }

  private dropLinks(passageGuid: string): void {
    this.run(this.writes.deleteSongLinksOfPassage, passageGuid);
    this.run(this.writes.deleteAlbumLinksOfPassage, passageGuid);
  }

  private storedPassages(fileGuid: string): readonly StoredPassageSpan[] {
    return this.stored.get(fileGuid) ?? [];
  }

  /** A kept passage's new analysis, in place; its old links go, the record's are written after. False if another service deleted it meanwhile. */
  private updateKeptPassage(fileGuid: string, passage: PassageRecord): boolean {
    this.ownStatements += 1;
    if (this.writes.updateKeptPassage.run(keptPassageParams(fileGuid, passage)).changes === 0) return false;
    this.run(this.writes.deleteSongLinksOfPassage, passage.guid);
    this.run(this.writes.deleteAlbumLinksOfPassage, passage.guid);
    return true;
  }

  private linkDuplicate(original: FileWithHash, duplicateGuid: string): void {
    // A list that cannot be read (edited by hand, or by another service) starts again from what is known here.
    const stored = original.matchingHashes ? readJsonColumn('files.matching_hashes', original.matchingHashes, arrayOf(string)) : null;
    const matching = new Set<string>(stored?.readable === true ? stored.value : []);
    matching.add(duplicateGuid);
    original.matchingHashes = JSON.stringify([...matching]);
    this.run(this.writes.setMatchingHashes, original.matchingHashes, original.guid);
  }

  private insertPassages(fileGuid: string, passages: readonly PassageRecord[]): void {
    for (let start = 0; start < passages.length; start += maxPassageRows) {
      const chunk = passages.slice(start, start + maxPassageRows);
      const params = chunk.flatMap((p) => {
        const json = passageJson(p);
        return [
          p.guid, fileGuid, p.startTicks, p.endTicks, p.leadInStartTicks, p.leadOutStartTicks, p.title, p.artist, p.album,
          json.importMetadata, json.additionalMetadata, json.flavorVector, json.flavorSources, json.flavorConfidence, json.flavorCompleteness,
          'INGEST COMPLETE',
        ];
      });
      this.run(this.writes.insertPassages(chunk.length), ...params);
    }
  }

  /** A passage with a fingerprint and no recording waits for identification; one the file names needs none. */
  private queueIdentification(passage: PassageRecord, kept: boolean): void {
    if (passage.recording === null && passage.additionalMetadata?.chromaprint !== undefined) this.run(this.writes.queueIdentification, passage.guid);
    else if (kept) this.run(this.writes.dropIdentification, passage.guid);
  }
}

export interface BatchContext {
  sessionId: string;
  /** Files already in the database with the batch's contents, read before BEGIN. */
  sameContent: readonly FileWithHash[];
  /** The passages the batch's known files have now, read before BEGIN. */
  storedPassages: readonly StoredPassageSpan[];
  /** What the batch's new files take over of missing files' passages (another encoding), by file guid, decided before BEGIN. */
  takeovers: ReadonlyMap<string, Takeover>;
}

function byFile(spans: readonly StoredPassageSpan[]): Map<string, StoredPassageSpan[]> {
  const map = new Map<string, StoredPassageSpan[]>();
  for (const span of spans) map.set(span.fileGuid, [...(map.get(span.fileGuid) ?? []), span]);
  return map;
}

/**
 * Builds the batch function for one connection: `commit.immediate(items, context)` runs one
 * BEGIN IMMEDIATE … COMMIT with a savepoint per file. A file whose writes fail is rolled back
 * alone and reported; if SQLite rolled the whole transaction back (`!db.inTransaction`), or the
 * lock was lost, the error is rethrown and nothing of the batch is kept.
 */
export function prepareCommitBatch(db: WriteDb, writes: FileWrites, entities: EntityGuids) {
  const writeOneFile = db.transaction((writer: BatchWriter, record: FileRecord) => writer.writeRecord(record));
  function attempt(writer: BatchWriter, record: FileRecord): CommittedFile {
    try {
      const committed = writeOneFile(writer, record);
      entities.keepFile();
      return committed;
    } catch (error) {
      entities.dropFile();
      throw error;
    }
  }
  /** One file in its savepoint. A file that failed after using cached guids is tried once more without them. */
  function commitFile(writer: BatchWriter, record: FileRecord): CommittedFile {
    writer.usedKnownGuid = false;
    try {
      return attempt(writer, record);
    } catch (error) {
      if (isBusyError(error) || !db.inTransaction || !writer.usedKnownGuid) throw error;
      entities.clear(); // another service may have deleted a row this recorder knew
      return attempt(writer, record);
    }
  }
  const writeSameFile = db.transaction((writer: BatchWriter, file: SameFile) => writer.recordSameFile(file));
  /** A file found by its content, in its savepoint; a failure (its row gone, its path taken) is its error row. */
  function recordSameFile(writer: BatchWriter, file: SameFile): FileFailure | null {
    let why: string;
    try {
      if (writeSameFile(writer, file)) return null;
      why = `the file it was (${file.guid}) is no longer in the database; it is imported again on the next import`;
    } catch (error) {
      if (isBusyError(error) || !db.inTransaction) throw error;
      why = errorMessage(error);
    }
    const failure: FileFailure = { kind: 'failure', path: file.path, phase: 'record', code: 'RECORD_FAILED', message: `recording ${file.path}: ${why}` };
    writer.recordFailure(failure);
    return failure;
  }
  const batch = db.transaction((items: readonly AnalysisResult[], context: BatchContext): BatchReport => {
    const writer = new BatchWriter(writes, context.sessionId, new ContentIndex(context.sameContent), entities, byFile(context.storedPassages), context.takeovers);
    const report: BatchReport = { committed: [], failed: [], statements: 0 };
    for (const item of items) {
      if (item.kind === 'failure') {
        writer.recordFailure(item);
        report.failed.push(item);
        continue;
      }
      if (item.kind === 'other') {
        writer.rememberOtherFile(item);
        continue;
      }
      if (item.kind === 'same file') {
        const failure = recordSameFile(writer, item);
        if (failure !== null) report.failed.push(failure);
        continue;
      }
      try {
        report.committed.push(commitFile(writer, item));
      } catch (error) {
        if (isBusyError(error) || !db.inTransaction) throw error;
        const failure: FileFailure = {
          kind: 'failure', path: item.path, phase: 'record', code: 'RECORD_FAILED',
          message: `recording ${item.path}: ${errorMessage(error)}`,
        };
        writer.recordFailure(failure);
        report.failed.push(failure);
      }
    }
    report.statements = writer.statements + 2; // BEGIN and COMMIT
    return report;
  });
  return {
    /**
     * The same writes with no transaction at all, each statement committing on its own, as earlier
     * WKMP builds wrote: the baseline `bench:write` measures the batches against (docs/adr/0001).
     */
    autocommit(records: readonly FileRecord[], context: BatchContext): BatchReport {
      const writer = new BatchWriter(writes, context.sessionId, new ContentIndex(context.sameContent), entities, byFile(context.storedPassages), context.takeovers);
      const committed = records.map((record) => {
        const file = writer.writeRecord(record);
        entities.keepFile();
        entities.keepBatch();
        return file;
      });
      return { committed, failed: [], statements: writer.statements };
    },
    /** BEGIN IMMEDIATE … COMMIT; throws SQLITE_BUSY untouched when the lock is taken. */
    immediate(items: readonly AnalysisResult[], context: BatchContext): BatchReport {
      try {
        const report = batch.immediate(items, context);
        entities.keepBatch();
        return report;
      } catch (error) {
        entities.dropBatch();
        throw error;
      }
    },
  };
}

export type CommitBatch = ReturnType<typeof prepareCommitBatch>;
