/**
 * One pass over a file's decoded audio, then the decisions: the stream feeds the envelopes (peak
 * for silence, RMS and A-weighted RMS for lead-in / lead-out) and a 16-bit copy of the samples;
 * once it ends, the song boundaries are chosen (from a cue sheet, or from the silences judged with
 * the tags), their edges refined to the sample, and each passage's lead-in, lead-out and
 * fingerprint taken from what was kept, and its audio descriptors measured over it (features/, the
 * local flavor's measures). A file is decoded once (docs/adr/0003-song-boundaries.md).
 */
import { secondsToTicks, TICKS_PER_SECOND } from '../file-record.js';
import type { AudioFeatures } from '../stored/additional-metadata.js';
import { amplitudeEnvelope, findLeadIn, findLeadOut, type AmplitudeOptions, type LeadResult } from './amplitude.js';
import { EnvelopeBuilder, type Envelope } from './envelope.js';
import { AudioFeatureMeter } from './features/measure.js';
import { PassageFingerprinter, type ChromaprintModule, type Fingerprint } from './fingerprint.js';
import { PcmStore } from './pcm-store.js';
import { levelAt, type WindowSpan } from './silence.js';
import { segmentSongs, type GapVerdict, type SegmentationOptions, type TaggedAs } from './song-boundaries.js';

export interface AudioAnalysisOptions {
  /** The rate the decoder delivers. */
  sampleRate: number;
  windowMs: number;
  segmentation: SegmentationOptions;
  /** Less sound than this in the whole file is NO AUDIO. */
  minAudioSeconds: number;
  amplitude: AmplitudeOptions;
  /** Passages shorter than this get no fingerprint (AcoustID needs ~10 s). */
  minFingerprintSeconds: number;
  /** Only the start of a passage is fingerprinted. */
  maxFingerprintSeconds: number;
}

/** A cue sheet's track as analysis needs it: where it starts and ends (null: at the end of the sound). */
export interface TrackSpan {
  startTicks: number;
  endTicks: number | null;
}

/** Where a file's passages come from: its cue sheet's tracks, or its silences judged with what its tags say. */
export type BoundarySource = { kind: 'silence'; taggedAs: TaggedAs } | { kind: 'cue sheet'; tracks: readonly TrackSpan[] };

export interface GapTicks {
  startTicks: number;
  endTicks: number;
  verdict: GapVerdict;
}

export interface AnalysedPassage {
  startTicks: number;
  endTicks: number;
  leadInStartTicks: number;
  leadOutStartTicks: number;
  leadIn: LeadResult;
  leadOut: LeadResult;
  fingerprint: Fingerprint | null;
  /** Tempo, key, loudness and the rest, over the whole passage (docs/flavor.md). */
  features: AudioFeatures;
  /** For a cue sheet: the index of the track this passage plays. */
  track: number | null;
  /** Candidate gaps inside this passage that were not made boundaries. */
  rejectedGaps: GapTicks[];
}

export interface BoundaryReport {
  source: BoundarySource['kind'];
  thresholdDbfs: number;
  noiseFloorDbfs: number | null;
  oneTrack: boolean;
}

export interface AudioAnalysis {
  decodedSeconds: number;
  soundSeconds: number;
  boundaries: BoundaryReport;
  /** Empty when the file has less sound than `minAudioSeconds`: NO AUDIO. */
  passages: AnalysedPassage[];
}

/** A passage's edges in samples of the analysis rate, [start, end). */
interface SampleSpan {
  start: number;
  end: number;
  track: number | null;
}

export async function analyseAudio(
  pcm: AsyncIterable<Float32Array>, chromaprint: ChromaprintModule, options: AudioAnalysisOptions, source: BoundarySource,
): Promise<AudioAnalysis> {
  const store = new PcmStore();
  try {
    const { silence, loudness } = await buildEnvelopes(pcm, options, store);
    const decodedSeconds = silence.sampleCount / options.sampleRate;
    const segmentation = segmentSongs(silence, options.segmentation, source.kind === 'silence' ? source.taggedAs : 'untagged');
    const boundaries: BoundaryReport = {
      source: source.kind, thresholdDbfs: segmentation.thresholdDbfs, noiseFloorDbfs: segmentation.noiseFloorDbfs, oneTrack: segmentation.oneTrack,
    };
    const result = { decodedSeconds, soundSeconds: segmentation.soundSeconds, boundaries };
    if (segmentation.soundSeconds < options.minAudioSeconds || segmentation.passages.length === 0) return { ...result, passages: [] };
    const edges = new SoundEdges(store, silence.windowSamples, segmentation.thresholdDbfs);
    const spans = source.kind === 'cue sheet'
      ? cueSpans(source.tracks, { soundEnd: edges.endOf(segmentation.passages.at(-1)!), decoded: silence.sampleCount }, options.sampleRate)
      : segmentation.passages.map((passage) => ({ start: edges.startOf(passage), end: edges.endOf(passage), track: null }));
    const gaps = segmentation.gaps.filter((gap) => gap.verdict !== 'boundary').map((gap): GapTicks => ({
      startTicks: windowTicks(gap.startWindow, silence), endTicks: windowTicks(gap.endWindow, silence), verdict: gap.verdict,
    }));
    const levels = amplitudeEnvelope(loudness, options.amplitude);
    const passages = spans.map((span): AnalysedPassage => {
      const startTicks = sampleTicks(span.start, options.sampleRate);
      const endTicks = sampleTicks(span.end, options.sampleRate);
      return {
        startTicks,
        endTicks,
        ...measureLeads(levels, loudness.windowSeconds, { startTicks, endTicks }, options.amplitude),
        fingerprint: fingerprintSpan(store, chromaprint, span, options),
        features: measureSpan(store, span, options.sampleRate),
        track: span.track,
        rejectedGaps: gaps.filter((gap) => gap.startTicks >= startTicks && gap.endTicks <= endTicks),
      };
    });
    return { ...result, passages };
  } finally {
    store.dispose();
  }
}

function measureSpan(store: PcmStore, span: SampleSpan, sampleRate: number): AudioFeatures {
  const meter = new AudioFeatureMeter(sampleRate);
  store.feed(span.start, span.end, (samples) => meter.push(samples));
  return meter.finish();
}

/** The envelopes of the whole stream, and its samples kept in `store` when one is given. */
async function buildEnvelopes(
  pcm: AsyncIterable<Float32Array>, options: Pick<AudioAnalysisOptions, 'sampleRate' | 'windowMs' | 'amplitude'>, store?: PcmStore,
): Promise<{ silence: Envelope; loudness: Envelope }> {
  const silenceEnvelope = new EnvelopeBuilder({ sampleRate: options.sampleRate, windowMs: options.windowMs });
  // Lead-in and lead-out have their own window setting; one envelope serves both when they agree.
  const separateLoudness = options.amplitude.rmsWindowMs !== options.windowMs;
  const loudnessEnvelope = separateLoudness ? new EnvelopeBuilder({ sampleRate: options.sampleRate, windowMs: options.amplitude.rmsWindowMs }) : silenceEnvelope;
  for await (const chunk of pcm) {
    silenceEnvelope.push(chunk);
    if (separateLoudness) loudnessEnvelope.push(chunk);
    store?.push(chunk);
  }
  const silence = silenceEnvelope.finish();
  return { silence, loudness: separateLoudness ? loudnessEnvelope.finish() : silence };
}

export interface PassageLeads {
  leadInStartTicks: number;
  leadOutStartTicks: number;
  leadIn: LeadResult;
  leadOut: LeadResult;
}

/**
 * Lead-in and lead-out of the passage [startTicks, endTicks) on an envelope that starts at tick 0
 * (WKMP.md "Lead-in / lead-out"), as absolute ticks inside the passage; the results' `seconds`
 * are the distances from the passage's edges. The import and POST /analyze/amplitude both come here.
 */
export function measureLeads(
  levels: Float32Array, windowSeconds: number, passage: { startTicks: number; endTicks: number }, options: AmplitudeOptions,
): PassageLeads {
  const windowTicks = windowSeconds * TICKS_PER_SECOND;
  const firstWindow = Math.floor(passage.startTicks / windowTicks);
  const endWindow = Math.max(firstWindow, Math.min(levels.length, Math.ceil(passage.endTicks / windowTicks)));
  const slice = levels.subarray(firstWindow, endWindow);
  const leadIn = findLeadIn(slice, windowSeconds, options);
  const leadOut = findLeadOut(slice, windowSeconds, options);
  // The rules count whole windows from the slice's edges; the passage's edges lie inside those windows.
  const clamp = (ticks: number) => Math.min(passage.endTicks, Math.max(passage.startTicks, Math.round(ticks)));
  const leadInStartTicks = clamp(firstWindow * windowTicks + secondsToTicks(leadIn.seconds));
  const leadOutStartTicks = Math.max(leadInStartTicks, clamp(endWindow * windowTicks - secondsToTicks(leadOut.seconds)));
  return {
    leadInStartTicks,
    leadOutStartTicks,
    leadIn: { ...leadIn, seconds: (leadInStartTicks - passage.startTicks) / TICKS_PER_SECOND },
    leadOut: { ...leadOut, seconds: (passage.endTicks - leadOutStartTicks) / TICKS_PER_SECOND },
  };
}

/** The envelope and lead-in / lead-out of one region of a file, for POST /analyze/amplitude. */
export interface RegionAnalysis extends PassageLeads {
  /** Ticks of audio the region held (it may end before the asked end). */
  regionTicks: number;
  windowSeconds: number;
  /** The envelope the leads were read from, from the region's start (A-weighted when the options say so). */
  levels: Float32Array;
}

/** Lead-in, lead-out and envelope of the samples [startSample, endSample) of a stream, as the import measures a passage. */
export async function analyseRegion(
  pcm: AsyncIterable<Float32Array>, options: Pick<AudioAnalysisOptions, 'sampleRate' | 'windowMs' | 'amplitude'>, startSample: number, endSample: number,
): Promise<RegionAnalysis> {
  const { loudness } = await buildEnvelopes(regionOf(pcm, startSample, endSample), { ...options, windowMs: options.amplitude.rmsWindowMs });
  const levels = amplitudeEnvelope(loudness, options.amplitude);
  const regionTicks = sampleTicks(loudness.sampleCount, options.sampleRate);
  return {
    regionTicks, windowSeconds: loudness.windowSeconds, levels,
    ...measureLeads(levels, loudness.windowSeconds, { startTicks: 0, endTicks: regionTicks }, options.amplitude),
  };
}

async function* regionOf(pcm: AsyncIterable<Float32Array>, startSample: number, endSample: number): AsyncIterable<Float32Array> {
  let position = 0;
  for await (const chunk of pcm) {
    const from = Math.max(0, startSample - position);
    const to = Math.min(chunk.length, endSample - position);
    if (to > from) yield chunk.subarray(from, to);
    position += chunk.length;
    if (position >= endSample) return;
  }
}

function sampleTicks(sample: number, sampleRate: number): number {
  return secondsToTicks(sample / sampleRate);
}

function windowTicks(window: number, envelope: Pick<Envelope, 'windowSeconds' | 'sampleCount' | 'windowSamples'>): number {
  return secondsToTicks(Math.min(window * envelope.windowSamples, envelope.sampleCount) * (envelope.windowSeconds / envelope.windowSamples));
}

/**
 * A passage's edges to the sample: its first window holds its first sounding sample somewhere,
 * its last window its last one; windows alone would put an edge up to 100 ms off.
 */
class SoundEdges {
  private readonly limit: number;

  constructor(private readonly store: PcmStore, private readonly windowSamples: number, thresholdDbfs: number) {
    // The store holds int16: the threshold on the same scale.
    this.limit = levelAt(thresholdDbfs) * 32768;
  }

  startOf(span: WindowSpan): number {
    const from = span.startWindow * this.windowSamples;
    const samples = this.store.read(from, from + this.windowSamples);
    const first = samples.findIndex((s) => Math.abs(s) >= this.limit);
    return from + Math.max(0, first);
  }

  endOf(span: WindowSpan): number {
    const from = (span.endWindow - 1) * this.windowSamples;
    const samples = this.store.read(from, from + this.windowSamples);
    const last = samples.findLastIndex((s) => Math.abs(s) >= this.limit);
    return from + (last < 0 ? samples.length : last + 1);
  }
}

/**
 * Cue tracks as sample spans: exactly where the sheet puts them, a track without an end to the end
 * of the sound; what lies past the decoded audio is cut, and a track with nothing left is dropped.
 */
function cueSpans(tracks: readonly TrackSpan[], file: { soundEnd: number; decoded: number }, sampleRate: number): SampleSpan[] {
  const toSample = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND) * sampleRate);
  return tracks.flatMap((track, index) => {
    const start = toSample(track.startTicks);
    const end = track.endTicks === null ? file.soundEnd : Math.min(toSample(track.endTicks), file.decoded);
    return end > start ? [{ start, end, track: index }] : [];
  });
}

function fingerprintSpan(store: PcmStore, chromaprint: ChromaprintModule, span: SampleSpan, options: AudioAnalysisOptions): Fingerprint | null {
  if (span.end - span.start < options.minFingerprintSeconds * options.sampleRate) return null;
  const fingerprinter = new PassageFingerprinter(chromaprint, options.sampleRate, options.maxFingerprintSeconds);
  try {
    store.feed(span.start, Math.min(span.end, span.start + options.maxFingerprintSeconds * options.sampleRate), (samples) => fingerprinter.feedInt16(samples));
    return fingerprinter.finish();
  } finally {
    fingerprinter.dispose();
  }
}
