import { beforeAll, describe, expect, it } from 'vitest';
import { secondsToTicks, TICKS_PER_SECOND } from '../file-record.js';
import { defaultAmplitudeOptions } from './amplitude.js';
import { analyseAudio, analyseRegion, measureLeads, type AudioAnalysisOptions, type BoundarySource } from './analyse-audio.js';
import { createChromaprint, fingerprintPcm, toInt16, type ChromaprintModule } from './fingerprint.js';
import { render, type Piece } from './signal-test-support.js';

const rate = 11_025;
const options: AudioAnalysisOptions = {
  sampleRate: rate,
  windowMs: 100,
  segmentation: { silenceThresholdDb: 70, minGapSeconds: 0.5, minSongSeconds: 15 },
  minAudioSeconds: 0.1,
  amplitude: { ...defaultAmplitudeOptions },
  minFingerprintSeconds: 10,
  maxFingerprintSeconds: 120,
};
const silence = (seconds: number): Piece => ({ kind: 'silence', seconds });
const song = (seconds: number): Piece => ({ kind: 'song', seconds });
const untagged: BoundarySource = { kind: 'silence', taggedAs: 'untagged' };

async function* chunks(samples: Float32Array): AsyncIterable<Float32Array> {
  for (let at = 0, size = 777; at < samples.length; at += size, size = 500 + ((size * 13) % 7000)) yield samples.subarray(at, at + size);
}

let chromaprint: ChromaprintModule;
beforeAll(async () => {
  chromaprint = await createChromaprint();
});

describe('analyseAudio', () => {
  it('edges each passage to the sample, not to its 100 ms window', async () => {
    const samples = render([silence(1.0371), song(20), silence(2.0123), song(20)], rate);
    const { passages } = await analyseAudio(chunks(samples), chromaprint, options, untagged);
    expect(passages).toHaveLength(2);
    const firstSound = samples.findIndex((x) => Math.abs(toInt16(x)) >= 10 ** (-70 / 20) * 32768);
    expect(passages[0]!.startTicks).toBe(secondsToTicks(firstSound / rate));
    expect(Math.abs(passages[0]!.endTicks / TICKS_PER_SECOND - 21.0371)).toBeLessThan(0.002);
    expect(Math.abs(passages[1]!.startTicks / TICKS_PER_SECOND - 23.0494)).toBeLessThan(0.002);
  });

  it('fingerprints each passage of 10 s or more from its first sample, as the whole signal cut there would be', async () => {
    const samples = render([silence(1), song(12), silence(2), song(16), silence(1)], rate);
    const { passages } = await analyseAudio(chunks(samples), chromaprint, { ...options, segmentation: { ...options.segmentation, minSongSeconds: 5 } }, untagged);
    expect(passages).toHaveLength(2);
    for (const passage of passages) {
      const from = Math.round((passage.startTicks / TICKS_PER_SECOND) * rate);
      const to = Math.round((passage.endTicks / TICKS_PER_SECOND) * rate);
      expect(passage.fingerprint!.compressed).toBe(fingerprintPcm(chromaprint, samples.subarray(from, to), rate).compressed);
    }
  });

  it('gives a passage under 10 s no fingerprint', async () => {
    const { passages } = await analyseAudio(chunks(render([song(8)], rate)), chromaprint, options, untagged);
    expect(passages).toHaveLength(1);
    expect(passages[0]!.fingerprint).toBeNull();
  });

  it('counts sound by its samples: 62 ms of a song is NO AUDIO even in a window of its own, 150 ms is audio', async () => {
    const short = await analyseAudio(chunks(render([song(0.062)], rate)), chromaprint, options, untagged);
    expect(short.passages).toEqual([]);
    expect(short.soundSeconds).toBeCloseTo(0.062, 3);
    expect((await analyseAudio(chunks(render([song(0.15)], rate)), chromaprint, options, untagged)).passages).toHaveLength(1);
  });

  it('takes a cue sheet\'s tracks exactly, the last to the end of the sound, and drops tracks past the audio', async () => {
    const samples = render([song(30), silence(1)], rate);
    const tracks = [
      { startTicks: 0, endTicks: 376_320 * 75 * 12 },
      { startTicks: 376_320 * (75 * 12 + 40), endTicks: null },
      { startTicks: secondsToTicks(40), endTicks: null },
    ];
    const analysis = await analyseAudio(chunks(samples), chromaprint, options, { kind: 'cue sheet', tracks });
    expect(analysis.boundaries.source).toBe('cue sheet');
    expect(analysis.passages.map((p) => [p.startTicks, p.track])).toEqual([[0, 0], [376_320 * (75 * 12 + 40), 1]]);
    expect(analysis.passages[0]!.endTicks).toBe(secondsToTicks(12));
    expect(Math.abs(analysis.passages[1]!.endTicks / TICKS_PER_SECOND - 30)).toBeLessThan(0.002);
  });

  it('lists the candidate gaps a passage kept inside it, with why', async () => {
    const samples = render([song(40), silence(1), song(40)], rate);
    const { passages } = await analyseAudio(chunks(samples), chromaprint, options, { kind: 'silence', taggedAs: 'track' });
    expect(passages).toHaveLength(1);
    expect(passages[0]!.rejectedGaps).toHaveLength(1);
    expect(passages[0]!.rejectedGaps[0]!.verdict).toBe('short for one track');
    expect(Math.abs(passages[0]!.rejectedGaps[0]!.startTicks / TICKS_PER_SECOND - 40)).toBeLessThan(0.1);
  });
});

describe('measureLeads', () => {
  it('reports the leads as distances from the passage\'s own edges, inside the passage', () => {
    // A passage from 0.25 s to 2.95 s on 0.1 s windows: quiet for its first second, then loud.
    const levels = Float32Array.from({ length: 30 }, (_, i) => (i < 12 ? 0.01 : 0.5));
    const leads = measureLeads(levels, 0.1, { startTicks: secondsToTicks(0.25), endTicks: secondsToTicks(2.95) }, { ...defaultAmplitudeOptions });
    expect(leads.leadInStartTicks).toBe(secondsToTicks(1.2));
    expect(leads.leadIn.seconds).toBeCloseTo(0.95, 9);
    expect(leads.leadOutStartTicks).toBe(secondsToTicks(2.95));
    expect(leads.leadOut.seconds).toBe(0);
  });
});

describe('analyseRegion', () => {
  it('measures only the region asked for, from its start', async () => {
    const samples = render([silence(3), song(4), silence(3)], rate);
    const region = await analyseRegion(chunks(samples), options, 3 * rate, 7 * rate);
    expect(region.regionTicks).toBe(secondsToTicks(4));
    expect(region.levels.length).toBe(40);
    expect(region.leadIn.quickRamp).toBe(true);
  });
});
