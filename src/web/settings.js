// The settings page, built from the settings' one declaration (GET /api/settings/fields): each
// field with its label, help, unit and bounds, numbers in the unit people read (ticks as seconds).
// GET /api/settings fills it; Save checks the changed values against the same bounds and posts
// them to POST /api/settings, which checks them again and stores all or none. A secret is never
// shown: the page says whether it is set, and a new value replaces it.
import { api, el } from './common.js';

const form = document.getElementById('settings-form');
/** Every field, by key, as the server declared it. */
let fields = new Map();
/** The stored text of each setting as loaded, to send only what changed. */
let loaded = {};
/** Secrets cleared with their Remove button, sent as null on Save. */
const cleared = new Set();

/** Stored text → what the field shows (numbers in their shown unit, at most 6 decimals). */
function shown(field, text) {
  if (text === null || text === undefined) return '';
  if (field.type !== 'integer' && field.type !== 'number') return text;
  const value = Number(text) * field.perStored;
  return String(Math.round(value * 1e6) / 1e6);
}

/** A number in its shown unit → stored text, or an Error naming the field and its bounds. */
function stored(field, input) {
  const value = Number(input);
  const min = field.min * field.perStored;
  const max = field.max * field.perStored;
  const unit = field.unit ? ` ${field.unit}` : '';
  const wanted = `${field.label} must be ${field.type === 'integer' && field.perStored === 1 ? 'a whole number' : 'a number'} from ${shown(field, String(field.min))} to ${shown(field, String(field.max))}${unit}`;
  if (input === '' || !Number.isFinite(value) || value < min || value > max) return new Error(`${wanted}, got "${input}"`);
  const raw = value / field.perStored;
  const text = field.type === 'integer' ? Math.round(raw) : raw;
  if (field.type === 'integer' && field.perStored === 1 && !Number.isInteger(value)) return new Error(`${wanted}, got "${input}"`);
  return String(text);
}

function hintOf(field) {
  const parts = [field.help];
  if (field.min !== null) parts.push(`${shown(field, String(field.min))} to ${shown(field, String(field.max))}${field.unit ? ` ${field.unit}` : ''}`);
  if (field.defaultText) parts.push(`default: ${field.defaultText}`);
  else if (field.default !== null && !field.secret) parts.push(`default: ${shown(field, field.default)}${field.unit ? ` ${field.unit}` : ''}`);
  return parts.join(' · ');
}

function inputFor(field) {
  if (field.type === 'boolean') return el('input', { type: 'checkbox', id: field.key, name: field.key });
  const numeric = field.type === 'integer' || field.type === 'number';
  const input = el('input', {
    type: field.secret ? 'password' : 'text', id: field.key, name: field.key, autocomplete: field.secret ? 'new-password' : 'off',
    inputmode: numeric ? 'decimal' : undefined, 'aria-describedby': `${field.key}-hint`,
  });
  if (field.secret) {
    const remove = el('button', { type: 'button', id: `${field.key}-remove`, class: 'small' }, 'Remove');
    remove.addEventListener('click', () => {
      cleared.add(field.key);
      input.value = '';
      input.placeholder = 'removed when you save';
    });
    return el('span', { class: 'row' }, input, remove);
  }
  return input;
}

function build(groups) {
  const nodes = [];
  for (const group of groups) {
    const members = [...fields.values()].filter((field) => field.group === group.id);
    if (members.length === 0) continue;
    nodes.push(el('h3', {}, group.title));
    for (const field of members) {
      const unit = field.unit ? ` (${field.unit})` : '';
      nodes.push(el('label', { for: field.key }, `${field.label}${unit}`), inputFor(field));
      nodes.push(el('div', { class: 'hint', id: `${field.key}-hint` }, hintOf(field)));
    }
  }
  form.replaceChildren(...nodes);
}

function fill(answer) {
  loaded = answer.settings;
  cleared.clear();
  for (const field of fields.values()) {
    const input = document.getElementById(field.key);
    if (field.secret) {
      const state = answer.secrets[field.key];
      input.value = '';
      input.placeholder = !state.set ? 'not set' : state.from === 'environment' ? `set in the environment (${field.env})` : 'set: type a new one to replace it';
    } else if (field.type === 'boolean') {
      input.checked = (loaded[field.key] ?? field.default) === 'true';
    } else {
      input.value = shown(field, loaded[field.key]);
      if (field.defaultText) input.placeholder = `${shown(field, field.default)}: ${field.defaultText}`;
    }
  }
}

/** What changed, as the API takes it; throws the first value out of bounds. */
function changes() {
  const values = {};
  for (const field of fields.values()) {
    const input = document.getElementById(field.key);
    if (field.secret) {
      if (input.value.trim() !== '') values[field.key] = input.value.trim();
      else if (cleared.has(field.key)) values[field.key] = null;
      continue;
    }
    let value;
    if (field.type === 'boolean') value = input.checked ? 'true' : 'false';
    else if (field.type === 'integer' || field.type === 'number') {
      const text = input.value.trim();
      if (text === '' && field.defaultText) value = null; // back to the machine's own default
      else {
        value = stored(field, text);
        if (value instanceof Error) {
          input.focus();
          throw value;
        }
      }
    } else value = input.value.trim() === '' ? null : input.value.trim();
    const before = loaded[field.key] ?? (field.type === 'boolean' ? field.default : null);
    if (value === before || (value !== null && before !== null && Number(value) === Number(before) && field.type !== 'text' && field.type !== 'url')) continue;
    values[field.key] = value;
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
  let changed;
  try {
    changed = changes();
  } catch (error) {
    say(error.message, false);
    return;
  }
  if (Object.keys(changed).length === 0) {
    say('Nothing changed.', true);
    return;
  }
  try {
    fill(await api('/api/settings', changed));
    say(`Saved ${Object.keys(changed).map((key) => fields.get(key).label).join(', ')}.`, true);
  } catch (error) {
    say(error.message, false);
  }
});

try {
  const declared = await api('/api/settings/fields');
  fields = new Map(declared.fields.map((field) => [field.key, field]));
  build(declared.groups);
  fill(await api('/api/settings'));
  document.body.setAttribute('data-ready', 'true');
} catch (error) {
  say(error.message, false);
}
