import { describe, expect, it } from 'vitest';
import { weightedCentroid } from './centroid.js';
import { flavorDistance, flavorDistanceParts } from './distance.js';
import { firstClass, unbalanced, type Flavor } from './flavor.js';

// SPEC003's worked example (MFL-CALC): two passages, characteristics only one of them has, and class
// names that differ between them (Rumba, VienneseWaltz), all ignored as the spec says.
const passageA: Flavor = {
  danceability: { danceable: 0.17, not_danceable: 0.83 },
  gender: { female: 0.9, male: 0.1 },
  mood_relaxed: { not_relaxed: 0.74, relaxed: 0.26 },
  xenophobia: { not_xenophobic: 0.98, xenophobic: 0.02 },
  genre_electronic: { ambient: 0.11, dnb: 0.03, house: 0.47, techno: 0.02, trance: 0.37 },
  ismir04_rhythm: {
    ChaChaCha: 0.02, Jive: 0.04, Quickstep: 0.08, 'Rumba-American': 0.16, 'Rumba-International': 0.32, 'Rumba-Misc': 0.09,
    Samba: 0.07, Tango: 0.05, VienneseWaltz: 0.03, Waltz: 0.14,
  },
};
const passageB: Flavor = {
  danceability: { danceable: 0.93, not_danceable: 0.07 },
  gender: { female: 0.33, male: 0.67 },
  mood_relaxed: { not_relaxed: 0.78, relaxed: 0.22 },
  animal_affinity: { bird: 0.94, cat: 0.01, dog: 0.05 },
  genre_electronic: { ambient: 0.11, dnb: 0.03, house: 0.01, techno: 0.82, trance: 0.03 },
  ismir04_rhythm: { ChaChaCha: 0.02, Jive: 0.13, Quickstep: 0.36, Rumba: 0.23, Samba: 0.07, Tango: 0.05, Waltz: 0.14 },
};

describe('the SPEC003 flavor distance', () => {
  it('gives SPEC003\'s worked example: 0.2026475', () => {
    const parts = flavorDistanceParts(passageA, passageB);
    expect(parts.binary).toBeCloseTo(0.9041 / 3, 12);
    expect(parts.complex).toBeCloseTo((0.9672 / 5 + 0.0865 / 6) / 2, 12);
    expect(parts.distance).toBeCloseTo(0.2026475, 9);
    expect([parts.binaryShared, parts.complexShared]).toEqual([3, 2]);
    expect(flavorDistance(passageB, passageA)).toBeCloseTo(0.2026475, 9);
  });

  it('compares a binary characteristic by its first class in name order, whatever order its JSON came in', () => {
    expect(firstClass({ relaxed: 0.26, not_relaxed: 0.74 })).toBe('not_relaxed');
    const reordered = { ...passageA, mood_relaxed: { relaxed: 0.26, not_relaxed: 0.74 } };
    expect(flavorDistance(reordered, passageB)).toBeCloseTo(0.2026475, 9);
  });

  it('is 0 from a flavor to itself, and 1.0 between flavors with nothing in common (MFL-EDGE-021)', () => {
    expect(flavorDistance(passageA, passageA)).toBe(0);
    expect(flavorDistance({ a: { x: 1, y: 0 } }, { b: { x: 1, y: 0 } })).toBe(1);
    expect(flavorDistance({}, passageA)).toBe(1);
  });

  it('counts a part with nothing shared as 1.0 (MFL-EDGE-011, -013)', () => {
    const binaryOnly = { danceability: passageA.danceability! };
    const onlyBinary = flavorDistanceParts(binaryOnly, passageB);
    expect(onlyBinary).toMatchObject({ complex: 1, binaryShared: 1, complexShared: 0 });
    expect(onlyBinary.binary).toBeCloseTo((0.17 - 0.93) ** 2, 12);
    const onlyComplex = flavorDistanceParts({ genre_electronic: passageA.genre_electronic! }, passageB);
    expect(onlyComplex).toMatchObject({ binary: 1, binaryShared: 0, complexShared: 1 });
    expect(onlyComplex.complex).toBeCloseTo(0.9672 / 5, 12);
  });

  it('leaves out a complex characteristic whose classes have no name in common (MFL-EDGE-012)', () => {
    const a = { moods: { happy: 0.5, sad: 0.3, calm: 0.2 }, genre_electronic: passageA.genre_electronic! };
    const b = { moods: { joyful: 0.5, gloomy: 0.3, still: 0.2 }, genre_electronic: passageB.genre_electronic! };
    const parts = flavorDistanceParts(a, b);
    expect(parts.complexShared).toBe(1);
    expect(parts.complex).toBeCloseTo(0.9672 / 5, 12);
  });

  it('flags a characteristic whose classes do not sum to 1 within (0.9999, 1.0001) (MFL-DEF-040)', () => {
    expect(unbalanced(passageA)).toEqual([]);
    expect(unbalanced({ a: { x: 0.5, y: 0.49 }, b: { x: 0.49995, y: 0.50004 } })).toEqual(['a']);
  });
});

describe('the weighted centroid of several recordings (MFL-MULT)', () => {
  it('weights each recording by its runtime, over the recordings that have each characteristic, as SPEC003\'s example', () => {
    // 287 s of A, 372 s of B, 304 s of C; only A and C have danceability.
    const a = { danceability: { danceable: 0.8, not_danceable: 0.2 }, mood_sad: { not_sad: 0.6, sad: 0.4 } };
    const b = { mood_sad: { not_sad: 0.2, sad: 0.8 } };
    const c = { danceability: { danceable: 0.3, not_danceable: 0.7 }, mood_sad: { not_sad: 0.9, sad: 0.1 } };
    const centroid = weightedCentroid([{ flavor: a, weight: 287 }, { flavor: b, weight: 372 }, { flavor: c, weight: 304 }]);
    expect(centroid.danceability!.danceable).toBeCloseTo((0.8 * 287 + 0.3 * 304) / (287 + 304), 12);
    expect(centroid.mood_sad!.not_sad).toBeCloseTo((0.6 * 287 + 0.2 * 372 + 0.9 * 304) / 963, 12);
    expect(unbalanced(centroid)).toEqual([]);
  });

  it('makes a complex characteristic sum to 1 again, as SPEC004\'s unweighted example (E sums to 1.049 before)', () => {
    // E1, E2, E3 means over the flavors that have each class: 0.43, 0.245, 0.374.
    const flavors: Flavor[] = [
      { E: { E1: 0.43, E2: 0.2, E3: 0.37 } },
      { E: { E1: 0.43, E2: 0.29, E3: 0.378 } },
    ];
    const centroid = weightedCentroid(flavors.map((flavor) => ({ flavor, weight: 1 })));
    expect(centroid.E!.E1).toBeCloseTo(0.43 / 1.049, 12);
    expect(centroid.E!.E2).toBeCloseTo(0.245 / 1.049, 12);
    expect(centroid.E!.E3).toBeCloseTo(0.374 / 1.049, 12);
  });

  it('is a single recording\'s flavor when there is one, and nothing for no weight', () => {
    expect(weightedCentroid([{ flavor: passageA, weight: 100 }])).toEqual(passageA);
    expect(weightedCentroid([{ flavor: passageA, weight: 0 }])).toEqual({});
  });
});
