/**
 * Where an import keeps what its plan finds between its walk and its workers: in the heap while it
 * is small, and past `spillAfterRows` rows in a private, temporary SQLite database (not wkmp.db;
 * SQLite deletes its file when it is closed, or when the process dies, as it unlinks it at once).
 * A first import of a million files plans a million; a share that went away leaves a million
 * absent; held in the heap either would cost more than everything else together, while spilled
 * only SQLite's page cache (2 MB) is held and the rest waits on disk. A rename of a folder of
 * 10,000 files stays in the heap, where its rows cost some 25 ms against 250 ms in SQL (profiles
 * of bench:moves' rename; docs/adr/0008).
 *
 * It holds the files to analyse, in the order planned; the known files found absent (looked up by
 * where they lived on disk and by size when a new path may be one of them, each taken once); and
 * the files come and gone, to be written in chunks. Every row has a `seq`, one sequence for all,
 * kept when the rows move to disk, so that a reader's cursor (`afterSeq`) stays good.
 */
import Database from 'better-sqlite3';
import type { KnownFileIdentity } from './queries/files.js';

/** A planned file as it waits. */
export interface SpilledFile<T> {
  seq: number;
  value: T;
}

/** An absent file as it waits; `taken`: moved here, or offered to one new path. */
export interface AbsentRow extends SpilledFile<KnownFileIdentity> {
  taken: boolean;
}

/** What a presence row says: newly missing and restored audio files (guids), other files gone (paths). */
export type PresenceKind = 'missing' | 'restored' | 'gone';

/** Where an absent file comes from: the folders walked (`here`), or marked missing before elsewhere. */
export type AbsentOrigin = 'here' | 'elsewhere';

/** Rows held in the heap before they all go to disk: some 20 MB at most. */
export const spillAfterRows = 20_000;

/** The rows of a plan, in the heap or on disk: the same answers either way. */
interface PlanRows<T> {
  readonly count: number;
  addPlanned(seq: number, unknown: boolean, value: T): void;
  planned(afterSeq: number, limit: number, unknownOnly: boolean): SpilledFile<T>[];
  settle(seq: number, value: T | null): void;
  addAbsent(seq: number, file: KnownFileIdentity, origin: AbsentOrigin): void;
  readonly hasAbsent: boolean;
  absentAt(device: number, inode: number): KnownFileIdentity | undefined;
  absentOfSize(sizeBytes: number, limit: number): KnownFileIdentity[];
  take(guid: string, moved: boolean): void;
  notMoved(afterSeq: number, limit: number): AbsentRow[];
  addPresence(seq: number, kind: PresenceKind, key: string): void;
  presence(kind: PresenceKind, afterSeq: number, limit: number): { seq: number; key: string }[];
  atomically<R>(work: () => R): R;
  close(): void;
}

interface HeldAbsent {
  seq: number;
  file: KnownFileIdentity;
  here: boolean;
  taken: boolean;
  moved: boolean;
}

/** The plan's rows in the heap: lists in `seq` order, and the absent files by guid, place and size. */
class HeldRows<T> implements PlanRows<T> {
  readonly plannedRows: { seq: number; unknown: boolean; value: T | null }[] = [];
  readonly absentRows = new Map<string, HeldAbsent>();
  readonly presenceRows: { seq: number; kind: PresenceKind; key: string }[] = [];
  private readonly byPlace = new Map<string, HeldAbsent[]>();
  private readonly bySize = new Map<number, HeldAbsent[]>();

  get count(): number {
    return this.plannedRows.length + this.absentRows.size + this.presenceRows.length;
  }

  addPlanned(seq: number, unknown: boolean, value: T): void {
    this.plannedRows.push({ seq, unknown, value });
  }

  planned(afterSeq: number, limit: number, unknownOnly: boolean): SpilledFile<T>[] {
    const page: SpilledFile<T>[] = [];
    for (let i = firstAfter(this.plannedRows, afterSeq); i < this.plannedRows.length && page.length < limit; i += 1) {
      const row = this.plannedRows[i]!;
      if (row.value !== null && (!unknownOnly || row.unknown)) page.push({ seq: row.seq, value: row.value });
    }
    return page;
  }

  settle(seq: number, value: T | null): void {
    const row = this.plannedRows[firstAfter(this.plannedRows, seq - 1)];
    if (row?.seq !== seq) return;
    row.unknown = false;
    row.value = value;
  }

  addAbsent(seq: number, file: KnownFileIdentity, origin: AbsentOrigin): void {
    if (this.absentRows.has(file.guid)) return;
    const row: HeldAbsent = { seq, file, here: origin === 'here', taken: false, moved: false };
    this.absentRows.set(file.guid, row);
    if (file.deviceId !== null && file.inode !== null) listIn(this.byPlace, `${file.deviceId}:${file.inode}`).push(row);
    if (file.sizeBytes !== null && file.hash !== '') listIn(this.bySize, file.sizeBytes).push(row);
  }

  get hasAbsent(): boolean {
    return this.absentRows.size > 0;
  }

  absentAt(device: number, inode: number): KnownFileIdentity | undefined {
    return this.byPlace.get(`${device}:${inode}`)?.find((row) => !row.taken)?.file;
  }

  absentOfSize(sizeBytes: number, limit: number): KnownFileIdentity[] {
    return (this.bySize.get(sizeBytes) ?? []).filter((row) => !row.taken).slice(0, limit).map((row) => row.file);
  }

  take(guid: string, moved: boolean): void {
    const row = this.absentRows.get(guid);
    if (row === undefined) return;
    row.taken = true;
    row.moved = moved;
  }

  notMoved(afterSeq: number, limit: number): AbsentRow[] {
    const page: AbsentRow[] = [];
    for (const row of this.absentRows.values()) {
      if (row.seq > afterSeq && row.here && !row.moved) page.push({ seq: row.seq, value: row.file, taken: row.taken });
      if (page.length >= limit) break;
    }
    return page;
  }

  addPresence(seq: number, kind: PresenceKind, key: string): void {
    this.presenceRows.push({ seq, kind, key });
  }

  presence(kind: PresenceKind, afterSeq: number, limit: number): { seq: number; key: string }[] {
    const page: { seq: number; key: string }[] = [];
    for (let i = firstAfter(this.presenceRows, afterSeq); i < this.presenceRows.length && page.length < limit; i += 1) {
      const row = this.presenceRows[i]!;
      if (row.kind === kind) page.push({ seq: row.seq, key: row.key });
    }
    return page;
  }

  atomically<R>(work: () => R): R {
    return work();
  }

  close(): void {}
}

/** The index of the first row whose seq is above `seq` (rows in seq order). */
function firstAfter(rows: readonly { seq: number }[], seq: number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (rows[middle]!.seq <= seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  return list;
}

const SCHEMA = `
CREATE TABLE planned (
  seq INTEGER PRIMARY KEY,
  -- A path wkmp.db does not know: paired with the absent files once the walk is done.
  unknown INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX planned_unknown ON planned(unknown, seq);
CREATE TABLE absent (
  seq INTEGER PRIMARY KEY,
  guid TEXT NOT NULL UNIQUE,
  here INTEGER NOT NULL,
  device INTEGER,
  inode INTEGER,
  size INTEGER,
  hashed INTEGER NOT NULL,
  -- Moved here unopened, or offered to one new path to check by content: never offered to another.
  taken INTEGER NOT NULL DEFAULT 0,
  moved INTEGER NOT NULL DEFAULT 0,
  value TEXT NOT NULL
);
CREATE INDEX absent_place ON absent(device, inode);
CREATE INDEX absent_size ON absent(size) WHERE hashed = 1;
CREATE TABLE presence (
  seq INTEGER PRIMARY KEY,
  -- 'missing': an audio file's guid, newly missing; 'restored': an unchanged one's, back from missing; 'gone': a remembered other file's path.
  kind TEXT NOT NULL,
  key TEXT NOT NULL
);`;

/** The plan's rows on disk, values as JSON, the absent files found by index. */
class SpilledRows<T> implements PlanRows<T> {
  private readonly db = new Database('');
  private readonly statements;
  count = 0;

  constructor() {
    // Nothing here outlives the import: a rollback journal in memory, never on disk.
    this.db.pragma('journal_mode = MEMORY');
    this.db.exec(SCHEMA);
    const prepare = (sql: string) => this.db.prepare(sql);
    this.statements = {
      insert: prepare('INSERT INTO planned (seq, unknown, value) VALUES (?, ?, ?)'),
      update: prepare('UPDATE planned SET unknown = 0, value = ? WHERE seq = ?'),
      remove: prepare('DELETE FROM planned WHERE seq = ?'),
      pageAfter: prepare('SELECT seq, value FROM planned WHERE seq > ? ORDER BY seq LIMIT ?').raw(true),
      unknownAfter: prepare('SELECT seq, value FROM planned WHERE unknown = 1 AND seq > ? ORDER BY seq LIMIT ?').raw(true),
      insertAbsent: prepare(`INSERT OR IGNORE INTO absent (seq, guid, here, device, inode, size, hashed, taken, moved, value)
        VALUES (@seq, @guid, @here, @device, @inode, @size, @hashed, @taken, @moved, @value)`),
      atPlace: prepare('SELECT value FROM absent WHERE device = ? AND inode = ? AND taken = 0 ORDER BY seq LIMIT 1').pluck(),
      ofSize: prepare('SELECT value FROM absent WHERE size = ? AND hashed = 1 AND taken = 0 ORDER BY seq LIMIT ?').pluck(),
      take: prepare('UPDATE absent SET taken = 1, moved = ? WHERE guid = ?'),
      notMovedAfter: prepare('SELECT seq, value, taken FROM absent WHERE here = 1 AND moved = 0 AND seq > ? ORDER BY seq LIMIT ?').raw(true),
      hasAbsent: prepare('SELECT EXISTS (SELECT 1 FROM absent)').pluck(),
      insertPresence: prepare('INSERT INTO presence (seq, kind, key) VALUES (?, ?, ?)'),
      presenceAfter: prepare('SELECT seq, key FROM presence WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?').raw(true),
    };
  }

  /** The heap's rows, moved here as they are (taken and moved marks included). */
  static from<T>(held: HeldRows<T>): SpilledRows<T> {
    const spilled = new SpilledRows<T>();
    spilled.atomically(() => {
      for (const row of held.plannedRows) if (row.value !== null) spilled.addPlanned(row.seq, row.unknown, row.value);
      for (const row of held.absentRows.values()) spilled.insertAbsent(row);
      for (const row of held.presenceRows) spilled.addPresence(row.seq, row.kind, row.key);
    });
    return spilled;
  }

  addPlanned(seq: number, unknown: boolean, value: T): void {
    this.statements.insert.run(seq, unknown ? 1 : 0, JSON.stringify(value));
    this.count += 1;
  }

  planned(afterSeq: number, limit: number, unknownOnly: boolean): SpilledFile<T>[] {
    const rows = (unknownOnly ? this.statements.unknownAfter : this.statements.pageAfter).all(afterSeq, limit) as [number, string][];
    return rows.map(([seq, value]) => ({ seq, value: JSON.parse(value) as T }));
  }

  settle(seq: number, value: T | null): void {
    if (value === null) this.statements.remove.run(seq);
    else this.statements.update.run(JSON.stringify(value), seq);
  }

  addAbsent(seq: number, file: KnownFileIdentity, origin: AbsentOrigin): void {
    this.insertAbsent({ seq, file, here: origin === 'here', taken: false, moved: false });
  }

  get hasAbsent(): boolean {
    return this.statements.hasAbsent.get() === 1;
  }

  absentAt(device: number, inode: number): KnownFileIdentity | undefined {
    const value = this.statements.atPlace.get(device, inode) as string | undefined;
    return value === undefined ? undefined : (JSON.parse(value) as KnownFileIdentity);
  }

  absentOfSize(sizeBytes: number, limit: number): KnownFileIdentity[] {
    return (this.statements.ofSize.all(sizeBytes, limit) as string[]).map((value) => JSON.parse(value) as KnownFileIdentity);
  }

  take(guid: string, moved: boolean): void {
    this.statements.take.run(moved ? 1 : 0, guid);
  }

  notMoved(afterSeq: number, limit: number): AbsentRow[] {
    return (this.statements.notMovedAfter.all(afterSeq, limit) as [number, string, number][])
      .map(([seq, value, taken]) => ({ seq, value: JSON.parse(value) as KnownFileIdentity, taken: taken === 1 }));
  }

  addPresence(seq: number, kind: PresenceKind, key: string): void {
    this.statements.insertPresence.run(seq, kind, key);
    this.count += 1;
  }

  presence(kind: PresenceKind, afterSeq: number, limit: number): { seq: number; key: string }[] {
    return (this.statements.presenceAfter.all(kind, afterSeq, limit) as [number, string][]).map(([seq, key]) => ({ seq, key }));
  }

  atomically<R>(work: () => R): R {
    return this.db.transaction(work)();
  }

  close(): void {
    this.db.close();
  }

  private insertAbsent(row: HeldAbsent): void {
    const { file } = row;
    const inserted = this.statements.insertAbsent.run({
      seq: row.seq, guid: file.guid, here: row.here ? 1 : 0, device: file.deviceId, inode: file.inode, size: file.sizeBytes,
      hashed: file.hash === '' ? 0 : 1, taken: row.taken ? 1 : 0, moved: row.moved ? 1 : 0, value: JSON.stringify(file),
    });
    this.count += inserted.changes;
  }
}

/** What an import's plan keeps until it is used, a page at a time: in the heap while small, then on disk. */
export class PlanSpill<T> {
  private rows: PlanRows<T> = new HeldRows<T>();
  private lastSeq = 0;

  /** `heldRows`: how many rows stay in the heap before all go to disk (tests set 0 to plan on disk from the first row). */
  constructor(private readonly heldRows = spillAfterRows) {}

  /** Whether the rows went to disk. */
  get spilled(): boolean {
    return this.rows instanceof SpilledRows;
  }

  /** Adds files to analyse together (one folder's run). */
  add(files: readonly { value: T; unknown: boolean }[]): void {
    this.atomically(() => {
      for (const file of files) this.rows.addPlanned(++this.lastSeq, file.unknown, file.value);
    });
    this.spillIfLarge();
  }

  /** The files to analyse after `seq`, at most `limit`, in order. */
  page(afterSeq: number, limit: number): SpilledFile<T>[] {
    return this.rows.planned(afterSeq, limit, false);
  }

  /** The paths wkmp.db did not know, after `seq`, at most `limit`, in order. */
  unknownPage(afterSeq: number, limit: number): SpilledFile<T>[] {
    return this.rows.planned(afterSeq, limit, true);
  }

  /** Runs `work` as one transaction of the spill: a page's pairings take their absent files together. */
  atomically<R>(work: () => R): R {
    return this.rows.atomically(work);
  }

  /** Settles what files are (paired, or not analysed after all: `null`), together. */
  settle(files: readonly { seq: number; value: T | null }[]): void {
    this.atomically(() => {
      for (const file of files) this.rows.settle(file.seq, file.value);
    });
  }

  /** Known files no longer at their paths; a file already added (absent here and marked missing before) is kept once, as first added. */
  addAbsent(files: Iterable<KnownFileIdentity>, origin: AbsentOrigin): void {
    this.atomically(() => {
      for (const file of files) this.rows.addAbsent(++this.lastSeq, file, origin);
    });
    this.spillIfLarge();
  }

  get hasAbsent(): boolean {
    return this.rows.hasAbsent;
  }

  /** The absent file, not yet taken, that lived at this place on disk. */
  absentAt(device: number, inode: number): KnownFileIdentity | undefined {
    return this.rows.absentAt(device, inode);
  }

  /** Absent files of this size with a content hash to compare, not yet taken, at most `limit`, in the order added. */
  absentOfSize(sizeBytes: number, limit: number): KnownFileIdentity[] {
    return this.rows.absentOfSize(sizeBytes, limit);
  }

  /** An absent file is taken: moved here, or offered to one new path; it is never offered to another. */
  take(guid: string, moved: boolean): void {
    this.rows.take(guid, moved);
  }

  /** The files absent from the folders walked and not moved here, after `seq`: marked missing, or offline; `taken`: offered to a new path. */
  notMovedPage(afterSeq: number, limit: number): AbsentRow[] {
    return this.rows.notMoved(afterSeq, limit);
  }

  /** Audio files newly missing and unchanged ones back from missing (guids), and remembered other files gone (paths). */
  addPresence(kind: PresenceKind, keys: readonly string[]): void {
    this.atomically(() => {
      for (const key of keys) this.rows.addPresence(++this.lastSeq, kind, key);
    });
    this.spillIfLarge();
  }

  presencePage(kind: PresenceKind, afterSeq: number, limit: number): { seq: number; key: string }[] {
    return this.rows.presence(kind, afterSeq, limit);
  }

  close(): void {
    this.rows.close();
  }

  private spillIfLarge(): void {
    if (this.rows instanceof HeldRows && this.rows.count > this.heldRows) this.rows = SpilledRows.from(this.rows);
  }
}
