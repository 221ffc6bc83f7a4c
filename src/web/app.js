// The import page: folder picker, start / cancel, live progress from GET /import/events,
// the recorded passages, the errors and the summary.
import { api, el, fileLink, passageName, passageTimes, secs, setText } from './common.js';

const phases = ['scanning', 'planning', 'analysing', 'recording', 'finishing'];
const ended = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

const view = {
  folder: '',
  /** The session shown: its passages are listed. */
  sessionId: null,
  running: false,
  /** The `seq` of the last passage listed. */
  lastSeq: 0,
  fetching: null,
  errorKeys: new Set(),
  /** Files the shown session analyses, once a progress said so. */
  filesTotal: null,
};

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
    beginSession(started.session_id);
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

/** A new session: its passages, errors and summary replace the last one's. */
function beginSession(sessionId) {
  if (view.sessionId === sessionId) return;
  view.sessionId = sessionId;
  view.lastSeq = 0;
  view.filesTotal = null;
  view.errorKeys.clear();
  document.getElementById('passage-rows').replaceChildren();
  document.getElementById('errors').replaceChildren();
  setText('passage-count', '');
  setText('error-count', '');
  document.getElementById('summary').classList.add('hidden');
  document.getElementById('summary-empty').classList.remove('hidden');
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
  beginSession(progress.sessionId);
  if (!ended.has(progress.state)) setRunning(true);
  showState(progress.state);
  showPhase(progress.phase);
  view.filesTotal = progress.filesTotal;
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
      addError(`passages: ${error.message}`);
    } finally {
      view.fetching = null;
    }
  })();
  return view.fetching;
}

// ---------------------------------------------------------------- errors and summary

function addError(text, path) {
  const key = `${path ?? ''}\u0000${text}`;
  if (view.errorKeys.has(key)) return;
  view.errorKeys.add(key);
  const item = el('li', {});
  if (path) item.append(el('span', { class: 'path' }, path), document.createTextNode(': '));
  item.append(document.createTextNode(text));
  document.getElementById('errors').append(item);
  setText('error-count', `(${view.errorKeys.size})`);
}

const summaryFigures = [
  ['recorded', 'recorded'], ['passages', 'passages'], ['songs', 'songs'], ['new', 'new'], ['changed', 'changed'],
  ['unchanged', 'unchanged'], ['missing', 'missing'], ['duplicates', 'duplicates'], ['noAudio', 'no audio'], ['failed', 'failed'],
];

function showSummary(summary) {
  beginSession(summary.sessionId);
  setRunning(false);
  showState(summary.state);
  showPhase(summary.state === 'COMPLETED' ? 'finishing' : null);
  showWorkers([], 0);
  // The last progress before the end may not have been sent: the summary has the final figures.
  if (summary.state === 'COMPLETED') {
    const bar = document.getElementById('progress-bar');
    bar.value = bar.max;
    if (view.filesTotal !== null) setText('progress-files', `${view.filesTotal} / ${view.filesTotal}`);
  }
  setText('progress-eta', '–');
  setText('progress-passages', String(summary.counts.passages));
  setText('progress-failed', String(summary.counts.failed));
  document.getElementById('summary-empty').classList.add('hidden');
  document.getElementById('summary').classList.remove('hidden');
  const badge = document.getElementById('summary-state');
  badge.textContent = summary.state.toLowerCase();
  badge.setAttribute('data-state', summary.state);
  const folder = summary.folder === '' ? 'the root folder' : summary.folder;
  setText('summary-line', `${folder} in ${(summary.durationMs / 1000).toFixed(1)} s · ${summary.filesPerSecond.toFixed(1)} files/s · ${Math.round(summary.counts.audioSeconds)} s of audio`);
  document.getElementById('summary-counts').replaceChildren(...summaryFigures.map(([key, label]) =>
    el('div', {}, el('dt', {}, label), el('dd', { 'data-count': key }, String(summary.counts[key])))));
  for (const error of summary.errors) addError(`${error.phase} ${error.code}: ${error.message}`, error.path);
  void catchUp();
}

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

// ---------------------------------------------------------------- live events

function listen() {
  const source = new EventSource('/import/events');
  const on = (name, handle) => source.addEventListener(name, (event) => handle(JSON.parse(event.data)));
  on('ImportSessionStarted', (data) => {
    beginSession(data.sessionId);
    setRunning(true);
    showState('SCANNING');
    showPhase('scanning');
  });
  on('ImportProgressUpdate', (data) => showProgress(data.progress));
  on('ImportSessionCompleted', (data) => showSummary(data.summary));
  on('ImportSessionCancelled', (data) => showSummary(data.summary));
  on('ImportSessionFailed', (data) => {
    beginSession(data.sessionId);
    setRunning(false);
    showState('FAILED');
    addError(data.message);
  });
  on('AnalysisLog', (data) => {
    if (data.level === 'warn') addError(data.message);
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
      beginSession(session.session_id);
      setRunning(true);
      showState(session.state);
      if (session.progress) showProgress(session.progress);
    }
  } catch (error) {
    showActionError(error.message);
  }
  await catchUp();
  try {
    showQueue(await api('/import/identification'));
  } catch (error) {
    showActionError(error.message);
  }
  document.body.setAttribute('data-ready', 'true');
}

void start();
