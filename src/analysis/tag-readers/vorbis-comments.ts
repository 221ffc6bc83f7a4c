/**
 * Vorbis comments (Ogg Vorbis, Opus, FLAC), read as music-metadata reads them: `KEY=value`, the
 * key in upper case, in the order written; cover pictures skipped.
 */
import { uint32LE, utf8 } from '../bytes.js';
import type { NativeTag, TagMap } from './common-tags.js';

/** music-metadata's Vorbis names (lib/ogg/vorbis/VorbisTagMapper.js) of the common tags analysis/tags.ts uses. */
export const vorbisTagMap: TagMap = {
  TITLE: 'title', ARTIST: 'artist', ARTISTS: 'artists', DISCOGS_ARTISTS: 'artists', DISCOGS_ARTIST_NAME: 'artists', ALBUM: 'album',
  DATE: 'date', DISCOGS_RELEASED: 'date', ORIGINALDATE: 'originaldate', DISCOGS_DATE: 'originaldate', ORIGINALYEAR: 'originalyear',
  TRACKNUMBER: 'track', WORK: 'work', MUSICBRAINZ_TRACKID: 'musicbrainz_recordingid', MUSICBRAINZ_ALBUMID: 'musicbrainz_albumid',
  MUSICBRAINZ_ARTISTID: 'musicbrainz_artistid', MUSICBRAINZ_WORKID: 'musicbrainz_workid',
};

/** The comments of a comment block (vendor string, count, then each comment); null when it runs past its bytes. */
export function readVorbisComments(block: Uint8Array): NativeTag[] | null {
  if (block.length < 8) return null;
  let at = 4 + uint32LE(block, 0);
  if (at + 4 > block.length) return null;
  const count = uint32LE(block, at);
  at += 4;
  const tags: NativeTag[] = [];
  for (let i = 0; i < count; i += 1) {
    if (at + 4 > block.length) return null;
    const length = uint32LE(block, at);
    at += 4;
    if (at + length > block.length) return null;
    const comment = utf8(block.subarray(at, at + length));
    at += length;
    const equals = comment.indexOf('=');
    const id = comment.slice(0, Math.max(0, equals)).toUpperCase();
    if (id !== 'METADATA_BLOCK_PICTURE') tags.push({ id, value: comment.slice(equals + 1) });
  }
  return tags;
}
