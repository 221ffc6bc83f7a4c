import { describe, expect, it } from 'vitest';
import { acousticBrainzCharacteristics, recordingFlavor, submissionFlavor } from './acousticbrainz.js';
import { composePassageFlavor, flavorSources } from './compose.js';
import { unbalanced } from './flavor.js';
import type { AudioFeatures } from '../stored/additional-metadata.js';

/** A high-level document as AcousticBrainz serves it (its API and its dumps): every classifier, in its shape. */
function document(danceable: number, lengthSeconds: number | null = 200): Record<string, unknown> {
  const model = (all: Record<string, number>) => {
    const [value, probability] = Object.entries(all).sort((a, b) => b[1] - a[1])[0]!;
    return { all, probability, value, version: { essentia: '2.1-beta1', extractor: 'music 1.0', gaia: '2.4-dev', models_essentia_git_sha: 'v2.1_beta1' } };
  };
  const pair = (a: string, b: string, p: number) => model({ [a]: p, [b]: 1 - p });
  const even = (...names: string[]) => model(Object.fromEntries(names.map((name) => [name, 1 / names.length])));
  return {
    highlevel: {
      danceability: pair('danceable', 'not_danceable', danceable), gender: pair('female', 'male', 0.4),
      genre_dortmund: even('alternative', 'blues', 'electronic', 'folkcountry', 'funksoulrnb', 'jazz', 'pop', 'raphiphop', 'rock'),
      genre_electronic: even('ambient', 'dnb', 'house', 'techno', 'trance'), genre_rosamerica: even('cla', 'dan', 'hip', 'jaz', 'pop', 'rhy', 'roc', 'spe'),
      genre_tzanetakis: even('blu', 'cla', 'cou', 'dis', 'hip', 'jaz', 'met', 'pop', 'reg', 'roc'),
      ismir04_rhythm: even('ChaChaCha', 'Jive', 'Quickstep', 'Rumba-American', 'Rumba-International', 'Rumba-Misc', 'Samba', 'Tango', 'VienneseWaltz', 'Waltz'),
      mood_acoustic: pair('acoustic', 'not_acoustic', 0.7), mood_aggressive: pair('aggressive', 'not_aggressive', 0.1), mood_electronic: pair('electronic', 'not_electronic', 0.2),
      mood_happy: pair('happy', 'not_happy', 0.6), mood_party: pair('not_party', 'party', 0.8), mood_relaxed: pair('not_relaxed', 'relaxed', 0.3), mood_sad: pair('not_sad', 'sad', 0.7),
      moods_mirex: even('Cluster1', 'Cluster2', 'Cluster3', 'Cluster4', 'Cluster5'), timbre: pair('bright', 'dark', 0.5), tonal_atonal: pair('atonal', 'tonal', 0.1),
      voice_instrumental: pair('instrumental', 'voice', 0.9),
    },
    metadata: { audio_properties: lengthSeconds === null ? {} : { length: lengthSeconds, codec: 'flac' }, version: { highlevel: {}, lowlevel: {} } },
  };
}

describe('a recording\'s flavor from AcousticBrainz', () => {
  it('takes every classifier\'s distribution by its name, each summing to 1, and its probability as its confidence', () => {
    const submission = submissionFlavor(document(0.8))!;
    expect(Object.keys(submission.flavor).sort()).toEqual([...acousticBrainzCharacteristics].sort());
    expect(submission.flavor.danceability).toEqual({ danceable: 0.8, not_danceable: expect.closeTo(0.2, 12) as unknown });
    expect(unbalanced(submission.flavor)).toEqual([]);
    expect(submission.probabilities.danceability).toBe(0.8);
  });

  it('averages a recording\'s submissions, each counting once', () => {
    const flavor = recordingFlavor([document(0.8), document(0.4)])!;
    expect(flavor.submissions).toBe(2);
    expect(flavor.flavor.danceability!.danceable).toBeCloseTo(0.6, 12);
    expect(flavor.confidence.danceability).toBeCloseTo(0.7, 3);
  });

  it('leaves out, among three or more, a submission of another length (a file tagged with the wrong recording)', () => {
    const flavor = recordingFlavor([document(0.8, 200), document(0.6, 203), document(0.1, 95)])!;
    expect(flavor.submissions).toBe(2);
    expect(flavor.flavor.danceability!.danceable).toBeCloseTo(0.7, 12);
  });

  it('passes over what is not a classifier\'s distribution, and gives nothing for a document without one', () => {
    const odd = document(0.8);
    (odd.highlevel as Record<string, unknown>).gender = { all: { female: 'lots', male: 0.1 } };
    (odd.highlevel as Record<string, unknown>).made_up_model = { all: { a: 0.5, b: 0.5 } };
    const flavor = submissionFlavor(odd)!.flavor;
    expect(flavor).not.toHaveProperty('gender');
    expect(flavor).not.toHaveProperty('made_up_model');
    expect(submissionFlavor({ highlevel: {} })).toBeNull();
    expect(submissionFlavor('not a document')).toBeNull();
    expect(recordingFlavor([{ metadata: {} }])).toBeNull();
  });
});

describe('a passage\'s flavor', () => {
  const features: AudioFeatures = {
    bpm: 128, bpm_confidence: 0.9, key: 'A', mode: 'minor', key_strength: 0.7, loudness_lufs: -11, loudness_range_lu: 5,
    spectral_centroid_hz: 1800, onset_rate: 4, dynamic_complexity: 3, danceability: 1.4,
  };

  it('holds its recordings\' runtime-weighted centroid beside its own characteristics, with both sources, whole', () => {
    const a = recordingFlavor([document(0.9)])!;
    const b = recordingFlavor([document(0.3)])!;
    const passage = composePassageFlavor({ features, recordings: [{ ...a, seconds: 300 }, { ...b, seconds: 100 }] })!;
    expect(passage.sources).toEqual([flavorSources.acousticBrainz, flavorSources.local]);
    expect(passage.vector.danceability!.danceable).toBeCloseTo(0.75, 6);
    expect(passage.vector['wkmp.tempo']).toBeDefined();
    expect(passage.completeness).toBe(1);
    expect(passage.confidence['wkmp.tempo']).toBe(0.9);
    expect(passage.confidence.danceability).toBeCloseTo((0.9 * 300 + 0.7 * 100) / 400, 3);
    expect(unbalanced(passage.vector)).toEqual([]);
  });

  it('is its own characteristics alone for an unidentified passage, and AcousticBrainz\'s alone without analysis; nothing without either', () => {
    const local = composePassageFlavor({ features, recordings: [] })!;
    expect(local.sources).toEqual([flavorSources.local]);
    expect(local.completeness).toBeCloseTo(8 / 26, 3);
    const remote = composePassageFlavor({ features: null, recordings: [{ ...recordingFlavor([document(0.5)])!, seconds: 200 }] })!;
    expect(remote.sources).toEqual([flavorSources.acousticBrainz]);
    expect(composePassageFlavor({ features: null, recordings: [] })).toBeNull();
  });
});
