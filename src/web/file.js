// The file page: the file's amplitude envelope (POST /analyze/amplitude) with its stored passages
// (GET /api/files/passages) drawn over it, each with its lead-in and lead-out, and a legend of times;
// then each passage's musical flavor (GET /passages/:guid/flavor) and its nearest passages
// (GET /passages/:guid/similar).
import { api, clock, el, passageName, passageTimes, secs, svg, TICKS_PER_SECOND } from './common.js';

const width = 1000;
const height = 240;
const top = 22;
const bottom = 200;
/**
 * The envelope is drawn in dBFS on one fixed scale for every file, 0 at the top and this floor at
 * the axis: a quiet file looks quiet (drawn from its own peak, near-silence filled the chart).
 */
const floorDb = -90;
const scaleDb = [0, -30, -60, -90];

const path = new URLSearchParams(location.search).get('path') ?? '';

function showError(text) {
  const box = document.getElementById('file-error');
  box.textContent = text;
  box.classList.remove('hidden');
}

/** Largest value per column, so short peaks stay visible. */
function columns(envelope, count) {
  const out = [];
  for (let column = 0; column < count; column++) {
    const from = Math.floor((column * envelope.length) / count);
    const to = Math.max(from + 1, Math.floor(((column + 1) * envelope.length) / count));
    let peak = 0;
    for (let i = from; i < to && i < envelope.length; i++) peak = Math.max(peak, envelope[i]);
    out.push(peak);
  }
  return out;
}

/** The height of a level in dBFS, clamped to the scale. */
function yOfDb(db) {
  return bottom - ((Math.min(0, Math.max(floorDb, db)) - floorDb) / -floorDb) * (bottom - top);
}

/** An RMS level (1 is full scale: a full-scale square wave) in dBFS. */
function dbfs(rms) {
  return rms > 0 ? 20 * Math.log10(rms) : floorDb;
}

function envelopePath(envelope, coveredTicks, x) {
  const right = x(coveredTicks);
  const count = Math.max(1, Math.min(envelope.length, Math.round(right)));
  const levels = columns(envelope, count);
  const y = (rms) => yOfDb(dbfs(rms));
  const step = right / count;
  let d = `M 0 ${bottom}`;
  levels.forEach((level, i) => {
    d += ` L ${(i * step).toFixed(1)} ${y(level).toFixed(1)} L ${((i + 1) * step).toFixed(1)} ${y(level).toFixed(1)}`;
  });
  return `${d} L ${right.toFixed(1)} ${bottom} Z`;
}

function draw(durationTicks, passages, amplitude) {
  const x = (ticks) => (Math.min(ticks, durationTicks) / durationTicks) * width;
  const chart = svg('svg', {
    class: 'envelope', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `amplitude envelope with ${passages.length} passages`, 'data-passages': passages.length,
  });
  const title = svg('title');
  title.textContent = `${path}: amplitude envelope and passages`;
  chart.append(title);

  passages.forEach((passage, index) => {
    const seq = index + 1;
    const left = x(passage.startTicks);
    const right = x(passage.endTicks);
    chart.append(svg('rect', { class: 'passage', 'data-seq': seq, x: left, y: top, width: Math.max(1, right - left), height: bottom - top }));
    const label = svg('text', { class: 'label', x: left + 4, y: top - 6 });
    label.textContent = `${seq}`;
    chart.append(label);
    if (passage.leadInStartTicks !== null) {
      const at = x(passage.leadInStartTicks);
      chart.append(svg('rect', { class: 'lead-in', 'data-seq': seq, x: left, y: top, width: Math.max(0, at - left), height: bottom - top }));
      chart.append(svg('line', { class: 'lead-in-marker', 'data-seq': seq, x1: at, x2: at, y1: top, y2: bottom }));
    }
    if (passage.leadOutStartTicks !== null) {
      const at = x(passage.leadOutStartTicks);
      chart.append(svg('rect', { class: 'lead-out', 'data-seq': seq, x: at, y: top, width: Math.max(0, right - at), height: bottom - top }));
      chart.append(svg('line', { class: 'lead-out-marker', 'data-seq': seq, x1: at, x2: at, y1: top, y2: bottom }));
    }
  });

  // Candidate boundaries the analysis rejected: thin marks, with why in their tooltip.
  passages.forEach((passage, index) => {
    for (const gap of passage.rejectedGaps ?? []) {
      const left = x(gap.startTicks);
      const mark = svg('rect', { class: 'candidate', 'data-seq': index + 1, x: left, y: top, width: Math.max(1, x(gap.endTicks) - left), height: bottom - top });
      const why = svg('title');
      why.textContent = `not a boundary: ${clock(gap.startTicks / TICKS_PER_SECOND)}, ${secs(gap.endTicks - gap.startTicks)} of silence (${gap.verdict})`;
      mark.append(why);
      chart.append(mark);
    }
  });

  // The level scale: a faint line per step under the envelope, its label over it at the right edge.
  for (const db of scaleDb) chart.append(svg('line', { class: 'db-grid', x1: 0, x2: width, y1: yOfDb(db), y2: yOfDb(db) }));
  if (amplitude) {
    const covered = amplitude.envelope.length * amplitude.window_seconds * TICKS_PER_SECOND;
    chart.append(svg('path', { class: 'env', d: envelopePath(amplitude.envelope, covered, x) }));
  }
  for (const db of scaleDb) {
    const label = svg('text', { class: 'db-label', 'data-db': db, x: width - 4, y: db === 0 ? yOfDb(db) + 12 : yOfDb(db) - 4 });
    label.textContent = `${db === 0 ? '0' : `\u2212${-db}`} dBFS`;
    chart.append(label);
  }

  chart.append(svg('line', { class: 'axis', x1: 0, x2: width, y1: bottom, y2: bottom }));
  const seconds = durationTicks / TICKS_PER_SECOND;
  const every = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600].find((step) => seconds / step <= 12) ?? 1200;
  for (let t = 0; t <= seconds; t += every) {
    const at = x(t * TICKS_PER_SECOND);
    chart.append(svg('line', { class: 'axis', x1: at, x2: at, y1: bottom, y2: bottom + 5 }));
    const label = svg('text', { x: Math.min(at + 2, width - 30), y: bottom + 18 });
    label.textContent = clock(t);
    chart.append(label);
  }
  document.getElementById('drawing').replaceChildren(chart);
}

/** What identification made of the passage, in words (docs/identification.md). */
function identifiedAs({ state, song, confidence, band, candidates, lastError }) {
  const named = (s) => `${s.title ?? 'untitled'}${s.artist ? ` — ${s.artist}` : ''}${s.album ? ` (${s.album})` : ''}`;
  if (song) return `${named(song)} · ${state === 'embedded' ? 'from its tags' : `${band} confidence, ${confidence}`}`;
  if (state === 'waiting') return 'waiting for identification';
  if (state === 'failed') return `identification failed: ${lastError}`;
  if (state === 'no-match') {
    const offered = candidates.map((c) => `${named(c)} ${c.confidence}`).join('; ');
    return offered ? `no sure match; candidates: ${offered}` : 'no match';
  }
  return 'too short to identify';
}

function legend(passages) {
  document.getElementById('legend-rows').replaceChildren(...passages.map((passage, index) => {
    const { length, leadIn, leadOut } = passageTimes(passage);
    return el('tr', { 'data-seq': index + 1 },
      el('td', { class: 'num' }, String(index + 1)),
      el('td', { class: 'title' }, passageName({ ...passage, path, number: index + 1, of: passages.length })),
      el('td', { class: 'num' }, clock(passage.startTicks / TICKS_PER_SECOND)),
      el('td', { class: 'num' }, clock(passage.endTicks / TICKS_PER_SECOND)),
      el('td', { class: 'num' }, secs(length)),
      el('td', { class: 'num' }, secs(leadIn)),
      el('td', { class: 'num' }, secs(leadOut)),
      el('td', { class: 'identified' }, identifiedAs(passage.identification)));
  }));
  document.getElementById('legend-count').textContent = `(${passages.length})`;
}

// ---------------------------------------------------------------- flavor

/** The characteristics' names as people read them; any other (a user's) shows as it is stored. */
const characteristicNames = {
  'wkmp.tempo': 'tempo', 'wkmp.key': 'key (circle of fifths)', 'wkmp.mode': 'mode', 'wkmp.loudness': 'loudness', 'wkmp.dynamics': 'dynamics',
  'wkmp.brightness': 'brightness', 'wkmp.density': 'density of onsets', 'wkmp.danceability': 'pulse (danceability)',
  danceability: 'danceability', gender: 'voice gender', genre_dortmund: 'genre (Dortmund)', genre_electronic: 'electronic genre',
  genre_rosamerica: 'genre (Rosamerica)', genre_tzanetakis: 'genre (Tzanetakis)', ismir04_rhythm: 'ballroom rhythm (ISMIR04)',
  mood_acoustic: 'acoustic', mood_aggressive: 'aggressive', mood_electronic: 'electronic', mood_happy: 'happy', mood_party: 'party',
  mood_relaxed: 'relaxed', mood_sad: 'sad', moods_mirex: 'mood cluster (MIREX)', timbre: 'timbre', tonal_atonal: 'tonal', voice_instrumental: 'voice',
};
const barWidth = 320;

/** One characteristic: its classes side by side along one bar, each as wide as its share, named in its tooltip. */
function characteristicBar(name, distribution, confidence) {
  const classes = Object.entries(distribution).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const bar = svg('svg', { class: 'flavor-bar', viewBox: `0 0 ${barWidth} 14`, width: barWidth, height: 14, role: 'img', 'data-characteristic': name });
  let at = 0;
  classes.forEach(([label, share], i) => {
    const width = share * barWidth;
    const part = svg('rect', { class: `share c${i % 10}`, x: at.toFixed(1), y: 0, width: Math.max(0, width).toFixed(1), height: 14, 'data-class': label });
    const tip = svg('title');
    tip.textContent = `${label}: ${(share * 100).toFixed(0)} %`;
    part.append(tip);
    bar.append(part);
    at += width;
  });
  const [top] = [...classes].sort((a, b) => b[1] - a[1]);
  const sure = confidence === undefined ? '' : ` · sure ${(confidence * 100).toFixed(0)} %`;
  return el('tr', { 'data-characteristic': name },
    el('td', {}, characteristicNames[name] ?? name),
    el('td', {}, bar),
    el('td', { class: 'muted' }, `${top[0]} ${(top[1] * 100).toFixed(0)} %${sure}`));
}

/** "124 BPM (sure 80 %) · A minor · −11.2 LUFS, range 6.1 LU · centroid 1.4 kHz · danceability 1.32". */
function measuredLine(f) {
  if (!f) return 'no audio descriptors (a tags pass measures none; a full import does)';
  const parts = [];
  if (f.bpm !== null) parts.push(`${Math.round(f.bpm)} BPM (sure ${(f.bpm_confidence * 100).toFixed(0)} %)`);
  if (f.key !== null && f.mode !== null) parts.push(`${f.key} ${f.mode} (strength ${f.key_strength.toFixed(2)})`);
  if (f.loudness_lufs !== null) parts.push(`${f.loudness_lufs.toFixed(1)} LUFS, range ${f.loudness_range_lu.toFixed(1)} LU`);
  parts.push(`centroid ${(f.spectral_centroid_hz / 1000).toFixed(2)} kHz`, `${f.onset_rate.toFixed(1)} onsets/s`, `danceability ${f.danceability.toFixed(2)}`);
  return parts.join(' · ');
}

function neighbourName(passage) {
  const place = passage.of > 1 ? ` (${passage.number} of ${passage.of})` : '';
  return `${passage.songTitle ?? passage.title ?? passage.path.split('/').pop()}${place}`;
}

function flavorCard(seq, passage, flavor, similar) {
  const card = el('div', { class: 'flavor-card', 'data-seq': seq });
  card.append(el('h3', {}, `${seq}. ${passageName({ ...passage, path, number: seq, of: 0 })}`));
  if (flavor === null) {
    card.append(el('p', { class: 'muted' }, 'no flavor yet: a full import measures it from the audio'));
    return card;
  }
  card.append(el('p', { class: 'flavor-sources' }, `sources: ${flavor.sources.join(' + ') || 'none'} · ${(flavor.completeness * 100).toFixed(0)} % of the characteristics`));
  card.append(el('p', { class: 'muted flavor-measured' }, measuredLine(flavor.audio_features)));
  for (const warning of flavor.warnings ?? []) card.append(el('p', { class: 'flavor-warning' }, `warning: ${warning}`));
  const names = Object.keys(flavor.flavor).sort((a, b) => (a.startsWith('wkmp.') === b.startsWith('wkmp.') ? (a < b ? -1 : 1) : a.startsWith('wkmp.') ? -1 : 1));
  card.append(el('table', { class: 'flavor' }, el('tbody', {}, ...names.map((name) => characteristicBar(name, flavor.flavor[name], flavor.confidence[name])))));
  card.append(el('h4', {}, 'nearest passages'));
  const list = el('ol', { class: 'nearest' });
  for (const n of similar) {
    list.append(el('li', { 'data-guid': n.guid },
      el('span', { class: 'distance' }, n.distance.toFixed(4)), ' ',
      el('a', { href: `/file.html?path=${encodeURIComponent(n.passage.path)}` }, neighbourName(n.passage)),
      el('span', { class: 'muted' }, ` · ${n.passage.path}`)));
  }
  if (similar.length === 0) list.append(el('li', { class: 'muted' }, 'no other passage has a flavor yet'));
  card.append(list);
  return card;
}

async function showFlavors(passages) {
  const cards = await Promise.all(passages.map(async (passage, index) => {
    const [flavor, similar] = await Promise.allSettled([
      api(`/passages/${encodeURIComponent(passage.guid)}/flavor`),
      api(`/passages/${encodeURIComponent(passage.guid)}/similar?limit=10`),
    ]);
    return flavorCard(index + 1, passage, flavor.status === 'fulfilled' ? flavor.value : null, similar.status === 'fulfilled' ? similar.value.similar : []);
  }));
  document.getElementById('flavor-passages').replaceChildren(...cards);
}

async function start() {
  document.getElementById('file-path').textContent = path || 'No file given';
  document.title = `wkmp-ai · ${path}`;
  if (!path) {
    showError('Open this page from a passage in the import list (file.html?path=…).');
    return;
  }
  const [stored, amplitude] = await Promise.allSettled([
    api(`/api/files/passages?path=${encodeURIComponent(path)}`),
    api('/analyze/amplitude', { file_path: path }),
  ]);
  const passages = stored.status === 'fulfilled' ? stored.value.passages : [];
  if (stored.status === 'rejected') showError(`passages: ${stored.reason.message}`);
  if (amplitude.status === 'rejected') showError(`envelope: ${amplitude.reason.message}`);
  const envelope = amplitude.status === 'fulfilled' ? amplitude.value : null;
  const durationTicks = Math.max(1, envelope?.end_ticks ?? 0, stored.status === 'fulfilled' ? stored.value.duration_ticks ?? 0 : 0,
    ...passages.map((passage) => passage.endTicks));
  if (stored.status === 'fulfilled') {
    const file = stored.value;
    const who = [file.title, file.artist].filter((part) => part).join(' — ');
    document.getElementById('file-line').textContent =
      `${who ? `${who} · ` : ''}${clock(durationTicks / TICKS_PER_SECOND)} · ${file.status} · ${passages.length} passage${passages.length === 1 ? '' : 's'}`;
  }
  draw(durationTicks, passages, envelope);
  legend(passages);
  await showFlavors(passages);
  document.body.setAttribute('data-ready', 'true');
}

void start();
