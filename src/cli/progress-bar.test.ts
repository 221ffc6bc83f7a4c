import { describe, expect, it } from 'vitest';
import { WriteMetrics } from '../db/metrics.js';
import { emptyCounts, type ImportCounts, type ImportProgress } from '../import/events.js';
import { Writable } from 'node:stream';
import { createProgressBar, fitToWidth, formatBar, formatDumpProgress, formatEta, formatFlavorProgress, formatIdentifyProgress, formatProgress, terminalBar } from './progress-bar.js';

/** A terminal of `columns` that keeps what is written to it. */
function terminal(columns = 100): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _encoding, done) { chunks.push(chunk.toString('utf8')); done(); } });
  return Object.assign(stream, { isTTY: true, columns, text: () => chunks.join('') }) as unknown as NodeJS.WriteStream & { text: () => string };
}

function progress(fields: Partial<Omit<ImportProgress, 'counts'>> & { counts?: Partial<ImportCounts> } = {}): ImportProgress {
  const { counts, ...rest } = fields;
  return {
    sessionId: 's', state: 'PROCESSING', phase: 'analysing', filesTotal: 0, filesDone: 0, filesPerSecond: 0, xRealtime: 0, etaSeconds: null,
    write: new WriteMetrics().summary(), inFlight: [], passagesRecorded: 0, recentPassages: [], ...rest,
    counts: { ...emptyCounts(), ...counts },
  };
}

describe('formatProgress', () => {
  it('draws an empty bar and no rate, audio or ETA while planning 0/0', () => {
    expect(formatProgress(progress({ phase: 'planning', state: 'SCANNING' }), 10))
      .toBe(' planning  |░░░░░░░░░░| 0/0 files | 0 passages | 0 failed');
  });

  it('shows the rate, the audio decoded, the times real time and the ETA while analysing at a known pace', () => {
    const line = formatProgress(progress({
      filesTotal: 100, filesDone: 40, filesPerSecond: 12.5, xRealtime: 25.1, etaSeconds: 185,
      counts: { audioSeconds: 192, passages: 41, failed: 1 },
    }), 10);
    expect(line).toBe(' analysing |████░░░░░░| 40/100 files | 12.5 files/s | ETA 3m05s | 41 passages | 1 failed | 3.2 audio min, 25.1x realtime');
  });

  it('shows no ETA before the pace is known (no "ETA NULL" or "ETA INF")', () => {
    const line = formatProgress(progress({ filesTotal: 100, filesDone: 0, etaSeconds: null }), 10);
    expect(line).toBe(' analysing |░░░░░░░░░░| 0/100 files | 0 passages | 0 failed');
    expect(formatProgress(progress({ filesTotal: 100, filesDone: 1, etaSeconds: Infinity }), 10)).not.toMatch(/ETA/);
  });

  it('shows no times real time when nothing was decoded (a tags pass), only the files', () => {
    const line = formatProgress(progress({ filesTotal: 50, filesDone: 25, filesPerSecond: 300, etaSeconds: 0, counts: { passages: 25 } }), 10);
    expect(line).toBe(' analysing |█████░░░░░| 25/50 files | 300 files/s | ETA 0s | 25 passages | 0 failed');
  });

  it('shows the audio decoded but no "0x realtime" and no ETA while finishing', () => {
    const line = formatProgress(progress({
      phase: 'finishing', filesTotal: 10, filesDone: 10, xRealtime: 0, etaSeconds: 0, counts: { audioSeconds: 600, passages: 12 },
    }), 10);
    expect(line).toBe(' finishing |██████████| 10/10 files | 12 passages | 0 failed | 10.0 audio min');
  });
});

describe('formatIdentifyProgress', () => {
  const queue = (waiting: number, done: number, etaSeconds: number | null) => ({
    counts: { waiting, due: waiting, done, noMatch: 0, failed: 0, nextAttemptAt: null }, paused: null, requests: { acoustId: 1, musicBrainz: 2 }, jobsPerSecond: 0, etaSeconds,
  });

  it('shows the ETA when the queue knows one, and none before ("ETA NULL") or when nothing waits', () => {
    expect(formatIdentifyProgress(queue(3, 1, 125), 8)).toBe(' identify |██░░░░░░| 1/4 passages | AcoustID 1, MusicBrainz 2 requests | ETA 2m05s');
    expect(formatIdentifyProgress(queue(4, 0, null), 8)).toBe(' identify |░░░░░░░░| 0/4 passages | AcoustID 1, MusicBrainz 2 requests');
    expect(formatIdentifyProgress(queue(0, 0, null), 8)).toBe(' identify |░░░░░░░░| 0/0 passages | AcoustID 1, MusicBrainz 2 requests');
  });
});

describe('formatEta', () => {
  it.each([
    [0, '0s'], [59.4, '59s'], [60, '1m00s'], [185, '3m05s'], [3599, '59m59s'], [3600, '1h00m'], [7620, '2h07m'],
  ])('%s s reads %s', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });

  it.each([null, Infinity, NaN, -1])('is null for %s: no estimate', (seconds) => {
    expect(formatEta(seconds)).toBeNull();
  });
});

describe('formatBar', () => {
  it('fills in proportion, never past the end, and stays empty without a total', () => {
    expect(formatBar(1, 4, 8)).toBe('██░░░░░░');
    expect(formatBar(5, 4, 4)).toBe('████');
    expect(formatBar(0, 0, 4)).toBe('░░░░');
  });
});

describe('fitToWidth', () => {
  const busy = progress({ filesTotal: 100, filesDone: 40, filesPerSecond: 12.5, xRealtime: 25.1, etaSeconds: 185, counts: { audioSeconds: 192, passages: 41 } });

  it('keeps a line that fits as it is', () => {
    expect(fitToWidth((size) => formatProgress(busy, size), 200)).toBe(formatProgress(busy, 30));
  });

  it('shortens the bar before cutting anything on a narrow terminal, keeping the ETA when that is enough', () => {
    const full = formatProgress(busy, 30);
    const line = fitToWidth((size) => formatProgress(busy, size), full.length - 10);
    expect(line).toBe(formatProgress(busy, 19));
    expect(line).toContain('ETA 3m05s');
  });

  it('cuts the line at the terminal\'s width once the bar is down to 10 cells: the audio figures go first, the ETA stays', () => {
    const line = fitToWidth((size) => formatProgress(busy, size), 60);
    expect(line).toHaveLength(59);
    expect(line).toBe(' analysing |████░░░░░░| 40/100 files | 12.5 files/s | ETA 3m05s | 41 passages | 0 failed | 3.2 audio min, 25.1x realtime'.slice(0, 59));
  });
});

describe('the AcousticBrainz lines', () => {
  it('count the recordings stored of the library\'s, the requests, and the ETA while some are due', () => {
    const counts = { recordings: 100, known: 40, unknown: 5, waiting: 55, due: 50, failed: 0, nextAttemptAt: null };
    expect(formatFlavorProgress({ counts, paused: null, requests: 2, recordingsPerSecond: 20, etaSeconds: 3 }, 10))
      .toBe(' flavor |█████░░░░░| 45/100 recordings | AcousticBrainz 2 requests | ETA 3s');
    expect(formatFlavorProgress({ counts: { ...counts, due: 0 }, paused: null, requests: 2, recordingsPerSecond: 0, etaSeconds: null }, 10))
      .toBe(' flavor |█████░░░░░| 45/100 recordings | AcousticBrainz 2 requests');
  });

  it('count a dump\'s bytes read, and its documents met and stored', () => {
    expect(formatDumpProgress({ file: 'a.tar.zst', bytesRead: 25_000_000, bytesTotal: 100_000_000, members: 30_000, stored: 120 }, 8))
      .toBe(' dump |██░░░░░░| 25.0 MB/100.0 MB | 30000 documents, 120 stored');
  });
});

describe('the bars drawn on a terminal', () => {
  it('terminalBar draws the line its caller formats, as the work advances, and nothing when the stream is not a terminal', () => {
    const out = terminal();
    const bar = terminalBar<{ done: number; total: number }>(out, (p, size) => `${formatBar(p.done, p.total, size)} ${p.done}/${p.total} recordings`, (p) => [p.done, p.total]);
    bar.draw({ done: 1, total: 4 });
    bar.draw({ done: 4, total: 5 });
    bar.stop();
    expect(out.text()).toContain('1/4 recordings');
    expect(out.text()).toContain('4/5 recordings');
    const piped = Object.assign(terminal(), { isTTY: false });
    const none = terminalBar<number>(piped, (p) => String(p), (p) => [p, 1]);
    none.draw(1);
    none.stop();
    expect(piped.text()).toBe('');
  });

  it('the import\'s bar follows the progress, puts a warning on a line of its own, and ends with the session', () => {
    const out = terminal();
    const draw = createProgressBar(out);
    draw({ type: 'ImportSessionStarted', sessionId: 's', rootFolder: '/music', folder: '' });
    draw({ type: 'ImportProgressUpdate', progress: progress({ filesTotal: 10, filesDone: 3, counts: { passages: 3 } }) });
    draw({ type: 'AnalysisLog', level: 'warn', message: 'a.flac: odd' });
    draw({ type: 'ImportProgressUpdate', progress: progress({ filesTotal: 10, filesDone: 10, counts: { passages: 11 } }) });
    draw({ type: 'ImportSessionFailed', sessionId: 's', message: 'x' });
    expect(out.text()).toContain('3/10 files');
    expect(out.text()).toContain('warning: a.flac: odd\n');
    expect(out.text()).toContain('10/10 files');
  });
});
