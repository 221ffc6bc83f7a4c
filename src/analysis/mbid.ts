/** MusicBrainz ids as tags and cue sheets carry them (Picard writes them). */
const mbidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A tag value that is a well-formed MBID, lowercased; anything else is ignored rather than stored. */
export function asMbid(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const mbid = value.trim().toLowerCase();
  return mbidPattern.test(mbid) ? mbid : null;
}
