/**
 * A musical flavor (WKMP's SPEC003): a set of characteristics, each a distribution over its classes
 * that sums to 1.0. Stored as `{"danceability": {"danceable": 0.7, "not_danceable": 0.3}, …}`. A
 * characteristic of two classes is binary, of three or more complex; the two kinds count apart in
 * the distance (distance.ts). AcousticBrainz's high-level classifiers are named as AcousticBrainz
 * names them; wkmp-ai's own, measured from the audio (local.ts), carry the `wkmp.` prefix, so that no
 * name of theirs can collide with AcousticBrainz's or a user's (SPEC003 MFL-UDEF).
 */

/** class → probability. */
export type Distribution = Readonly<Record<string, number>>;

/** characteristic → its distribution. */
export type Flavor = Readonly<Record<string, Distribution>>;

export type CharacteristicKind = 'binary' | 'complex';

export function kindOf(distribution: Distribution): CharacteristicKind {
  return Object.keys(distribution).length === 2 ? 'binary' : 'complex';
}

/**
 * The class a binary characteristic is compared by (SPEC003 MFL-CALC-012: "only the first value"):
 * the first class name in code-point order, whatever order the JSON came in. SPEC003's example takes
 * danceable, female, not_relaxed: each the first so ordered, as AcousticBrainz also writes them.
 */
export function firstClass(distribution: Distribution): string {
  return Object.keys(distribution).sort()[0]!;
}

/** SPEC003 MFL-DEF-040: a sum outside (0.9999, 1.0001) is flagged. */
export function sumIsOne(distribution: Distribution): boolean {
  const sum = Object.values(distribution).reduce((total, value) => total + value, 0);
  return sum > 0.9999 && sum < 1.0001;
}

/** The characteristics whose classes do not sum to 1 (a warning, SPEC003 MFL-DEF-040). */
export function unbalanced(flavor: Flavor): string[] {
  return Object.entries(flavor).filter(([, distribution]) => !sumIsOne(distribution)).map(([name]) => name);
}

/** A distribution made to sum to 1 (classes of weight 0 kept at 0); null when every class is 0. */
export function normalised(weights: Readonly<Record<string, number>>): Record<string, number> | null {
  const sum = Object.values(weights).reduce((total, value) => total + value, 0);
  if (!(sum > 0)) return null;
  return Object.fromEntries(Object.entries(weights).map(([name, value]) => [name, value / sum]));
}

/** The values rounded for storage: six decimals keep every distance to within 1e-6 and the JSON short. */
export function rounded(flavor: Flavor): Flavor {
  return Object.fromEntries(Object.entries(flavor).map(([name, distribution]) => [
    name, Object.fromEntries(Object.entries(distribution).map(([key, value]) => [key, Math.round(value * 1e6) / 1e6])),
  ]));
}
