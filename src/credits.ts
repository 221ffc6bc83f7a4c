import type { ArtistCredit } from './file-record.js';
import { newGuid } from './guid.js';

/**
 * A song's credits: one per distinct artist, the credit shared equally so that the weights sum
 * to 1 (WKMP.md), each with a guid for a new artist row.
 */
export function shareCredit(artists: readonly { mbid: string; name: string }[]): ArtistCredit[] {
  const distinct = [...new Map(artists.map((artist) => [artist.mbid, artist])).values()];
  return distinct.map((artist) => ({ guid: newGuid(), mbid: artist.mbid, name: artist.name, weight: 1 / distinct.length }));
}
