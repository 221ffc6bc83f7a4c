// The import page: folder picker, start / cancel, live progress from GET /import/events,
// the recorded passages, the summary and errors of the running or last import (from the database,
// whoever ran it: a reload or a late joiner sees them too), and the recent imports.
import { api, el, fileLink, passageName, passageTimes, secs, setText } from './common.js';

const phases = ['scanning', 'planning', 'analysing', 'recording', 'finishing'];
const ended = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

const view = {
  folder: '',
  /** The session followed live (this service's running or last import): its progress and passages. */
  sessionId: null,
  running: false,
  /** The `seq` of the last passage listed. */
  lastSeq: 0,
  fetching: null,
  /** Files the followed session analyses, once a progress said so. */
};

/** Per-file errors fetched at a time, and listed without asking while a session runs; beyond, "show more". */
const errorsPage = 100;

/** The session whose summary and errors are shown, with its per-file errors as listed so far (GET /import/errors). */
function shownSession(sessionId) {
  return {
    sessionId,
    /** The cursor: the id of the last error listed. */
    after: 0,
    listed: 0,
    /** How many it has, as the server last said (warnings included). */
    total: 0,
    /** Files failed, as the last progress said: when it grows, there are errors to fetch. */
    failed: 0,
    fetching: null,
    /** Asked for again while a fetch ran: fetch once more after it. */
    again: false,
    messageKeys: new Set(),
  };
}

let shown = shownSession(null);

// ---------------------------------------------------------------- folder picker

async function openFolder(path) {
  try {
    const answer = await api(`/api/folders?path=${encodeURIComponent(path)}`);
    view.folder = answer.path;
    showFolder(answer);
    showActionError(null);
  } catch (error) {
    showActionError(error.message);
  }
}

function showFolder({ path, parent, folders }) {
  const crumbs = document.getElementById('folder-crumbs');
  const parts = path === '' ? [] : path.split('/');
  const items = [el('button', { type: 'button', 'data-path': '' }, 'root')];
  parts.forEach((part, index) => {
    items.push(document.createTextNode('/'));
    items.push(el('button', { type: 'button', 'data-path': parts.slice(0, index + 1).join('/') }, part));
  });
  crumbs.replaceChildren(...items);
  const list = document.getElementById('folder-list');
  const rows = folders.map((name) => {
    const child = path === '' ? name : `${path}/${name}`;
    return el('li', {}, el('button', { type: 'button', 'data-path': child, class: 'folder' }, name));
  });
  if (parent !== null) rows.unshift(el('li', {}, el('button', { type: 'button', 'data-path': parent, class: 'up' }, '.. (up)')));
  if (rows.length === 0) rows.push(el('li', { class: 'muted' }, 'no subfolders'));
  list.replaceChildren(...rows);
  setText('chosen-folder', path === '' ? '(root folder)' : path);
}

for (const id of ['folder-crumbs', 'folder-list']) {
  document.getElementById(id).addEventListener('click', (event) => {
    const button = event.target.closest('button[data-path]');
    if (button) void openFolder(button.getAttribute('data-path'));
  });
}

function showActionError(message) {
  const box = document.getElementById('action-error');
  box.textContent = message ?? '';
  box.classList.toggle('hidden', !message);
}

// ---------------------------------------------------------------- start / cancel

document.getElementById('start').addEventListener('click', async () => {
  showActionError(null);
  try {
    const started = await api('/import/start', { root_folder: view.folder === '' ? '.' : view.folder });
    follow(started.session_id);
    setRunning(true);
    showState('SCANNING');
  } catch (error) {
    showActionError(error.message);
  }
});

document.getElementById('cancel').addEventListener('click', async () => {
  if (!view.sessionId) return;
  try {
    await api(`/import/cancel/${encodeURIComponent(view.sessionId)}`, {});
    showState('CANCELLING');
  } catch (error) {
    showActionError(error.message);
  }
});

function setRunning(running) {
  view.running = running;
  document.getElementById('start').disabled = running;
  document.getElementById('cancel').disabled = !running;
}

/** The session followed live: its passages replace the last one's. */
function beginSession(sessionId) {
  if (view.sessionId === sessionId) return;
  view.sessionId = sessionId;
  view.lastSeq = 0;
  document.getElementById('passage-rows').replaceChildren();
  setText('passage-count', '');
}

/** A running session's event: a new one is followed and shown (its summary and errors replace the last one's). */
function follow(sessionId) {
  const isNew = view.sessionId !== sessionId;
  beginSession(sessionId);
  if (isNew || shown.sessionId === null) showSession(sessionId);
}

// ---------------------------------------------------------------- progress

function showState(state) {
  const badge = document.getElementById('state');
  badge.textContent = state.toLowerCase();
  badge.setAttribute('data-state', state);
}

function showPhase(phase) {
  const at = phases.indexOf(phase);
  for (const item of document.querySelectorAll('#phases li')) {
    const index = phases.indexOf(item.getAttribute('data-phase'));
    item.classList.toggle('done', at >= 0 && index < at);
    item.classList.toggle('current', index === at);
  }
}

function showProgress(progress) {
  follow(progress.sessionId);
  if (!ended.has(progress.state)) setRunning(true);
  showState(progress.state);
  showPhase(progress.phase);
  const bar = document.getElementById('progress-bar');
  bar.max = Math.max(1, progress.filesTotal);
  bar.value = progress.filesDone;
  setText('progress-files', `${progress.filesDone} / ${progress.filesTotal}`);
  setText('progress-rate', progress.filesPerSecond.toFixed(1));
  setText('progress-realtime', `${progress.xRealtime.toFixed(1)}×`);
  setText('progress-eta', progress.etaSeconds === null ? '–' : `${Math.ceil(progress.etaSeconds)} s`);
  setText('progress-passages', String(progress.passagesRecorded));
  setText('progress-failed', String(progress.counts.failed));
  showWorkers(progress.inFlight, progress.sentAt ?? Date.now());
  addPassages(progress.recentPassages, progress.passagesRecorded);
  failedSoFar(progress.sessionId, progress.counts.failed);
}

function showWorkers(inFlight, now) {
  const list = document.getElementById('workers');
  setText('worker-count', inFlight.length > 0 ? `(${inFlight.length} busy)` : '');
  if (inFlight.length === 0) {
    list.replaceChildren(el('li', { class: 'muted' }, el('span', {}, 'no file being analysed')));
    return;
  }
  list.replaceChildren(...inFlight.map((item) => el('li', { 'data-path': item.path },
    el('span', { title: item.path }, item.path),
    el('span', {}, `${Math.max(0, (now - item.sinceMs) / 1000).toFixed(1)} s`))));
}

// ---------------------------------------------------------------- passages

function passageRow(passage) {
  const { length, leadIn, leadOut } = passageTimes(passage);
  const title = el('td', { class: passage.title === null && passage.recordingMbid === null ? 'title unidentified' : 'title' }, passageName(passage));
  if (passage.artist) title.append(el('span', { class: 'muted' }, ` — ${passage.artist}`));
  return el('tr', { 'data-seq': passage.seq },
    el('td', { class: 'num' }, String(passage.seq)),
    title,
    el('td', {}, fileLink(passage.path)),
    el('td', { class: 'num' }, secs(length)),
    el('td', { class: 'num' }, secs(leadIn)),
    el('td', { class: 'num' }, secs(leadOut)));
}

function appendPassages(passages) {
  const rows = document.getElementById('passage-rows');
  const scroller = document.getElementById('passage-scroll');
  const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 4;
  for (const passage of passages) {
    if (passage.seq !== view.lastSeq + 1) continue;
    rows.append(passageRow(passage));
    view.lastSeq = passage.seq;
  }
  setText('passage-count', `(${view.lastSeq})`);
  if (atBottom) scroller.scrollTop = scroller.scrollHeight;
}

/** Lists the recent ones if they follow on; fetches any gap from GET /import/passages. */
function addPassages(recent, latestSeq) {
  appendPassages(recent.filter((passage) => passage.seq > view.lastSeq));
  if (latestSeq > view.lastSeq) void catchUp();
}

/** Fetches every passage after the last listed one (one fetch at a time). */
function catchUp() {
  view.fetching ??= (async () => {
    try {
      for (;;) {
        const session = view.sessionId;
        const query = session ? `session=${encodeURIComponent(session)}&` : '';
        const answer = await api(`/import/passages?${query}after=${view.lastSeq}&limit=1000`);
        if (answer.session_id !== view.sessionId) beginSession(answer.session_id);
        if (answer.passages.length === 0) break;
        appendPassages(answer.passages);
      }
    } catch (error) {
      addMessage(`passages: ${error.message}`);
    } finally {
      view.fetching = null;
    }
  })();
  return view.fetching;
}

// ---------------------------------------------------------------- the shown session: errors and summary

/** Shows another session (or none): its summary and errors replace the last one's. */
function showSession(sessionId) {
  shown = shownSession(sessionId);
  document.getElementById('errors').replaceChildren();
  document.getElementById('session-messages').replaceChildren();
  showErrorCount();
  document.getElementById('summary').classList.add('hidden');
  document.getElementById('summary-empty').classList.remove('hidden');
  markRecent();
  if (sessionId !== null) void fetchErrors();
}

/** A message about the shown session that is not a file's error (a warning, why it failed), once each. */
function addMessage(text) {
  if (shown.messageKeys.has(text)) return;
  shown.messageKeys.add(text);
  document.getElementById('session-messages').append(el('li', {}, text));
}

function errorItem(error) {
  return el('li', { 'data-id': error.id },
    el('span', { class: 'path' }, error.path), `: ${error.phase} ${error.code}: ${error.message}`);
}

function showErrorCount() {
  const { listed, total } = shown;
  setText('error-count', total === 0 ? '' : listed < total ? `(${listed} of ${total})` : `(${total})`);
  const more = document.getElementById('errors-more');
  more.classList.toggle('hidden', listed >= total);
  more.textContent = `show more (${total - listed} more)`;
}

/** The next page of the shown session's errors, after the last one listed; one fetch at a time. */
function fetchErrors(list = shown) {
  if (list.fetching) {
    list.again = true;
    return list.fetching;
  }
  list.fetching = (async () => {
    try {
      const answer = await api(`/import/errors?session=${encodeURIComponent(list.sessionId)}&after=${list.after}&limit=${errorsPage}`);
      if (list !== shown) return;
      document.getElementById('errors').append(...answer.errors.map(errorItem));
      list.after = answer.next_after;
      list.listed += answer.errors.length;
      list.total = answer.total;
      showErrorCount();
    } catch (error) {
      if (list === shown) addMessage(`errors: ${error.message}`);
    } finally {
      list.fetching = null;
    }
    if (list === shown && list.again) {
      list.again = false;
      await fetchErrors(list);
    }
  })();
  return list.fetching;
}

document.getElementById('errors-more').addEventListener('click', () => void fetchErrors());

/** A progress said how many files failed so far: when more did, fetch the new errors while the list is short, else count them. */
function failedSoFar(sessionId, failed) {
  if (shown.sessionId !== sessionId || failed <= shown.failed) return;
  shown.failed = failed;
  if (shown.listed < errorsPage) {
    void fetchErrors();
  } else {
    shown.total = Math.max(shown.total, failed);
    showErrorCount();
  }
}

const summaryFigures = [
  ['recorded', 'recorded'], ['passages', 'passages'], ['songs', 'songs'], ['new', 'new'], ['changed', 'changed'],
  ['unchanged', 'unchanged'], ['missing', 'missing'], ['duplicates', 'duplicates'], ['noAudio', 'no audio'], ['failed', 'failed'],
];
/** What became of known files, shown when an import met any: their rows and passages kept. */
const identityFigures = [['moved', 'moved'], ['retagged', 'retagged'], ['reencoded', 're-encoded'], ['ambiguous', 'ambiguous upgrade'], ['offline', 'offline']];

const origins = { cli: 'from the command line', service: 'from this service', watch: 'by the folder watcher' };

/** What the summary panel shows, from an end-of-import event (this service ran it). */
function endedSummary(summary) {
  return {
    sessionId: summary.sessionId, state: summary.state, origin: 'service', folder: summary.folder,
    durationMs: summary.durationMs, filesPerSecond: summary.filesPerSecond, counts: summary.counts, messages: [],
  };
}

/** What the summary panel shows, from a session of GET /import/sessions (whoever ran it). */
function listedSummary(session) {
  const durationMs = session.ended_at === null ? null : Date.parse(session.ended_at) - Date.parse(session.started_at);
  return {
    sessionId: session.session_id, state: session.state, origin: session.origin, folder: session.folder,
    durationMs: Number.isFinite(durationMs) ? durationMs : null, filesPerSecond: null, counts: session.counts,
    messages: Array.isArray(session.session_errors) ? session.session_errors.map(String) : [],
  };
}

function showSummary(summary) {
  if (shown.sessionId !== summary.sessionId) return;
  document.getElementById('summary-empty').classList.add('hidden');
  document.getElementById('summary').classList.remove('hidden');
  const badge = document.getElementById('summary-state');
  badge.textContent = summary.state.toLowerCase();
  badge.setAttribute('data-state', summary.state);
  const origin = document.getElementById('summary-origin');
  origin.textContent = origins[summary.origin] ?? '';
  origin.setAttribute('data-origin', summary.origin ?? '');
  const counts = summary.counts ?? {};
  const parts = [summary.folder ? summary.folder : 'the root folder'];
  if (summary.durationMs !== null) parts[0] += ` in ${(summary.durationMs / 1000).toFixed(1)} s`;
  if (summary.filesPerSecond !== null) parts.push(`${summary.filesPerSecond.toFixed(1)} files/s`);
  if (typeof counts.audioSeconds === 'number') parts.push(`${Math.round(counts.audioSeconds)} s of audio`);
  setText('summary-line', parts.join(' · '));
  // Passages with a flavor, by source ("wkmp-ai audio", "AcousticBrainz"): a passage with both counts in both.
  const flavored = Object.entries(counts.flavoredPassages ?? {}).map(([source, n]) =>
    el('div', {}, el('dt', {}, `flavor: ${source}`), el('dd', { 'data-flavor-source': source }, String(n))));
  const figures = [...summaryFigures, ...identityFigures.filter(([key]) => counts[key] > 0)];
  document.getElementById('summary-counts').replaceChildren(...figures.map(([key, label]) =>
    el('div', {}, el('dt', {}, label), el('dd', { 'data-count': key }, typeof counts[key] === 'number' ? String(counts[key]) : '–'))), ...flavored);
  for (const message of summary.messages) addMessage(message);
}

/** The followed import ended: the progress says so, and the summary shows if it is the session shown. */
function endLive(summary) {
  follow(summary.sessionId);
  setRunning(false);
  showState(summary.state);
  showPhase(summary.state === 'COMPLETED' ? 'finishing' : null);
  showWorkers([], 0);
  // The last progress before the end may not have been sent: the summary has the final figures.
  if (summary.state === 'COMPLETED') {
    // The files analysed, from the summary's own counts (state.ts: new, changed and upgraded are what
    // was planned): a short import may end before any progress after planning reached this page.
    const total = summary.counts.new + summary.counts.changed + summary.counts.upgraded;
    const bar = document.getElementById('progress-bar');
    bar.max = Math.max(1, total);
    bar.value = bar.max;
    setText('progress-files', `${total} / ${total}`);
  }
  setText('progress-eta', '–');
  setText('progress-passages', String(summary.counts.passages));
  setText('progress-failed', String(summary.counts.failed));
  showSummary(endedSummary(summary));
  // The errors committed since the last fetch (the event carries only the first ones).
  if (shown.sessionId === summary.sessionId && shown.listed < errorsPage) void fetchErrors();
  void catchUp();
  void listRecent();
}

// ---------------------------------------------------------------- recent imports

const recentCount = 10;
/** The sessions listed, by id. */
const recent = new Map();

function recentItem(session) {
  const counts = session.counts ?? {};
  const when = new Date(session.started_at);
  const figures = [
    typeof counts.recorded === 'number' ? `${counts.recorded} recorded` : null,
    `${session.file_errors} ${session.file_errors === 1 ? 'error' : 'errors'}`,
  ].filter(Boolean).join(', ');
  return el('li', {}, el('button', { type: 'button', 'data-session': session.session_id },
    el('span', { class: 'state', 'data-state': session.state }, session.state.toLowerCase()),
    el('span', { class: 'origin', 'data-origin': session.origin ?? '' }, session.origin === 'cli' ? 'command line' : session.origin ?? ''),
    el('span', {}, Number.isNaN(when.getTime()) ? session.started_at : when.toLocaleString()),
    el('span', { class: 'chosen' }, session.folder ? session.folder : '(root folder)'),
    el('span', { class: 'muted' }, figures)));
}

/** The latest sessions from the database (GET /import/sessions); returns them, the latest first. */
async function listRecent() {
  try {
    const { sessions } = await api(`/import/sessions?limit=${recentCount}`);
    recent.clear();
    for (const session of sessions) recent.set(session.session_id, session);
    const list = document.getElementById('recent-list');
    list.replaceChildren(...(sessions.length === 0 ? [el('li', { class: 'muted' }, 'none yet')] : sessions.map(recentItem)));
    markRecent();
    // A session that ended without this page seeing its summary (it failed, or another process ran it): from its row.
    const current = recent.get(shown.sessionId);
    if (current && ended.has(current.state) && document.getElementById('summary').classList.contains('hidden')) showSummary(listedSummary(current));
    return sessions;
  } catch (error) {
    showActionError(error.message);
    return [];
  }
}

function markRecent() {
  for (const button of document.querySelectorAll('#recent-list button[data-session]')) {
    button.setAttribute('aria-current', String(button.getAttribute('data-session') === shown.sessionId));
  }
}

/** Shows a session of the list: its summary (once it has ended) and its errors. */
function showListed(session) {
  showSession(session.session_id);
  if (ended.has(session.state)) showSummary(listedSummary(session));
}

document.getElementById('recent-list').addEventListener('click', (event) => {
  const button = event.target.closest('button[data-session]');
  const session = button && recent.get(button.getAttribute('data-session'));
  if (session) showListed(session);
});

// ---------------------------------------------------------------- identification

const queueFigures = [['waiting', 'waiting'], ['done', 'identified'], ['noMatch', 'no match'], ['failed', 'failed']];

/** The identification queue (GET /import/identification, IdentificationProgress events). */
function showQueue(queue) {
  const badge = document.getElementById('queue-state');
  const state = queue.paused ? 'PAUSED' : queue.running === false || queue.counts.due === 0 ? 'IDLE' : 'RUNNING';
  badge.dataset.state = state;
  badge.textContent = state.toLowerCase();
  document.getElementById('queue-counts').replaceChildren(...queueFigures.map(([key, label]) =>
    el('div', {}, el('dt', {}, label), el('dd', { 'data-count': key }, String(queue.counts[key])))));
  const requests = `${queue.requests.acoustId} AcoustID and ${queue.requests.musicBrainz} MusicBrainz requests in this run`;
  const eta = queue.etaSeconds === null || queue.counts.due === 0 ? '' : ` · about ${Math.ceil(queue.etaSeconds / 60)} min left`;
  document.getElementById('queue-line').textContent = queue.paused ? `Paused: ${queue.paused}` : `${requests}${eta}`;
}

// ---------------------------------------------------------------- the folder watcher

/** "Watching 12 folders · last imported Artist B, 12:03:04 (completed)", or polling and why, or off and why. */
function watchLine(watch) {
  const now = {
    watching: () => `watching ${watch.folders} folders`,
    polling: () => `rescanning every ${watch.every_minutes} min, because ${watch.reason}`,
    'catching up': () => 'importing what changed while the service was stopped',
    off: () => `off (${watch.reason})`,
    stopped: () => 'stopped',
  }[watch.mode]?.() ?? watch.mode;
  const waiting = watch.waiting?.length ? ` · waiting for the running import to import ${watch.waiting.map((folder) => folder || 'the root folder').join(', ')}` : '';
  const last = watch.last_import;
  if (!last) return `Folder watcher: ${now}${waiting}`;
  const folders = last.folders.map((folder) => folder || 'the root folder').join(', ');
  const when = new Date(last.ended_at).toLocaleTimeString();
  return `Folder watcher: ${now}${waiting} · last imported ${folders} at ${when} (${last.failure ?? last.state.toLowerCase()})`;
}

async function showWatch() {
  try {
    const watch = await api('/import/watch');
    const line = document.getElementById('watch-state');
    line.textContent = watchLine(watch);
    line.setAttribute('data-mode', watch.mode);
  } catch (error) {
    setText('watch-state', `Folder watcher: ${error.message}`);
  }
}

// ---------------------------------------------------------------- live events

function listen() {
  const source = new EventSource('/import/events');
  const on = (name, handle) => source.addEventListener(name, (event) => handle(JSON.parse(event.data)));
  on('ImportSessionStarted', (data) => {
    follow(data.sessionId);
    setRunning(true);
    showState('SCANNING');
    showPhase('scanning');
    void listRecent();
  });
  on('ImportProgressUpdate', (data) => showProgress(data.progress));
  on('ImportSessionCompleted', (data) => {
    endLive(data.summary);
    void showWatch();
  });
  on('ImportSessionCancelled', (data) => {
    endLive(data.summary);
    void showWatch();
  });
  on('ImportSessionFailed', (data) => {
    follow(data.sessionId);
    setRunning(false);
    showState('FAILED');
    if (shown.sessionId === data.sessionId) addMessage(data.message);
    void listRecent();
  });
  on('AnalysisLog', (data) => {
    if (data.level === 'warn' && shown.sessionId === view.sessionId) addMessage(data.message);
  });
  on('IdentificationProgress', (data) => showQueue(data.identification));
  source.addEventListener('open', () => document.body.setAttribute('data-events', 'open'));
}

async function start() {
  listen();
  await openFolder('');
  try {
    const { session } = await api('/import/active');
    if (session) {
      follow(session.session_id);
      setRunning(true);
      showState(session.state);
      if (session.progress) showProgress(session.progress);
    }
  } catch (error) {
    showActionError(error.message);
  }
  await catchUp();
  await showWatch();
  // No import followed: the last one, whoever ran it, from the database.
  const [last] = await listRecent();
  if (last && shown.sessionId === null) showListed(last);
  await shown.fetching;
  try {
    showQueue(await api('/import/identification'));
  } catch (error) {
    showActionError(error.message);
  }
  document.body.setAttribute('data-ready', 'true');
}

void start();
