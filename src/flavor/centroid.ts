/**
 * The flavor of several flavors at once, weighted (SPEC003 MFL-MULT, SPEC004 MTA-WGHT): the union of
 * their characteristics, each class the weighted mean over the flavors that have that
 * characteristic, divided by the weights of those flavors only, then made to sum to 1 again. A
 * passage holding several recordings has their centroid, each weighted by its runtime in the passage.
 */
import { normalised, type Flavor } from './flavor.js';

export interface WeightedFlavor {
  flavor: Flavor;
  /** Runtime in seconds, or any positive weight. */
  weight: number;
}

export function weightedCentroid(parts: readonly WeightedFlavor[]): Flavor {
  const sums = new Map<string, { classes: Map<string, number>; weight: number }>();
  for (const { flavor, weight } of parts) {
    if (!(weight > 0)) continue;
    for (const [name, distribution] of Object.entries(flavor)) {
      const sum = sums.get(name) ?? { classes: new Map<string, number>(), weight: 0 };
      sum.weight += weight;
      for (const [key, value] of Object.entries(distribution)) sum.classes.set(key, (sum.classes.get(key) ?? 0) + value * weight);
      sums.set(name, sum);
    }
  }
  const centroid: Record<string, Record<string, number>> = {};
  for (const [name, { classes, weight }] of sums) {
    const mean = Object.fromEntries([...classes].map(([key, total]) => [key, total / weight]));
    const distribution = normalised(mean);
    if (distribution !== null) centroid[name] = distribution;
  }
  return centroid;
}
