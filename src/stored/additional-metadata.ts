/**
 * `passages.additional_metadata`: what analysis keeps of a passage beside its timing
 * (analysis/build-record.ts writes it): the Chromaprint fingerprint AcoustID takes, for a passage
 * of 10 s or more, read back by identification, which fingerprints nothing itself; and the audio
 * descriptors a full analysis measures of every passage, from which its local flavor is made
 * (flavor/local.ts), read back whenever a passage's flavor is made again.
 */
import { nullable, number, object, oneOf, optional, readJsonColumn, string, type Stored } from './check.js';

/** The Chromaprint fingerprint AcoustID takes, as a passage keeps it. */
export interface PassageFingerprint {
  /** Chromaprint's compressed, base64 form, as fpcalc prints it and AcoustID takes it. */
  fingerprint: string;
  durationSeconds: number;
}

/** The twelve pitch classes, in the names `key` takes. */
export const pitchClasses = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] as const;
export type PitchClass = (typeof pitchClasses)[number];

/**
 * What a full analysis measures of a passage's sound (analysis/features/), each defined in
 * docs/flavor.md. Null where the passage gives nothing to measure (no beat, no pitch, silence).
 */
export interface AudioFeatures {
  /** Beats per minute of the strongest periodicity of the onset envelope, 40-220. */
  bpm: number | null;
  /** How clearly that periodicity stands out, 0-1. */
  bpm_confidence: number;
  key: PitchClass | null;
  mode: 'major' | 'minor' | null;
  /** The correlation of the passage's chroma with the key's profile, 0-1. */
  key_strength: number;
  /** EBU R128 integrated loudness of the analysed signal, LUFS; null for silence. */
  loudness_lufs: number | null;
  /** EBU R128 loudness range (Tech 3342), LU. */
  loudness_range_lu: number;
  /** Mean spectral centroid, Hz (of the analysis signal, 11025 Hz: below 5.5 kHz). */
  spectral_centroid_hz: number;
  /** Onsets per second. */
  onset_rate: number;
  /** Mean absolute deviation of the loudness from its global level, dB (Streich). */
  dynamic_complexity: number;
  /** Detrended fluctuation analysis of the loudness envelope (Streich & Herrera), 0 to about 3. */
  danceability: number;
}

export interface AdditionalMetadata {
  chromaprint?: PassageFingerprint;
  audio_features?: AudioFeatures;
}

const audioFeatures = object<AudioFeatures>({
  bpm: nullable(number),
  bpm_confidence: number,
  key: nullable(oneOf(...pitchClasses)),
  mode: nullable(oneOf('major', 'minor')),
  key_strength: number,
  loudness_lufs: nullable(number),
  loudness_range_lu: number,
  spectral_centroid_hz: number,
  onset_rate: number,
  dynamic_complexity: number,
  danceability: number,
});

const additionalMetadata = object<AdditionalMetadata>({
  chromaprint: optional(object<PassageFingerprint>({ fingerprint: string, durationSeconds: number })),
  audio_features: optional(audioFeatures),
});

export function parseAdditionalMetadata(text: string): Stored<AdditionalMetadata> {
  return readJsonColumn('passages.additional_metadata', text, additionalMetadata);
}
