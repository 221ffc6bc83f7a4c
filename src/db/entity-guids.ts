/**
 * The guids of songs, artists, albums and works the recorder has committed, by MBID: a writer
 * that knows an entity exists skips its get-or-create, which would otherwise rewrite the row
 * (ON CONFLICT DO UPDATE) once per file that credits it. Kept in step with commits: what a file
 * adds is staged with its savepoint and kept only if the file, then the batch, commits.
 */
export type EntityKind = 'song' | 'artist' | 'album' | 'work';

type GuidsByMbid = Map<string, string>;

function emptyMaps(): Record<EntityKind, GuidsByMbid> {
  return { song: new Map(), artist: new Map(), album: new Map(), work: new Map() };
}

export class EntityGuids {
  private committed = emptyMaps();
  private batch = emptyMaps();
  private file = emptyMaps();

  get(kind: EntityKind, mbid: string): string | undefined {
    return this.file[kind].get(mbid) ?? this.batch[kind].get(mbid) ?? this.committed[kind].get(mbid);
  }

  stage(kind: EntityKind, mbid: string, guid: string): void {
    this.file[kind].set(mbid, guid);
  }

  /** The file's savepoint was released: its entities belong to the batch. */
  keepFile(): void {
    for (const kind of Object.keys(this.file) as EntityKind[]) for (const [mbid, guid] of this.file[kind]) this.batch[kind].set(mbid, guid);
    this.file = emptyMaps();
  }

  /** The file's savepoint was rolled back. */
  dropFile(): void {
    this.file = emptyMaps();
  }

  /** The batch committed. */
  keepBatch(): void {
    for (const kind of Object.keys(this.batch) as EntityKind[]) for (const [mbid, guid] of this.batch[kind]) this.committed[kind].set(mbid, guid);
    this.batch = emptyMaps();
  }

  /** The batch was rolled back, or another service may have deleted a row we knew: forget it all. */
  clear(): void {
    this.committed = emptyMaps();
    this.batch = emptyMaps();
    this.file = emptyMaps();
  }

  dropBatch(): void {
    this.batch = emptyMaps();
    this.file = emptyMaps();
  }
}
