import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/seeded-random.js';
import { autocorrelation } from './rhythm.js';

describe('autocorrelation', () => {
  it('is Σ x[t]·x[t+lag] / (n − lag) of the mean-removed series, at every lag asked for that the series has', () => {
    const random = seededRandom(7);
    for (const length of [1, 2, 5, 100, 1000, 3001]) {
      const series = Float64Array.from({ length }, () => random() - 0.3);
      const mean = series.reduce((sum, x) => sum + x, 0) / length;
      const acf = autocorrelation(series, 522);
      expect(acf).toHaveLength(Math.min(523, length));
      acf.forEach((value, lag) => {
        let sum = 0;
        for (let t = 0; t + lag < length; t++) sum += (series[t]! - mean) * (series[t + lag]! - mean);
        expect(value).toBeCloseTo(sum / (length - lag), 12);
      });
    }
    expect(autocorrelation(new Float64Array(0), 10)).toHaveLength(0);
  });
});
