import { describe, expect, it } from 'vitest';
import type { AudioFeatures } from '../stored/additional-metadata.js';
import { flavorDistance, flavorDistanceParts } from './distance.js';
import { kindOf, unbalanced } from './flavor.js';
import { keyClasses, localCharacteristics, localFlavor } from './local.js';

const song: AudioFeatures = {
  bpm: 120, bpm_confidence: 0.8, key: 'C', mode: 'major', key_strength: 0.8, loudness_lufs: -14, loudness_range_lu: 6,
  spectral_centroid_hz: 1400, onset_rate: 3.5, dynamic_complexity: 4, danceability: 1.3,
};

describe('the local characteristics of a passage', () => {
  it('gives every characteristic, binary and complex ones both, each summing to 1, with its confidence', () => {
    const { flavor, confidence } = localFlavor(song);
    expect(Object.keys(flavor).sort()).toEqual([...localCharacteristics].sort());
    expect(unbalanced(flavor)).toEqual([]);
    expect(new Set(Object.values(flavor).map(kindOf))).toEqual(new Set(['binary', 'complex']));
    expect(Object.keys(flavor['wkmp.key']!)).toEqual([...keyClasses]);
    expect(confidence).toMatchObject({ 'wkmp.tempo': 0.8, 'wkmp.key': 0.8, 'wkmp.loudness': 1 });
  });

  it('so that any two analysed passages share both kinds: their distance is made of what they are, never a part counted 1.0', () => {
    const other = localFlavor({ ...song, bpm: 70, key: 'F#', mode: 'minor', loudness_lufs: -28, spectral_centroid_hz: 500, onset_rate: 1, danceability: 0.8 });
    const parts = flavorDistanceParts(localFlavor(song).flavor, other.flavor);
    expect(parts.binaryShared).toBe(6);
    expect(parts.complexShared).toBe(2);
    expect(parts.distance).toBeGreaterThan(0.2);
    expect(parts.distance).toBeLessThan(1);
  });

  it('moves smoothly: a little faster, louder or brighter is a little further, never a jump at a bin\'s edge', () => {
    const base = localFlavor(song).flavor;
    const distances = [121, 125, 135, 150, 180].map((bpm) => flavorDistance(base, localFlavor({ ...song, bpm }).flavor));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(distances[0]!).toBeLessThan(0.001);
    const louder = [-13, -10, -6].map((lufs) => flavorDistance(base, localFlavor({ ...song, loudness_lufs: lufs }).flavor));
    expect(louder).toEqual([...louder].sort((a, b) => a - b));
  });

  it('hears a tempo an octave off as far as the octave, and a key by the circle of fifths: G is nearer C than F# is', () => {
    const c = localFlavor(song).flavor;
    const near = flavorDistance(c, localFlavor({ ...song, key: 'G' }).flavor);
    const far = flavorDistance(c, localFlavor({ ...song, key: 'F#' }).flavor);
    expect(near).toBeLessThan(far);
    // A minor is C major's relative: the same place on the circle, another mode.
    const relative = localFlavor({ ...song, key: 'A', mode: 'minor' }).flavor;
    expect(relative['wkmp.key']).toEqual(c['wkmp.key']);
    expect(relative['wkmp.mode']!.minor).toBeGreaterThan(0.5);
  });

  it('says less where the measure is unsure: a weak key spreads over the circle', () => {
    const sure = localFlavor(song).flavor['wkmp.key']!;
    const unsure = localFlavor({ ...song, key_strength: 0.1 }).flavor['wkmp.key']!;
    expect(sure['C/Am']!).toBeGreaterThan(unsure['C/Am']!);
    expect(Math.max(...Object.values(unsure))).toBeLessThan(0.2);
  });

  it('leaves out what could not be measured: no beat, no key, silence', () => {
    const nothing = localFlavor({ ...song, bpm: null, key: null, mode: null, loudness_lufs: null });
    expect(Object.keys(nothing.flavor)).toEqual([]);
    expect(Object.keys(localFlavor({ ...song, bpm: null }).flavor)).not.toContain('wkmp.tempo');
  });
});
