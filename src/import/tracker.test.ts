import { describe, expect, it } from 'vitest';
import { WriteMetrics } from '../db/metrics.js';
import type { ImportErrorRow } from '../db/queries/sessions.js';
import { eventErrorsLimit, type ImportEvent, type ImportSummary } from './events.js';
import { ImportTracker } from './tracker.js';

const write = new WriteMetrics().summary();

function errorRows(count: number): ImportErrorRow[] {
  return Array.from({ length: count }, (_, i) => ({ path: `f${i}.mp3`, phase: 'decode', code: 'EMPTY_FILE', message: `reading f${i}.mp3: the file is empty` }));
}

function started(): { tracker: ImportTracker; events: ImportEvent[] } {
  const events: ImportEvent[] = [];
  const tracker = new ImportTracker((event) => events.push(event));
  tracker.apply({ type: 'started', at: 0, sessionId: 's', rootFolder: '/music', folder: '', database: '/music/wkmp.db' });
  tracker.apply({ type: 'phase', at: 0, phase: 'analysing', state: 'PROCESSING' });
  return { tracker, events };
}

const progressFailed = (events: ImportEvent[]) =>
  events.flatMap((event) => (event.type === 'ImportProgressUpdate' ? [event.progress.counts.failed] : []));

describe('ImportTracker', () => {
  it('reports a committed batch at once, even right after the last progress: the next step may be minutes away', () => {
    const { tracker, events } = started();
    tracker.apply({ type: 'file-analysed', at: 300, path: 'a.mp3', action: 'new', fileClass: 'audio', audioSeconds: 0, noAudio: false });
    tracker.apply({ type: 'file-analysed', at: 310, path: 'b.mp3', action: 'new', fileClass: 'audio', audioSeconds: 0, noAudio: false });
    expect(progressFailed(events)).toEqual([0, 0]); // the phase's, then a.mp3's; b.mp3's came 10 ms later
    tracker.apply({ type: 'batch-committed', at: 320, files: [], failed: errorRows(2), write });
    expect(progressFailed(events)).toEqual([0, 0, 2]);
  });

  it('ends with a summary carrying the first errors and their total; the summary it was given keeps them all', () => {
    const { tracker, events } = started();
    const errors = errorRows(eventErrorsLimit + 20);
    tracker.apply({ type: 'ended', at: 1000, state: 'COMPLETED' }, { first: errors, total: eventErrorsLimit + 500 });
    const end = events.at(-1)!;
    expect(end.type).toBe('ImportSessionCompleted');
    const summary = (end as { summary: ImportSummary }).summary;
    expect(summary.errorsTotal).toBe(eventErrorsLimit + 500);
    expect(summary.errors).toEqual(errors.slice(0, eventErrorsLimit));
    expect(errors).toHaveLength(eventErrorsLimit + 20);
  });

  it('sends every error when there are no more than the limit', () => {
    const { tracker, events } = started();
    tracker.apply({ type: 'ended', at: 1000, state: 'CANCELLED' }, { first: errorRows(3), total: 3 });
    expect(events.at(-1)).toMatchObject({ type: 'ImportSessionCancelled', summary: { errorsTotal: 3, errors: errorRows(3) } });
  });
});
