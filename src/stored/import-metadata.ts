/**
 * `passages.import_metadata`: how analysis found a passage (analysis/build-record.ts writes it),
 * with the parameters it used and what it measured. Read back by identification (was the passage
 * cut by a cue sheet? which silences inside it were not made boundaries?) and by the file page
 * (those silences, drawn). Rows of analysis version 1 (boundaries named by a word) and rows other
 * services write are unreadable here: their readers do without.
 */
import { arrayOf, boolean, nullable, number, object, oneOf, optional, readJsonColumn, recordOf, string, type Check, type Stored } from './check.js';

/** A candidate song boundary inside the passage that analysis did not make one, and why (analysis/song-boundaries.ts GapVerdict). */
export interface RejectedGap {
  startTicks: number;
  endTicks: number;
  verdict: string;
}

/** The cue-sheet track a passage plays, when a sheet (beside the file, inside it, or a release plan) cut it. */
export interface CueOrigin {
  /** The sheet's path, `embedded`, or `MusicBrainz release <mbid>`. */
  sheet: string;
  track: number;
  album: { title: string | null; performer: string | null; date: string | null; genre: string | null };
}

export interface PassageBoundaries extends Partial<CueOrigin> {
  /** What cut the passage: silences, a cue sheet's tracks, or (tags only) the container's duration. */
  source: 'silence' | 'cue sheet' | 'container duration';
  /** A full analysis's: the silence threshold used, the noise floor measured, whether the tags said one track. */
  thresholdDbfs?: number;
  noiseFloorDbfs?: number | null;
  oneTrack?: boolean;
  rejectedGaps?: RejectedGap[];
}

/** A lead-in or lead-out as measured (analysis/amplitude.ts LeadResult). */
export interface LeadMeasure {
  seconds: number;
  quickRamp: boolean;
  peak: number;
  thresholdRms: number;
}

export interface ImportMetadata {
  /** How far the file was analysed (file-record.ts AnalysisLevel: this module imports nothing of file-record.ts, which imports it). */
  analysis: 'tags' | 'full';
  /** ANALYSIS_VERSION when it was written. */
  analysisVersion: number;
  /** Its place among its file's passages. */
  passage: { number: number; of: number };
  boundaries: PassageBoundaries;
  /** The rest only from a full analysis: the decoder, the rate and window analysed at, the settings used, and the leads measured. */
  decoder?: string;
  sampleRate?: number;
  windowMs?: number;
  segmentation?: Record<string, number>;
  amplitude?: Record<string, number | boolean>;
  leadIn?: LeadMeasure;
  leadOut?: LeadMeasure;
}

const numberOrBoolean: Check<number | boolean> = (value, at) => (typeof value === 'boolean' ? value : number(value, at));
const leadMeasure = object<LeadMeasure>({ seconds: number, quickRamp: boolean, peak: number, thresholdRms: number });

const importMetadata = object<ImportMetadata>({
  analysis: oneOf('tags', 'full'),
  analysisVersion: number,
  passage: object<ImportMetadata['passage']>({ number, of: number }),
  boundaries: object<PassageBoundaries>({
    source: oneOf('silence', 'cue sheet', 'container duration'),
    thresholdDbfs: optional(number),
    noiseFloorDbfs: optional(nullable(number)),
    oneTrack: optional(boolean),
    rejectedGaps: optional(arrayOf(object<RejectedGap>({ startTicks: number, endTicks: number, verdict: string }))),
    sheet: optional(string),
    track: optional(number),
    album: optional(object<CueOrigin['album']>({ title: nullable(string), performer: nullable(string), date: nullable(string), genre: nullable(string) })),
  }),
  decoder: optional(string),
  sampleRate: optional(number),
  windowMs: optional(number),
  segmentation: optional(recordOf(number)),
  amplitude: optional(recordOf(numberOrBoolean)),
  leadIn: optional(leadMeasure),
  leadOut: optional(leadMeasure),
});

export function parseImportMetadata(text: string): Stored<ImportMetadata> {
  return readJsonColumn('passages.import_metadata', text, importMetadata);
}
