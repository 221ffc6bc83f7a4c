/**
 * One pass over a file's decoded audio: the silence envelope, the A-weighted envelope and the
 * fingerprints of the passages, all from the same stream of PCM chunks, so a file is decoded once
 * and never held whole. Passages are known only once the stream ends, but their fingerprints must
 * be taken on the way: an online copy of the silence rule starts a fingerprint at each passage
 * start and holds back the samples of a silence until it knows whether the silence ends the passage.
 */
import { secondsToTicks } from '../file-record.js';
import { amplitudeEnvelope, findLeadIn, findLeadOut, type AmplitudeOptions, type LeadResult } from './amplitude.js';
import { EnvelopeBuilder } from './envelope.js';
import { PassageFingerprinter, type ChromaprintModule, type Fingerprint } from './fingerprint.js';
import { detectPassages, soundingWindows, type SilenceOptions } from './silence.js';

export interface AudioAnalysisOptions {
  /** The rate the decoder delivers. */
  sampleRate: number;
  windowMs: number;
  silence: SilenceOptions;
  /** Less sound than this in the whole file is NO AUDIO. */
  minAudioSeconds: number;
  amplitude: AmplitudeOptions;
  /** Passages shorter than this get no fingerprint (AcoustID needs ~10 s). */
  minFingerprintSeconds: number;
  /** Only the start of a passage is fingerprinted. */
  maxFingerprintSeconds: number;
}

export interface AnalysedPassage {
  startTicks: number;
  endTicks: number;
  leadInStartTicks: number;
  leadOutStartTicks: number;
  leadIn: LeadResult;
  leadOut: LeadResult;
  fingerprint: Fingerprint | null;
}

export interface AudioAnalysis {
  decodedSeconds: number;
  soundingSeconds: number;
  /** Empty when the file has less sound than `minAudioSeconds`: NO AUDIO. */
  passages: AnalysedPassage[];
}

/** The silence rule of silence.ts, applied window by window as the audio arrives. */
class OnlinePassages {
  private readonly silentBelow: number;
  private inPassage = false;
  private silentRun = 0;
  private window = 0;
  private current: PassageFingerprinter | null = null;
  private currentStart = 0;
  /** Samples of the silence in progress: part of the passage unless the silence counts. */
  private held: Float32Array[] = [];
  readonly fingerprints = new Map<number, Fingerprint>();

  constructor(
    private readonly chromaprint: ChromaprintModule,
    private readonly options: AudioAnalysisOptions,
    private readonly windowSeconds: number,
  ) {
    this.silentBelow = 10 ** (-options.silence.thresholdDb / 20);
  }

  addWindow(samples: Float32Array, rms: number): void {
    // Compared as the envelope stores it (float32), so that this rule and detectPassages agree on every window.
    if (Math.fround(rms) >= this.silentBelow) {
      if (!this.inPassage) this.startPassage();
      for (const held of this.held) this.current?.feed(held);
      this.held = [];
      this.silentRun = 0;
      this.current?.feed(samples);
    } else if (this.inPassage) {
      this.silentRun += 1;
      this.held.push(samples);
      // The silence counts: the passage ended where it began.
      if (this.silentRun >= this.options.silence.minSilenceWindows) this.endPassage(this.window + 1 - this.silentRun);
    }
    this.window += 1;
  }

  finish(): void {
    // Trailing silence, however short, is outside the passage.
    if (this.inPassage) this.endPassage(this.window - this.silentRun);
  }

  private startPassage(): void {
    this.inPassage = true;
    this.currentStart = this.window;
    this.current = new PassageFingerprinter(this.chromaprint, this.options.sampleRate, this.options.maxFingerprintSeconds);
  }

  private endPassage(endWindow: number): void {
    const fingerprinter = this.current;
    const seconds = (endWindow - this.currentStart) * this.windowSeconds;
    if (fingerprinter) {
      if (seconds >= this.options.minFingerprintSeconds) this.fingerprints.set(this.currentStart, fingerprinter.finish());
      else fingerprinter.dispose();
    }
    this.current = null;
    this.inPassage = false;
    this.held = [];
    this.silentRun = 0;
  }
}

/** Cuts a stream of chunks into windows of `size` samples; the last one may be shorter. */
class Windower {
  private pending = new Float32Array(0);

  constructor(private readonly size: number, private readonly onWindow: (samples: Float32Array) => void) {}

  push(chunk: Float32Array): void {
    let data = chunk;
    if (this.pending.length > 0) {
      data = new Float32Array(this.pending.length + chunk.length);
      data.set(this.pending);
      data.set(chunk, this.pending.length);
    }
    let offset = 0;
    for (; offset + this.size <= data.length; offset += this.size) this.onWindow(data.subarray(offset, offset + this.size));
    this.pending = data.slice(offset);
  }

  finish(): void {
    if (this.pending.length > 0) this.onWindow(this.pending);
    this.pending = new Float32Array(0);
  }
}

function rmsOf(samples: Float32Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

export async function analyseAudio(
  pcm: AsyncIterable<Float32Array>, chromaprint: ChromaprintModule, options: AudioAnalysisOptions,
): Promise<AudioAnalysis> {
  const silenceEnvelope = new EnvelopeBuilder({ sampleRate: options.sampleRate, windowMs: options.windowMs });
  // Lead-in and lead-out have their own window setting; one envelope serves both when they agree.
  const separateLoudness = options.amplitude.rmsWindowMs !== options.windowMs;
  const loudnessEnvelope = separateLoudness ? new EnvelopeBuilder({ sampleRate: options.sampleRate, windowMs: options.amplitude.rmsWindowMs }) : silenceEnvelope;
  const windowSamples = silenceEnvelope.windowSamples;
  const online = new OnlinePassages(chromaprint, options, windowSamples / options.sampleRate);
  const windower = new Windower(windowSamples, (window) => online.addWindow(window, rmsOf(window)));
  let totalSamples = 0;
  for await (const chunk of pcm) {
    totalSamples += chunk.length;
    silenceEnvelope.push(chunk);
    if (separateLoudness) loudnessEnvelope.push(chunk);
    windower.push(chunk);
  }
  windower.finish();
  online.finish();
  const silence = silenceEnvelope.finish();
  const loudness = separateLoudness ? loudnessEnvelope.finish() : silence;
  const decodedSeconds = totalSamples / options.sampleRate;
  const soundingSeconds = soundingWindows(silence.rms, options.silence.thresholdDb) * silence.windowSeconds;
  if (soundingSeconds < options.minAudioSeconds) return { decodedSeconds, soundingSeconds, passages: [] };
  const levels = amplitudeEnvelope(loudness, options.amplitude);
  const passages = detectPassages(silence.rms, options.silence).map(({ startWindow, endWindow }): AnalysedPassage => {
    const startSeconds = startWindow * silence.windowSeconds;
    const endSeconds = Math.min(endWindow * silence.windowSeconds, decodedSeconds);
    const slice = levels.subarray(Math.floor(startSeconds / loudness.windowSeconds), Math.ceil(endSeconds / loudness.windowSeconds));
    const leadIn = findLeadIn(slice, loudness.windowSeconds, options.amplitude);
    const leadOut = findLeadOut(slice, loudness.windowSeconds, options.amplitude);
    const startTicks = secondsToTicks(startSeconds);
    const endTicks = secondsToTicks(endSeconds);
    const leadInStartTicks = Math.min(endTicks, startTicks + secondsToTicks(leadIn.seconds));
    const leadOutStartTicks = Math.max(leadInStartTicks, endTicks - secondsToTicks(leadOut.seconds));
    return { startTicks, endTicks, leadInStartTicks, leadOutStartTicks, leadIn, leadOut, fingerprint: online.fingerprints.get(startWindow) ?? null };
  });
  return { decodedSeconds, soundingSeconds, passages };
}
