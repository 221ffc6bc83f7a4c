import cliProgress from 'cli-progress';
import type { ImportEvent, ImportProgress } from '../import/events.js';

function eta(seconds: number | null): string {
  if (seconds === null) return '--';
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** Draws the import's progress on stderr when it is a terminal; prints warnings above the bar. */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): (event: ImportEvent) => void {
  const interactive = stream.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: ' {phase} |{bar}| {value}/{total} files | {rate} files/s | {minutes} audio min, {xrt}x realtime | {passages} passages | ETA {eta} | {failed} failed',
      hideCursor: true,
      clearOnComplete: true,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const payload = (p: ImportProgress) => ({
    phase: p.phase.padEnd(9), rate: p.filesPerSecond, eta: eta(p.etaSeconds), failed: p.counts.failed,
    minutes: (p.counts.audioSeconds / 60).toFixed(1), xrt: p.xRealtime, passages: p.counts.passages,
  });
  return (event) => {
    if (event.type === 'ImportProgressUpdate') {
      if (!interactive) return;
      const p = event.progress;
      if (!started) {
        bar.start(p.filesTotal, p.filesDone, payload(p));
        started = true;
      }
      bar.setTotal(p.filesTotal);
      bar.update(p.filesDone, payload(p));
    } else if (event.type === 'AnalysisLog' && event.level === 'warn') {
      // Erase the bar's line; it is drawn again below the warning on the next update.
      stream.write(`${started ? '\r\x1b[K' : ''}warning: ${event.message}\n`);
    } else if (event.type !== 'ImportSessionStarted' && started) {
      bar.stop();
      started = false;
    }
  };
}
