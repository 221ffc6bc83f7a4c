/**
 * Holds an import's one state (state.ts) as its steps arrive, and turns them into WKMP's events
 * for whoever listens (the command line's bar, the service's SSE, tests): ImportSessionStarted,
 * ImportProgressUpdate (at most every 200 ms of the import's own clock, and at every phase, every
 * committed batch and the last file), AnalysisLog, and the session's end with its summary.
 */
import { summaryForEvent, type ImportEvent } from './events.js';
import { initialState, progressOf, reduce, summaryOf, type ImportState, type ImportStep, type SessionErrors } from './state.js';

const progressEveryMs = 200;

export class ImportTracker {
  private current: ImportState | null = null;
  private lastProgressAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly emit: (event: ImportEvent) => void = () => undefined) {}

  /** The state now; null before the session started. */
  get state(): ImportState | null {
    return this.current;
  }

  /** One step; `errors` with the `ended` step: the session's first per-file errors and how many it has, for the summary (the event carries fewer). */
  apply(step: ImportStep, errors: SessionErrors = { first: [], total: 0 }): void {
    // A log may come before the session started (waiting for the lock to claim it): it changes no state.
    if (step.type === 'log') {
      this.emit({ type: 'AnalysisLog', level: step.level, message: step.message });
      return;
    }
    if (step.type !== 'started' && this.current === null) throw new Error(`import step ${step.type} before the session started`);
    const state = step.type === 'started' ? initialState(step) : reduce(this.current!, step);
    this.current = state;
    switch (step.type) {
      case 'started':
        this.emit({ type: 'ImportSessionStarted', sessionId: step.sessionId, rootFolder: step.rootFolder, folder: step.folder });
        return;
      case 'ended':
        if (step.state === 'FAILED') this.emit({ type: 'ImportSessionFailed', sessionId: state.sessionId, message: step.message ?? 'failed' });
        else this.emit({ type: step.state === 'COMPLETED' ? 'ImportSessionCompleted' : 'ImportSessionCancelled', summary: summaryForEvent(summaryOf(state, errors)) });
        return;
      default: {
        // What is committed is reported at once, not left for the next step: that may be a file analysed minutes later,
        // and a page fetches the passages and errors a progress says are there.
        const force = step.type === 'phase' || step.type === 'planned' || step.type === 'batch-committed'
          || (step.type === 'file-analysed' && state.filesDone === state.filesTotal);
        if (!force && step.at - this.lastProgressAt < progressEveryMs) return;
        this.lastProgressAt = step.at;
        this.emit({ type: 'ImportProgressUpdate', progress: progressOf(state, step.at) });
      }
    }
  }
}
