/**
 * `passages.additional_metadata`: what analysis keeps of a passage beside its timing
 * (analysis/build-record.ts writes it): the Chromaprint fingerprint AcoustID takes, for a passage
 * of 10 s or more. Read back by identification, which fingerprints nothing itself.
 */
import { number, object, optional, readJsonColumn, string, type Stored } from './check.js';

/** The Chromaprint fingerprint AcoustID takes, as a passage keeps it. */
export interface PassageFingerprint {
  /** Chromaprint's compressed, base64 form, as fpcalc prints it and AcoustID takes it. */
  fingerprint: string;
  durationSeconds: number;
}

export interface AdditionalMetadata {
  chromaprint?: PassageFingerprint;
}

const additionalMetadata = object<AdditionalMetadata>({
  chromaprint: optional(object<PassageFingerprint>({ fingerprint: string, durationSeconds: number })),
});

export function parseAdditionalMetadata(text: string): Stored<AdditionalMetadata> {
  return readJsonColumn('passages.additional_metadata', text, additionalMetadata);
}
