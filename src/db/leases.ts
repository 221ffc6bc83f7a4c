/**
 * Leases: one runner per database for each background queue (DESIGN.md). Taking a lease is one
 * write transaction that reads the row and writes ours only if it is free, ours, stale or held by a
 * process of this host that is gone, so two processes asking at once cannot both win. The holder
 * renews its heartbeat; a renewal that finds another token has lost the lease. Times are epoch
 * milliseconds from the caller's clock.
 */
import type { ReadDb } from './connection.js';
import { processExists } from './process.js';
import { writeUnit, type WriteUnit } from './write-unit.js';

export interface LeaseHolder {
  name: string;
  host: string;
  pid: number;
  /** What holds it: `wkmp-ai serve`, `wkmp-ai identify`. */
  label: string;
  token: string;
  acquiredAtMs: number;
  heartbeatAtMs: number;
}

const SELECT = `
SELECT name, holder_host AS host, holder_pid AS pid, holder_label AS label, token, acquired_at_ms AS acquiredAtMs, heartbeat_at_ms AS heartbeatAtMs
FROM wkmp_ai_leases WHERE name = ?`;
const UPSERT = `
INSERT INTO wkmp_ai_leases (name, holder_host, holder_pid, holder_label, token, acquired_at_ms, heartbeat_at_ms)
VALUES (@name, @host, @pid, @label, @token, @nowMs, @nowMs)
ON CONFLICT (name) DO UPDATE SET holder_host = excluded.holder_host, holder_pid = excluded.holder_pid, holder_label = excluded.holder_label,
  token = excluded.token, acquired_at_ms = excluded.acquired_at_ms, heartbeat_at_ms = excluded.heartbeat_at_ms`;
const RENEW = 'UPDATE wkmp_ai_leases SET heartbeat_at_ms = ? WHERE name = ? AND token = ?';
const RELEASE = 'DELETE FROM wkmp_ai_leases WHERE name = ? AND token = ?';

/** Who holds the lease now, as the row says (it may be stale). */
export function getLeaseHolder(db: ReadDb, name: string): LeaseHolder | undefined {
  return db.prepare(SELECT).get(name) as LeaseHolder | undefined;
}

export interface LeaseRequest {
  name: string;
  host: string;
  pid: number;
  label: string;
  token: string;
  nowMs: number;
  /** A heartbeat older than this is a holder that stopped without letting go. */
  staleAfterMs: number;
}

/** Whether a holder can be taken over: its heartbeat is stale, or it is a process of this host that is gone. */
export function isAbandoned(holder: LeaseHolder, request: Pick<LeaseRequest, 'host' | 'nowMs' | 'staleAfterMs'>, alive = processExists): boolean {
  if (request.nowMs - holder.heartbeatAtMs > request.staleAfterMs) return true;
  return holder.host === request.host && !alive(holder.pid);
}

/** The unit's result: null when the lease is ours now, else who holds it. */
export function takeLease(request: LeaseRequest): WriteUnit<LeaseHolder | null> {
  return writeUnit('lease', `taking the ${request.name} lease`, (db) => {
    const holder = db.prepare(SELECT).get(request.name) as LeaseHolder | undefined;
    if (holder !== undefined && holder.token !== request.token && !isAbandoned(holder, request)) return holder;
    db.prepare(UPSERT).run(request);
    return null;
  });
}

/** The unit's result: false when the lease is no longer ours (it was taken over). */
export function renewLease(name: string, token: string, nowMs: number): WriteUnit<boolean> {
  return writeUnit('lease', `renewing the ${name} lease`, (db) => db.prepare(RENEW).run(nowMs, name, token).changes === 1);
}

export function releaseLease(name: string, token: string): WriteUnit<void> {
  return writeUnit('lease', `releasing the ${name} lease`, (db) => {
    db.prepare(RELEASE).run(name, token);
  });
}
