/**
 * The flavor distance of WKMP's SPEC003 (MFL-DIST, MFL-CALC, MFL-EDGE), as the Program Director
 * chooses passages by it: only the characteristics both flavors have count.
 *
 * - Binary part: over the binary characteristics both have, the mean squared difference of their
 *   first class (firstClass: the other is 1 minus it).
 * - Complex part: for each complex characteristic both have, the mean squared difference over the
 *   classes both have (names matched exactly; one with no class in common is left out); the part is
 *   the mean over those characteristics.
 * - A part with nothing shared counts 1.0 (MFL-EDGE-011, -013); the distance is the mean of the two
 *   parts, 0 for identical flavors, 1.0 for flavors with nothing in common (MFL-EDGE-021).
 */
import { firstClass, kindOf, type Distribution, type Flavor } from './flavor.js';

function meanSquaredDifference(a: Distribution, b: Distribution, keys: readonly string[]): number {
  let sum = 0;
  for (const key of keys) sum += (a[key]! - b[key]!) ** 2;
  return sum / keys.length;
}

export interface DistanceParts {
  binary: number;
  complex: number;
  distance: number;
  /** How many characteristics each part compared. */
  binaryShared: number;
  complexShared: number;
}

export function flavorDistanceParts(a: Flavor, b: Flavor): DistanceParts {
  const binary: number[] = [];
  const complex: number[] = [];
  for (const [name, ofA] of Object.entries(a)) {
    const ofB = b[name];
    if (ofB === undefined) continue;
    const kind = kindOf(ofA);
    if (kind !== kindOf(ofB)) continue; // one schema's binary is another's complex: not the same characteristic
    if (kind === 'binary') {
      const first = firstClass(ofA);
      if (first !== firstClass(ofB)) continue;
      binary.push((ofA[first]! - ofB[first]!) ** 2);
    } else {
      const shared = Object.keys(ofA).filter((key) => ofB[key] !== undefined);
      if (shared.length > 0) complex.push(meanSquaredDifference(ofA, ofB, shared));
    }
  }
  const binaryPart = binary.length === 0 ? 1 : binary.reduce((sum, value) => sum + value, 0) / binary.length;
  const complexPart = complex.length === 0 ? 1 : complex.reduce((sum, value) => sum + value, 0) / complex.length;
  return { binary: binaryPart, complex: complexPart, distance: (binaryPart + complexPart) / 2, binaryShared: binary.length, complexShared: complex.length };
}

export function flavorDistance(a: Flavor, b: Flavor): number {
  return flavorDistanceParts(a, b).distance;
}
