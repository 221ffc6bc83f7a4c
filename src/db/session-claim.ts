/**
 * One import session at a time, also across processes: the claim is one write transaction that
 * looks for a running session and inserts ours, so two processes starting at once cannot both win.
 * A running session whose owner process is gone was abandoned (a crash, kill -9): it is CANCELLED.
 */
import type { WriteDb } from './connection.js';
import { insertSession, listRunningSessions, updateSessionCancelled, type SessionRow } from './queries/sessions.js';
import { SessionRunningError } from '../errors.js';

/** Sessions this process is running now; a session row with our pid that is not here was left by a previous process. */
const runningHere = new Set<string>();

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isAlive(session: SessionRow): boolean {
  if (session.ownerPid === null) return false;
  if (session.ownerPid === process.pid) return runningHere.has(session.sessionId);
  return processExists(session.ownerPid);
}

/** Marks every running session whose process is gone CANCELLED; returns the ones still alive. */
export function cancelAbandonedSessions(db: WriteDb): SessionRow[] {
  const alive: SessionRow[] = [];
  for (const session of listRunningSessions(db)) {
    if (isAlive(session)) alive.push(session);
    else updateSessionCancelled(db, session.sessionId, `abandoned: process ${session.ownerPid ?? 'unknown'} ended without finishing the session`);
  }
  return alive;
}

export interface SessionClaim {
  sessionId: string;
  rootFolder: string;
  folder: string;
  parameters: Record<string, unknown>;
}

export function claimSession(db: WriteDb, claim: SessionClaim): void {
  const [running] = cancelAbandonedSessions(db);
  if (running) {
    throw new SessionRunningError(
      'session',
      `another import is running (session ${running.sessionId}, process ${running.ownerPid}, started ${running.startedAt}); wait for it to finish or cancel it`,
    );
  }
  insertSession(db, { ...claim, parameters: JSON.stringify(claim.parameters), ownerPid: process.pid });
  runningHere.add(claim.sessionId);
}

export function releaseSession(sessionId: string): void {
  runningHere.delete(sessionId);
}
