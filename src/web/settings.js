// The settings page: GET /api/settings fills the form, Save posts the changed values to
// POST /api/settings (which checks them all and stores all or none).
import { api, el } from './common.js';

const groups = [
  ['Identification', [
    ['acoustid_api_key', 'AcoustID API key', 'text', 'empty: no AcoustID look-ups'],
  ]],
  ['Import', [
    ['ingest_max_concurrent_jobs', 'concurrent analyses (workers)', 'number', 'files analysed at once'],
  ]],
  ['Song boundaries (passages)', [
    ['silence_threshold_dB', 'silence threshold (dB below full scale)', 'number', 'peaks below −this dBFS are silence; raised above a noise floor'],
    ['silence_min_duration_ticks', 'shortest gap between songs (ticks)', 'number', '28,224,000 ticks = 1 s'],
    ['minimum_song_duration_ticks', 'shortest passage that stands alone (ticks)', 'number', 'shorter fragments join a neighbour'],
    ['minimum_passage_audio_duration_ticks', 'least sound for a file to have audio (ticks)', 'number', 'less: NO AUDIO'],
  ]],
  ['Lead-in and lead-out (amplitude)', [
    ['rms_window_ms', 'RMS window (ms)', 'number', ''],
    ['lead_in_threshold_db', 'lead-in threshold (dB from the peak)', 'number', ''],
    ['lead_out_threshold_db', 'lead-out threshold (dB from the peak)', 'number', ''],
    ['quick_ramp_threshold', 'quick ramp threshold (fraction of the peak)', 'number', ''],
    ['quick_ramp_duration_s', 'quick ramp duration (s)', 'number', ''],
    ['max_lead_in_duration_s', 'longest lead-in (s)', 'number', ''],
    ['max_lead_out_duration_s', 'longest lead-out (s)', 'number', ''],
    ['apply_a_weighting', 'A-weighting', 'checkbox', 'weight the envelope as the ear hears'],
  ]],
];

const form = document.getElementById('settings-form');
/** The values as loaded (text or null), to send only what changed. */
let loaded = {};

function inputFor(key, kind) {
  if (kind === 'checkbox') return el('input', { type: 'checkbox', id: key, name: key });
  return el('input', { type: 'text', inputmode: kind === 'number' ? 'decimal' : undefined, id: key, name: key, autocomplete: 'off' });
}

function build() {
  const nodes = [];
  for (const [title, fields] of groups) {
    nodes.push(el('h3', {}, title));
    for (const [key, label, kind, hint] of fields) {
      nodes.push(el('label', { for: key }, label), inputFor(key, kind));
      if (hint) nodes.push(el('div', { class: 'hint' }, hint));
    }
  }
  form.replaceChildren(...nodes);
}

function fill(settings) {
  loaded = settings;
  for (const [, fields] of groups) {
    for (const [key, , kind] of fields) {
      const input = document.getElementById(key);
      const value = settings[key];
      if (kind === 'checkbox') input.checked = value === 'true';
      else input.value = value ?? '';
    }
  }
}

/** What the form holds, as the API takes it: text, a boolean, or null for an empty key. */
function current() {
  const values = {};
  for (const [, fields] of groups) {
    for (const [key, , kind] of fields) {
      const input = document.getElementById(key);
      if (kind === 'checkbox') values[key] = input.checked ? 'true' : 'false';
      else values[key] = input.value.trim() === '' && key === 'acoustid_api_key' ? null : input.value.trim();
    }
  }
  return values;
}

function say(text, good) {
  const box = document.getElementById('settings-message');
  box.textContent = text;
  box.className = `message ${good ? 'good' : 'bad'}`;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const changed = Object.fromEntries(Object.entries(current()).filter(([key, value]) => value !== (loaded[key] ?? null)));
  if (Object.keys(changed).length === 0) {
    say('Nothing changed.', true);
    return;
  }
  try {
    const answer = await api('/api/settings', changed);
    fill(answer.settings);
    say(`Saved ${Object.keys(changed).join(', ')}.`, true);
  } catch (error) {
    say(error.message, false);
  }
});

build();
try {
  fill((await api('/api/settings')).settings);
  document.body.setAttribute('data-ready', 'true');
} catch (error) {
  say(error.message, false);
}
