// Helpers shared by the pages. Every value from the server goes into the page as text
// (textContent, attributes set one by one), never as markup.

export const TICKS_PER_SECOND = 28_224_000;

/** A new element: `attrs` are set as attributes, `children` are nodes or strings (as text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
  }
  for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

/** A new SVG element with these attributes. */
export function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/** Sets an element's text by id. */
export function setText(id, text) {
  const node = document.getElementById(id);
  if (node) node.textContent = text;
}

/** GET or POST JSON; a non-2xx answer throws its one-line message. A 401 asks for the service's token first. */
export async function api(path, body) {
  const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  const data = await response.json();
  if (response.status === 401) askForToken();
  if (!response.ok) throw new Error(data?.message ?? `${response.status} ${response.statusText}`);
  return data;
}

/**
 * The service, bound beyond loopback, asks for its token (printed when it first started, kept in
 * ~/.config/wkmp/wkmp-ai.token): asked once, in a dialog; POST /api/login keeps it in a cookie
 * no script can read, and the page starts again with it.
 */
function askForToken() {
  if (document.getElementById('token-dialog')) return;
  const input = el('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'current-password', required: true });
  const message = el('p', { class: 'message hidden', id: 'token-message', role: 'status' });
  const form = el('form', { method: 'dialog', id: 'token-form' },
    el('h2', {}, 'This wkmp-ai asks for its token'),
    el('p', { class: 'muted' }, 'It was printed when the service first started beyond this machine, and is kept in wkmp-ai.token in its config folder (~/.config/wkmp).'),
    el('label', { for: 'token' }, 'token'), input, message,
    el('div', { class: 'row actions' }, el('button', { type: 'submit', class: 'primary', id: 'token-submit' }, 'Continue')));
  const dialog = el('dialog', { id: 'token-dialog' }, form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const answer = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: input.value }) });
    if (answer.ok) {
      location.reload();
      return;
    }
    const data = await answer.json().catch(() => null);
    message.textContent = data?.message ?? `${answer.status} ${answer.statusText}`;
    message.className = 'message bad';
  });
  document.body.append(dialog);
  dialog.showModal();
}

/** 1:02.5 from seconds (minutes:seconds, one decimal). */
export function clock(seconds) {
  if (!Number.isFinite(seconds)) return '–';
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `${minutes}:${rest.toFixed(1).padStart(4, '0')}`;
}

/** Seconds with one decimal: 2.3 s. */
export function secs(ticks) {
  return ticks === null || ticks === undefined ? '–' : `${(ticks / TICKS_PER_SECOND).toFixed(1)} s`;
}

/** A passage's length, lead-in and lead-out in ticks (absolute lead points, as stored). */
export function passageTimes(passage) {
  const { startTicks, endTicks, leadInStartTicks, leadOutStartTicks } = passage;
  return {
    length: endTicks - startTicks,
    leadIn: leadInStartTicks === null ? null : leadInStartTicks - startTicks,
    leadOut: leadOutStartTicks === null ? null : endTicks - leadOutStartTicks,
  };
}

/** A stored path's last part: the file's name without its folder. */
export function fileName(path) {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The name a passage is shown by: its title; else, when identified, "identified passage"; else
 * the name of its file (`passage.path`, without the folder), numbered "name (2 of 3)" when the
 * file has several passages (`number` of `of`).
 */
export function passageName(passage) {
  if (passage.title) return passage.title;
  if (passage.recordingMbid) return 'identified passage';
  const name = passage.path ? fileName(passage.path) : 'untitled passage';
  return passage.of > 1 ? `${name} (${passage.number} of ${passage.of})` : name;
}

/** The link to a file's page. */
export function fileLink(path) {
  return el('a', { href: `/file.html?path=${encodeURIComponent(path)}`, class: 'file' }, path);
}
