import cliProgress from 'cli-progress';
import type { QueueProgress } from '../identify/queue.js';
import type { FlavorProgress } from '../flavoring/queue.js';
import type { DumpProgress } from '../flavoring/dump.js';
import type { ImportEvent, ImportProgress } from '../import/events.js';

/** "42s", "3m05s", "2h07m"; null when there is no estimate yet. */
export function formatEta(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `size` cells, filled in proportion of `done` to `total`; empty while there is no total (planning 0/0). */
export function formatBar(done: number, total: number, size: number): string {
  const filled = total > 0 ? Math.min(size, Math.max(0, Math.round((done / total) * size))) : 0;
  return '\u2588'.repeat(filled) + '\u2591'.repeat(size - filled);
}

/**
 * One line of the import's progress. Each figure shows only when it means something: the rate
 * and the ETA once files are being analysed at a known pace, the audio minutes and the times
 * real time once something was decoded (a tags pass, a rescan and the last phase decode nothing).
 */
export function formatProgress(p: ImportProgress, barSize = 30): string {
  const c = p.counts;
  const eta = p.filesDone < p.filesTotal ? formatEta(p.etaSeconds) : null;
  const audio = c.audioSeconds > 0 ? `${(c.audioSeconds / 60).toFixed(1)} audio min${p.xRealtime > 0 ? `, ${p.xRealtime}x realtime` : ''}` : null;
  // Most wanted first: a narrow terminal cuts the end of the line (fitToWidth).
  return [
    ` ${p.phase.padEnd(9)} |${formatBar(p.filesDone, p.filesTotal, barSize)}| ${p.filesDone}/${p.filesTotal} files`,
    p.filesPerSecond > 0 ? `${p.filesPerSecond} files/s` : null,
    eta === null ? null : `ETA ${eta}`,
    `${c.passages} passages`,
    `${c.failed} failed`,
    audio,
  ].filter((part) => part !== null).join(' | ');
}

/** A line that fits the terminal (`columns`; a line that wraps is redrawn below itself): the bar gives up cells first, down to 10, then the line is cut. */
export function fitToWidth(line: (barSize: number) => string, columns: number, barSize = 30): string {
  const full = line(barSize);
  const over = full.length - (columns - 1);
  if (over <= 0) return full;
  return line(Math.max(10, barSize - over)).slice(0, Math.max(0, columns - 1));
}

/** One line of the identification queue's progress (`wkmp-ai identify`), the ETA shown only when there is one. */
export function formatIdentifyProgress(p: QueueProgress, barSize = 30): string {
  const { counts } = p;
  const total = counts.waiting + counts.done + counts.noMatch + counts.failed;
  const done = total - counts.waiting;
  const eta = counts.waiting > 0 ? formatEta(p.etaSeconds) : null;
  return ` identify |${formatBar(done, total, barSize)}| ${done}/${total} passages | AcoustID ${p.requests.acoustId}, MusicBrainz ${p.requests.musicBrainz} requests${eta === null ? '' : ` | ETA ${eta}`}`;
}

/** One line of the AcousticBrainz queue's progress (`wkmp-ai flavor`): recordings stored of the library's, requests, ETA. */
export function formatFlavorProgress(p: FlavorProgress, barSize = 30): string {
  const { counts } = p;
  const done = counts.known + counts.unknown + counts.failed;
  const eta = counts.due > 0 ? formatEta(p.etaSeconds) : null;
  return ` flavor |${formatBar(done, counts.recordings, barSize)}| ${done}/${counts.recordings} recordings | AcousticBrainz ${p.requests} requests${eta === null ? '' : ` | ETA ${eta}`}`;
}

/** "12.3 MB" */
function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** One line of a dump's reading (`wkmp-ai flavor --from-dump`): bytes of the file read, documents met and stored. */
export function formatDumpProgress(p: DumpProgress, barSize = 30): string {
  return ` dump |${formatBar(p.bytesRead, p.bytesTotal, barSize)}| ${megabytes(p.bytesRead)}/${megabytes(p.bytesTotal)} | ${p.members} documents, ${p.stored} stored`;
}

/** Draws the import's progress on stderr when it is a terminal; prints warnings above the bar. */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): (event: ImportEvent) => void {
  const interactive = stream.isTTY === true;
  // cli-progress draws and redraws the line; the line itself is formatProgress's (its own ETA and bar read "INF" and full at 0/0).
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: (_options, params, payload: { progress: ImportProgress }) => fitToWidth((size) => formatProgress(payload.progress, size), params.maxWidth),
      hideCursor: true,
      clearOnComplete: true,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return (event) => {
    if (event.type === 'ImportProgressUpdate') {
      if (!interactive) return;
      const p = event.progress;
      if (!started) {
        bar.start(p.filesTotal, p.filesDone, { progress: p });
        started = true;
      }
      bar.setTotal(p.filesTotal);
      bar.update(p.filesDone, { progress: p });
    } else if (event.type === 'AnalysisLog' && event.level === 'warn') {
      // Erase the bar's line; it is drawn again below the warning on the next update.
      stream.write(`${started ? '\r\x1b[K' : ''}warning: ${event.message}\n`);
    } else if (event.type !== 'ImportSessionStarted' && started) {
      bar.stop();
      started = false;
    }
  };
}

/** A one-line bar on `stream` when it is a terminal (else nothing): `line` draws a progress at a bar size, `count` gives its done and total. */
export function terminalBar<P>(stream: NodeJS.WriteStream, line: (p: P, size: number) => string, count: (p: P) => [number, number]): { draw: (p: P) => void; stop: () => void } {
  if (stream.isTTY !== true) return { draw: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({
    stream,
    format: (_options, params, payload: { progress: P }) => fitToWidth((size) => line(payload.progress, size), params.maxWidth),
    hideCursor: true,
    clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    draw(progress) {
      const [done, total] = count(progress);
      if (!started) bar.start(total, done, { progress });
      started = true;
      bar.setTotal(total);
      bar.update(done, { progress });
    },
    stop: () => bar.stop(),
  };
}
