/**
 * The write units of an import session's row (write-unit.ts). One import session at a time, also
 * across processes: the claim is one write transaction that looks for a running session and
 * inserts ours, so two processes starting at once cannot both win. A running session whose owner
 * process is gone was abandoned (a crash, kill -9): it is CANCELLED.
 */
import { SessionRunningError } from '../errors.js';
import { processExists } from './process.js';
import {
  insertSession, listRunningSessions, updateSessionCancelled, updateSessionEnd, updateSessionProgress, type SessionProgressRow, type SessionRow,
} from './queries/sessions.js';
import { writeUnit, type WriteUnit } from './write-unit.js';
import type { WriteDb } from './connection.js';
import type { SessionParameters } from '../stored/session-parameters.js';

/** Sessions this process is running now; a session row with our pid that is not here was left by a previous process. */
const runningHere = new Set<string>();

function isAlive(session: SessionRow): boolean {
  if (session.ownerPid === null) return false;
  if (session.ownerPid === process.pid) return runningHere.has(session.sessionId);
  return processExists(session.ownerPid);
}

function cancelAbandoned(db: WriteDb): SessionRow[] {
  const alive: SessionRow[] = [];
  for (const session of listRunningSessions(db)) {
    if (isAlive(session)) alive.push(session);
    else updateSessionCancelled(db, session.sessionId, `abandoned: process ${session.ownerPid ?? 'unknown'} ended without finishing the session`);
  }
  return alive;
}

/** Marks every running session whose process is gone CANCELLED; the unit's result is the sessions still alive. */
export function cancelAbandonedSessions(): WriteUnit<SessionRow[]> {
  return writeUnit('session', 'cancelling abandoned import sessions', cancelAbandoned);
}

export interface SessionClaim {
  sessionId: string;
  rootFolder: string;
  folder: string;
  parameters: SessionParameters;
}

/** Claims the one running session: refused (SessionRunningError) while another runs, here or in another process. */
export function claimSession(claim: SessionClaim): WriteUnit<void> {
  return writeUnit('session', `claiming import session ${claim.sessionId}`, (db) => {
    const [running] = cancelAbandoned(db);
    if (running) {
      throw new SessionRunningError(
        'session',
        `another import is running (session ${running.sessionId}, process ${running.ownerPid}, started ${running.startedAt}); wait for it to finish or cancel it`,
      );
    }
    insertSession(db, { ...claim, parameters: JSON.stringify(claim.parameters), ownerPid: process.pid });
    runningHere.add(claim.sessionId);
  });
}

export function saveSessionProgress(row: SessionProgressRow): WriteUnit<void> {
  return writeUnit('session', `saving the progress of import session ${row.sessionId}`, (db) => updateSessionProgress(db, row));
}

/** Writes the session's last row. `releaseSession` must follow, whether it was written or not. */
export function endSession(row: Omit<SessionProgressRow, 'currentOperation'> & { errors: string }): WriteUnit<void> {
  return writeUnit('session', `ending import session ${row.sessionId}`, (db) => updateSessionEnd(db, row));
}

/** The session no longer runs in this process: another may be claimed. */
export function releaseSession(sessionId: string): void {
  runningHere.delete(sessionId);
}
