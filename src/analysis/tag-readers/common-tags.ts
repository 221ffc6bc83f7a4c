/**
 * The common tags a tags pass uses, from a file's native tags, by music-metadata's rules
 * (lib/common/MetadataCollector.js, 11.x), so that a file reads the same whichever reader read it
 * (docs/adr/0009). Only what analysis/tags.ts uses is kept: the title, artists, album, dates,
 * track, work and MusicBrainz ids.
 */

/** A native tag as its container names it (`TITLE`, `TPE1`, `TXXX:MusicBrainz Album Id`, `©nam`). */
export interface NativeTag {
  id: string;
  value: string;
}

type CommonId =
  | 'title' | 'artist' | 'artists' | 'album' | 'date' | 'year' | 'originaldate' | 'originalyear' | 'track' | 'work'
  | 'musicbrainz_recordingid' | 'musicbrainz_artistid' | 'musicbrainz_albumid' | 'musicbrainz_workid';

/** A native id (upper case) to the common tag it is. */
export type TagMap = Readonly<Record<string, CommonId>>;

/** The common tags analysis/tags.ts reads: the same names and shapes as music-metadata's `common`. */
export interface CommonTags {
  title?: string;
  artist?: string;
  artists?: string[];
  album?: string;
  date?: string;
  year?: number;
  originaldate?: string;
  originalyear?: number;
  track: { no: number | null };
  work?: string;
  musicbrainz_recordingid?: string;
  musicbrainz_artistid?: string[];
  musicbrainz_albumid?: string;
  musicbrainz_workid?: string;
}

/** Tags that hold a list; `unique` ones keep a value once. The rest hold one value, the last one given. */
const lists: Partial<Record<CommonId, { unique: boolean }>> = { artists: { unique: true }, musicbrainz_artistid: { unique: false } };

/** The file's own tags outrank what is derived from them (music-metadata's 'artificial' origin, priority 500). */
const nativePriority = 1;
const derivedPriority = 500;

/** `A & B`, `A, B & C`: music-metadata's artist from a list of artists. */
function joinArtists(artists: readonly string[]): string {
  return artists.length > 2 ? `${artists.slice(0, -1).join(', ')} & ${artists.at(-1)!}` : artists.join(' & ');
}

class Collector {
  readonly common: CommonTags = { track: { no: null } };
  private readonly origin = new Map<CommonId, number>();

  add(id: CommonId, value: string): void {
    switch (id) {
      case 'artist':
        this.singularArtist(nativePriority, value);
        return;
      case 'artists':
        this.pluralArtist(nativePriority, value);
        return;
      case 'track':
        this.common.track = { no: Number.parseInt(value.split('/')[0]!, 10) || null };
        return;
      case 'year':
      case 'originalyear':
        this.set(nativePriority, id, Number.parseInt(value, 10));
        return;
      case 'date': {
        const year = Number.parseInt(value.slice(0, 4), 10);
        if (!Number.isNaN(year)) this.common.year = year;
        this.set(nativePriority, id, value);
        return;
      }
      default:
        this.set(nativePriority, id, value);
    }
  }

  /** An artist given twice by the same tags is a list of artists. */
  private singularArtist(priority: number, value: string): void {
    if (this.origin.get('artist') === priority) {
      this.pluralArtist(derivedPriority, value);
      return;
    }
    if (this.common.artists === undefined) this.set(derivedPriority, 'artists', value);
    this.set(priority, 'artist', value);
  }

  /** A list of artists names the artist too, when no tag of its own did. */
  private pluralArtist(priority: number, value: string): void {
    if (this.common.artist === undefined || this.origin.get('artist') === derivedPriority) {
      if (this.common.artists === undefined || !this.common.artists.includes(value)) {
        this.set(derivedPriority, 'artist', joinArtists([...this.common.artists ?? [], value]));
      }
    }
    this.set(priority, 'artists', value);
  }

  private set(priority: number, id: CommonId, value: string | number): void {
    const held = this.origin.get(id) ?? 1000;
    const fields = this.common as unknown as Record<CommonId, unknown>;
    const list = lists[id];
    if (list === undefined) {
      if (priority > held) return;
      fields[id] = value;
      this.origin.set(id, priority);
    } else if (priority === held) {
      const values = fields[id] as unknown[];
      if (!list.unique || !values.includes(value)) values.push(value);
    } else if (priority < held) {
      fields[id] = [value];
      this.origin.set(id, priority);
    }
  }
}

/** The common tags of `tags`, read in order through `map` (keys in upper case; ids are compared in upper case). */
export function commonTagsOf(tags: readonly NativeTag[], map: TagMap): CommonTags {
  const collector = new Collector();
  for (const tag of tags) {
    const id = map[tag.id.toUpperCase()];
    if (id !== undefined) collector.add(id, tag.value);
  }
  return collector.common;
}
