/**
 * Links a passage to its song, the song's artists and works, and the passage to its album, each
 * got or created by MBID: what a file's record does for embedded ids, and what identification does
 * for a passage it identified. Runs inside the recorder's transactions.
 */
import type { Statement } from 'better-sqlite3';
import type { PassageRecord } from '../file-record.js';
import type { EntityGuids, EntityKind } from './entity-guids.js';
import type { FileWrites } from './queries/file-writes.js';

export type LinkedPassage = Pick<PassageRecord, 'guid' | 'startTicks' | 'endTicks' | 'recording' | 'release'>;

export class EntityLinker {
  statements = 0;
  /** Whether a guid came from what this recorder committed rather than from the database. */
  usedKnownGuid = false;

  constructor(private readonly writes: FileWrites, private readonly entities: EntityGuids) {}

  private run(statement: Statement, ...params: unknown[]): void {
    this.statements += 1;
    statement.run(...params);
  }

  /** Get-or-create by MBID: from what this recorder committed, or one upsert that returns the guid. */
  private entityGuid(kind: EntityKind, mbid: string, upsert: Statement, ...params: unknown[]): string {
    const known = this.entities.get(kind, mbid);
    if (known !== undefined) {
      this.usedKnownGuid = true;
      return known;
    }
    this.statements += 1;
    const guid = (upsert.get(...params) as { guid: string }).guid;
    this.entities.stage(kind, mbid, guid);
    return guid;
  }

  /** Get-or-create the passage's song, artists, works and album by MBID, and link them. Returns songs linked. */
  link(passage: LinkedPassage): number {
    const w = this.writes;
    if (passage.release) {
      const r = passage.release;
      const albumGuid = this.entityGuid('album', r.mbid, w.upsertAlbum, r.guid, r.mbid, r.title, r.releaseDate);
      this.run(w.insertPassageAlbum, passage.guid, albumGuid);
    }
    const recording = passage.recording;
    if (!recording) return 0;
    const songGuid = this.entityGuid('song', recording.recordingMbid, w.upsertSong, recording.songGuid, recording.recordingMbid, recording.title);
    if (recording.artists.length > 0) this.run(w.deleteSongArtists, songGuid);
    for (const credit of recording.artists) {
      const artistGuid = this.entityGuid('artist', credit.mbid, w.upsertArtist, credit.guid, credit.mbid, credit.name);
      this.run(w.insertSongArtist, songGuid, artistGuid, credit.weight);
    }
    for (const work of recording.works) {
      const workGuid = this.entityGuid('work', work.mbid, w.upsertWork, work.guid, work.mbid, work.title);
      this.run(w.insertSongWork, songGuid, workGuid);
      this.run(w.setSongWork, workGuid, songGuid);
    }
    this.run(w.insertPassageSong, passage.guid, songGuid, 0, passage.endTicks - passage.startTicks);
    return 1;
  }
}
