/**
 * `wkmp_ai_identification_jobs.candidates`: what a Low or no match leaves for review, the best
 * first (identify/queue.ts writes it); the file page lists them.
 */
import { arrayOf, nullable, number, object, readJsonColumn, string, type Stored } from './check.js';

export interface ReviewCandidate {
  recordingMbid: string;
  title: string | null;
  /** The artist credit as MusicBrainz writes it, join phrases included. */
  artist: string;
  /** AcoustID's score, and ours (the score weighed by the duration: identify/choose.ts). */
  score: number;
  confidence: number;
  /** The first release AcoustID lists it on. */
  album: string | null;
}

const candidates = arrayOf(object<ReviewCandidate>({
  recordingMbid: string, title: nullable(string), artist: string, score: number, confidence: number, album: nullable(string),
}));

export function parseCandidates(text: string): Stored<ReviewCandidate[]> {
  return readJsonColumn('wkmp_ai_identification_jobs.candidates', text, candidates);
}
