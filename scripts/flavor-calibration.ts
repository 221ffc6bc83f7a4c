/**
 * npx tsx scripts/flavor-calibration.ts DB
 *
 * Where a library's passages spread on each audio descriptor, read from a wkmp.db a full import
 * wrote (passages.additional_metadata.audio_features), and how far apart their local flavors lie:
 * what the centres and widths of wkmp-ai's own characteristics (src/flavor/local.ts) are chosen
 * from, and the figures docs/flavor.md gives. Reads only.
 */
import { openReadOnlyDatabase } from '../src/db/setup.js';
import { flavorDistance } from '../src/flavor/distance.js';
import { localFlavor } from '../src/flavor/local.js';
import { listAdditionalMetadataWithFeatures } from '../src/db/queries/flavor.js';
import { parseAdditionalMetadata } from '../src/stored/additional-metadata.js';
import type { AudioFeatures } from '../src/stored/additional-metadata.js';

const path = process.argv[2];
if (path === undefined) {
  console.error('usage: npx tsx scripts/flavor-calibration.ts DB');
  process.exit(1);
}

const db = openReadOnlyDatabase(path);
const features: AudioFeatures[] = listAdditionalMetadataWithFeatures(db)
  .map((text) => parseAdditionalMetadata(text))
  .flatMap((stored) => (stored.readable && stored.value.audio_features !== undefined ? [stored.value.audio_features] : []));
db.close();

function percentiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))]!;
  return [0.1, 0.25, 0.5, 0.75, 0.9].map((p) => at(p).toFixed(2).padStart(8)).join(' ');
}

const numeric: (keyof AudioFeatures)[] = ['bpm', 'bpm_confidence', 'key_strength', 'loudness_lufs', 'loudness_range_lu', 'spectral_centroid_hz', 'onset_rate', 'dynamic_complexity', 'danceability'];
console.log(`${features.length} passages with audio descriptors`);
console.log(`${'descriptor'.padEnd(22)} ${['10th', '25th', 'median', '75th', '90th'].map((h) => h.padStart(8)).join(' ')}`);
for (const name of numeric) {
  const values = features.map((f) => f[name]).filter((v): v is number => typeof v === 'number');
  if (values.length > 0) console.log(`${name.padEnd(22)} ${percentiles(values)}   (${values.length})`);
}
const modes = features.filter((f) => f.mode === 'major').length;
console.log(`mode: ${modes} major, ${features.filter((f) => f.mode === 'minor').length} minor`);

const flavors = features.map((f) => localFlavor(f).flavor);
const distances: number[] = [];
for (let i = 0; i < flavors.length; i++) for (let j = i + 1; j < flavors.length; j++) distances.push(flavorDistance(flavors[i]!, flavors[j]!));
if (distances.length > 0) console.log(`${'pairwise distance'.padEnd(22)} ${percentiles(distances)}   (${distances.length} pairs)`);
for (const name of ['wkmp.loudness', 'wkmp.dynamics', 'wkmp.brightness', 'wkmp.density', 'wkmp.danceability', 'wkmp.mode']) {
  const firsts = flavors.map((f) => f[name]).filter((d) => d !== undefined).map((d) => Object.values(d!)[0]!);
  if (firsts.length > 0) console.log(`${name.padEnd(22)} ${percentiles(firsts)}   (first class)`);
}
