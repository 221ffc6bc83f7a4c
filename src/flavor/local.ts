/**
 * wkmp-ai's own characteristics of a passage, made from the audio descriptors analysis measured
 * (stored/additional-metadata.ts `audio_features`), in SPEC003's form: soft memberships, never hard
 * bins, so that two passages a little apart in tempo or loudness are a little apart in flavor. Named
 * `wkmp.…`, so they never collide with AcousticBrainz's characteristics or a user's. Binary and
 * complex ones both, so that every pair of analysed passages shares characteristics of both kinds
 * and has a meaningful distance (a part with nothing shared would count 1.0, distance.ts).
 *
 * The centres and widths below were chosen where real music spreads (docs/flavor.md has the figures):
 * a characteristic that reads the same for every file tells nothing apart.
 */
import { pitchClasses, type AudioFeatures } from '../stored/additional-metadata.js';
import { normalised, type Distribution, type Flavor } from './flavor.js';

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/** Two classes, the first with `p`. */
function binary(first: string, second: string, p: number): Distribution {
  const clamped = Math.min(1, Math.max(0, p));
  return { [first]: clamped, [second]: 1 - clamped };
}

/** A distribution blurred toward even by `1 - confidence`: an unsure measure says less. */
function withConfidence(distribution: Record<string, number>, confidence: number): Record<string, number> {
  const c = Math.min(1, Math.max(0, confidence));
  const even = 1 / Object.keys(distribution).length;
  return Object.fromEntries(Object.entries(distribution).map(([key, value]) => [key, c * value + (1 - c) * even]));
}

/** Tempo classes: centres in BPM, memberships Gaussian in octaves (log2), so 60→120 is as far as 100→200. */
const tempoClasses: readonly (readonly [string, number])[] = [['slow', 70], ['moderate', 96], ['brisk', 124], ['fast', 160]];
const tempoWidthOctaves = 0.25;

function tempo(bpm: number, confidence: number): Distribution {
  const weights = Object.fromEntries(tempoClasses.map(([name, centre]) => [name, Math.exp(-((Math.log2(bpm / centre) / tempoWidthOctaves) ** 2) / 2)]));
  // A confidence never below a third: a tempo measured at all says something.
  return withConfidence(normalised(weights)!, Math.max(confidence, 1 / 3));
}

/** The twelve places of the circle of fifths, each a major key and its relative minor. */
export const keyClasses = ['C/Am', 'G/Em', 'D/Bm', 'A/F#m', 'E/C#m', 'B/G#m', 'F#/D#m', 'C#/A#m', 'G#/Fm', 'D#/Cm', 'A#/Gm', 'F/Dm'] as const;
const keyWidthFifths = 0.8;

/**
 * The key on the circle of fifths: its place, and its neighbours a fifth away less, as harmony
 * hears them (C major is near G and F, far from F#). A minor key sits with its relative major.
 */
function key(tonic: (typeof pitchClasses)[number], mode: 'major' | 'minor', strength: number): Distribution {
  const semitone = pitchClasses.indexOf(tonic);
  const major = mode === 'major' ? semitone : (semitone + 3) % 12;
  const place = (major * 7) % 12; // semitones to fifths: 7 is its own inverse mod 12
  const weights = Object.fromEntries(keyClasses.map((name, i) => {
    const apart = Math.min(Math.abs(i - place), 12 - Math.abs(i - place));
    return [name, Math.exp(-(apart ** 2) / (2 * keyWidthFifths ** 2))];
  }));
  return withConfidence(normalised(weights)!, strength);
}

export interface LocalFlavor {
  flavor: Flavor;
  /** How sure each characteristic is, 0-1 (flavor_confidence_map). */
  confidence: Record<string, number>;
}

/** The local characteristics: what was measured; one that could not be (no beat, no key, silence) is absent. */
export function localFlavor(features: AudioFeatures): LocalFlavor {
  const flavor: Record<string, Distribution> = {};
  const confidence: Record<string, number> = {};
  const set = (name: string, distribution: Distribution, sure: number) => {
    flavor[name] = distribution;
    confidence[name] = Math.round(Math.min(1, Math.max(0, sure)) * 1000) / 1000;
  };
  if (features.bpm !== null) set('wkmp.tempo', tempo(features.bpm, features.bpm_confidence), features.bpm_confidence);
  if (features.key !== null && features.mode !== null) {
    set('wkmp.key', key(features.key, features.mode, features.key_strength), features.key_strength);
    set('wkmp.mode', binary('major', 'minor', 0.5 + (features.mode === 'major' ? 0.5 : -0.5) * features.key_strength), features.key_strength);
  }
  if (features.loudness_lufs !== null) {
    set('wkmp.loudness', binary('loud', 'quiet', logistic((features.loudness_lufs + 16) / 3)), 1);
    set('wkmp.dynamics', binary('dynamic', 'steady', logistic((features.loudness_range_lu - 7) / 2.5)), 1);
    set('wkmp.brightness', binary('bright', 'dark', logistic(Math.log2(Math.max(features.spectral_centroid_hz, 1) / 1000) / 0.35)), 1);
    set('wkmp.density', binary('busy', 'sparse', logistic((features.onset_rate - 3) / 1)), 1);
    set('wkmp.danceability', binary('danceable', 'not_danceable', logistic((features.danceability - 1.2) / 0.2)), 1);
  }
  return { flavor, confidence };
}

/** Every characteristic localFlavor can give: what a passage's completeness is counted against. */
export const localCharacteristics = ['wkmp.tempo', 'wkmp.key', 'wkmp.mode', 'wkmp.loudness', 'wkmp.dynamics', 'wkmp.brightness', 'wkmp.density', 'wkmp.danceability'] as const;
