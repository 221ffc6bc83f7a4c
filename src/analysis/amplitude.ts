/**
 * Lead-in and lead-out of one passage from its RMS envelope (WKMP.md "Lead-in / lead-out"). The
 * caller passes the passage's own windows, A-weighted or not (`amplitudeEnvelope`); `peak` is
 * their maximum and every threshold is relative to it.
 *
 * Lead-in: if the first window reaching peak·quickRampThreshold² starts less than
 * quickRampDurationS after the passage start, the passage ramps up quickly and the lead-in is 0;
 * otherwise it is the start of the first window reaching peak·10^(leadInThresholdDb/20), capped at
 * maxLeadInDurationS. Lead-out mirrors this from the end: a window's time is then measured from
 * its end to the passage end, so both sides are index · windowSeconds counted from their edge.
 */
import type { Envelope } from './envelope.js';

export interface AmplitudeOptions {
  rmsWindowMs: number;
  /** dB relative to the passage's peak RMS: −12 ≈ 0.251 · peak. */
  leadInThresholdDb: number;
  leadOutThresholdDb: number;
  /**
   * `quick_ramp_threshold` (0.75): the quick-ramp level as a fraction of the peak's perceived
   * intensity. Intensity goes with the square of the RMS, so the level is peak·0.75² = 0.5625·peak,
   * the −5 dB that WKMP.md step 2 writes out (0.75·peak would be −2.5 dB).
   */
  quickRampThreshold: number;
  quickRampDurationS: number;
  maxLeadInDurationS: number;
  maxLeadOutDurationS: number;
  applyAWeighting: boolean;
}

export const defaultAmplitudeOptions: Readonly<AmplitudeOptions> = Object.freeze({
  rmsWindowMs: 100,
  leadInThresholdDb: -12,
  leadOutThresholdDb: -12,
  quickRampThreshold: 0.75,
  quickRampDurationS: 1,
  maxLeadInDurationS: 5,
  maxLeadOutDurationS: 5,
  applyAWeighting: true,
});

export interface LeadResult {
  /** Lead-in: from the passage start; lead-out: back from the passage end. */
  seconds: number;
  /** The level came within quickRampDurationS of the edge, so the lead is 0. */
  quickRamp: boolean;
  /** Peak RMS of the envelope. */
  peak: number;
  /** peak · 10^(threshold dB / 20), the RMS the lead ends at. */
  thresholdRms: number;
}

/** The envelope the lead-in / lead-out rules read: A-weighted or plain, per the options. */
export function amplitudeEnvelope(envelope: Pick<Envelope, 'rms' | 'aWeightedRms'>, opts: Pick<AmplitudeOptions, 'applyAWeighting'>): Float32Array {
  return opts.applyAWeighting ? envelope.aWeightedRms : envelope.rms;
}

export function findLeadIn(envelope: Float32Array, windowSeconds: number, opts: AmplitudeOptions): LeadResult {
  return findLead(envelope, windowSeconds, 'start', opts.leadInThresholdDb, opts.maxLeadInDurationS, opts);
}

export function findLeadOut(envelope: Float32Array, windowSeconds: number, opts: AmplitudeOptions): LeadResult {
  return findLead(envelope, windowSeconds, 'end', opts.leadOutThresholdDb, opts.maxLeadOutDurationS, opts);
}

type Edge = 'start' | 'end';

function findLead(envelope: Float32Array, windowSeconds: number, edge: Edge, thresholdDb: number, maxSeconds: number, opts: AmplitudeOptions): LeadResult {
  const peak = envelope.reduce((max, value) => Math.max(max, value), 0);
  const thresholdRms = peak * 10 ** (thresholdDb / 20);
  if (envelope.length === 0) return { seconds: 0, quickRamp: false, peak, thresholdRms };
  const quickWindows = windowsBeforeReaching(envelope, peak * opts.quickRampThreshold ** 2, edge);
  if (quickWindows * windowSeconds < opts.quickRampDurationS) return { seconds: 0, quickRamp: true, peak, thresholdRms };
  const leadWindows = windowsBeforeReaching(envelope, thresholdRms, edge);
  return { seconds: Math.min(leadWindows * windowSeconds, maxSeconds), quickRamp: false, peak, thresholdRms };
}

/** Whole windows between the edge and the nearest window at or above `level`; all of them if none is. */
function windowsBeforeReaching(envelope: Float32Array, level: number, edge: Edge): number {
  const n = envelope.length;
  for (let k = 0; k < n; k++) {
    if (envelope[edge === 'start' ? k : n - 1 - k]! >= level) return k;
  }
  return n;
}
