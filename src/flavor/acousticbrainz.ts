/**
 * A recording's flavor from AcousticBrainz's high-level documents (its API's bulk reply, or its
 * CC0 dumps): the `all` distribution of each of its 18 classifiers, by the classifier's name
 * (SPEC003). A recording analysed by several people has a document per submission: the flavor is
 * their mean, each submission counting once (docs/flavor.md says why), leaving out a submission
 * whose length is more than 15 % away from the others' median when there are three or more (a file
 * tagged with the wrong recording). Anything in a document that is not a classifier's distribution
 * of numbers is passed over: the documents come from a service wkmp-ai does not control.
 */
import { weightedCentroid } from './centroid.js';
import type { Flavor } from './flavor.js';

/** The high-level classifiers AcousticBrainz published, with their classes (acousticbrainz-server `admin/sql/create_models.sql`). */
export const acousticBrainzCharacteristics = [
  'danceability', 'gender', 'genre_dortmund', 'genre_electronic', 'genre_rosamerica', 'genre_tzanetakis', 'ismir04_rhythm',
  'mood_acoustic', 'mood_aggressive', 'mood_electronic', 'mood_happy', 'mood_party', 'mood_relaxed', 'mood_sad', 'moods_mirex',
  'timbre', 'tonal_atonal', 'voice_instrumental',
] as const;

const known = new Set<string>(acousticBrainzCharacteristics);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface SubmissionFlavor {
  flavor: Flavor;
  /** The classifiers' own probabilities (their `probability`), for the confidence map. */
  probabilities: Record<string, number>;
  /** The analysed file's length in seconds, when the document says. */
  lengthSeconds: number | null;
}

/** One submission's document (`{highlevel, metadata}`) as a flavor; null when it holds no classifier. */
export function submissionFlavor(document: unknown): SubmissionFlavor | null {
  if (!isRecord(document) || !isRecord(document.highlevel)) return null;
  const flavor: Record<string, Record<string, number>> = {};
  const probabilities: Record<string, number> = {};
  for (const [name, model] of Object.entries(document.highlevel)) {
    if (!known.has(name) || !isRecord(model) || !isRecord(model.all)) continue;
    const entries = Object.entries(model.all).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]) && entry[1] >= 0);
    if (entries.length < 2 || entries.length !== Object.keys(model.all).length) continue;
    flavor[name] = Object.fromEntries(entries);
    if (typeof model.probability === 'number' && Number.isFinite(model.probability)) probabilities[name] = model.probability;
  }
  if (Object.keys(flavor).length === 0) return null;
  const audio = isRecord(document.metadata) && isRecord(document.metadata.audio_properties) ? document.metadata.audio_properties : null;
  const lengthSeconds = audio !== null && typeof audio.length === 'number' && audio.length > 0 ? audio.length : null;
  return { flavor, probabilities, lengthSeconds };
}

export interface RecordingFlavor {
  flavor: Flavor;
  /** Per characteristic: the mean of the classifiers' probabilities over the submissions used. */
  confidence: Record<string, number>;
  /** How many submissions made it. */
  submissions: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The submissions a recording's flavor is the mean of: all, but for lengths far from the others'. */
function agreeing(submissions: readonly SubmissionFlavor[]): SubmissionFlavor[] {
  const lengths = submissions.flatMap((s) => (s.lengthSeconds === null ? [] : [s.lengthSeconds]));
  if (lengths.length < 3) return [...submissions];
  const middle = median(lengths);
  return submissions.filter((s) => s.lengthSeconds === null || Math.abs(s.lengthSeconds - middle) <= 0.15 * middle);
}

/** A recording's flavor from its submissions' documents (by offset, in any order); null when none holds a classifier. */
export function recordingFlavor(documents: readonly unknown[]): RecordingFlavor | null {
  const used = agreeing(documents.flatMap((document) => submissionFlavor(document) ?? []));
  if (used.length === 0) return null;
  const flavor = weightedCentroid(used.map((s) => ({ flavor: s.flavor, weight: 1 })));
  const confidence: Record<string, number> = {};
  for (const name of Object.keys(flavor)) {
    const given = used.flatMap((s) => (s.probabilities[name] === undefined ? [] : [s.probabilities[name]]));
    if (given.length > 0) confidence[name] = Math.round((given.reduce((sum, p) => sum + p, 0) / given.length) * 1000) / 1000;
  }
  return { flavor, confidence, submissions: used.length };
}
