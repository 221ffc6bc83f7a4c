/**
 * One transaction of identification results (identify/queue.ts): the replies that answered them,
 * for the cache, and every job's outcome, with the songs, artists, works and albums of the
 * passages identified. Many passages per transaction: an album's, or a batch's worth.
 */
import { EntityGuids } from './entity-guids.js';
import { EntityLinker, type LinkedPassage } from './entity-links.js';
import { prepareFileWrites } from './queries/file-writes.js';
import { perConnection, writeUnit, type WriteUnit } from './write-unit.js';
import { prepareIdentificationWrites, type AcoustIdReplyKey, type JobUpdate, type PassageJoin, type ReleasePlan } from './queries/identification.js';

export interface IdentificationUpdate {
  acoustIdReplies: { key: AcoustIdReplyKey; json: string }[];
  musicBrainz: { entity: 'release' | 'recording'; mbid: string; json: string }[];
  /** Passages of one song a silence split, joined before the jobs are written. */
  joins?: PassageJoin[];
  /** Files found to hold a whole release, with its tracks for the next import. */
  plans?: ReleasePlan[];
  /** With `link`, the passage's recording and release, written in place of what it had. */
  jobs: (JobUpdate & { link: LinkedPassage | null })[];
}

const prepared = perConnection((db) => ({ writes: prepareFileWrites(db), identification: prepareIdentificationWrites(db) }));

/**
 * The unit (write-unit.ts) of one update; its result is the songs linked. Entities are got or
 * created by upsert, without the import's cache of committed guids: the passages of one update
 * share them through a cache of its own, dropped with the transaction.
 */
export function recordIdentifications(update: IdentificationUpdate): WriteUnit<number> {
  return writeUnit('identification', `recording the identification of ${update.jobs.length} passages`, (db) => {
    const { writes, identification } = prepared(db);
    const linker = new EntityLinker(writes, new EntityGuids());
    for (const { key, json } of update.acoustIdReplies) identification.storeAcoustIdReply(key, json);
    for (const { entity, mbid, json } of update.musicBrainz) identification.storeMusicBrainz(entity, mbid, json);
    for (const join of update.joins ?? []) identification.joinPassages(join);
    for (const plan of update.plans ?? []) identification.planRelease(plan);
    let songs = 0;
    for (const { link, ...job } of update.jobs) {
      if (!identification.updateJob(job) || link === null) continue;
      // What an identification replaces: the passage's song and album links, with the statements a re-recorded passage uses.
      writes.deleteSongLinksOfPassage.run(link.guid);
      writes.deleteAlbumLinksOfPassage.run(link.guid);
      songs += linker.link(link);
    }
    return songs;
  });
}
