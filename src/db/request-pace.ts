/**
 * The pace of each external service, shared by every process on this database (DESIGN.md): the
 * time the next request may start is kept in a row per service, and a request's start is booked
 * in one write transaction, so that no two processes, CLI or service, ever book starts closer than
 * the service's interval. Times are epoch milliseconds from the caller's clock.
 */
import type { ReadDb } from './connection.js';
import { writeUnit, type WriteUnit } from './write-unit.js';

// The start booked is the later of now and the row's next start; the row moves on by the interval.
const BOOK = `
INSERT INTO wkmp_ai_request_pace (service, next_start_ms) VALUES (@service, @nowMs + @intervalMs)
ON CONFLICT (service) DO UPDATE SET next_start_ms = max(next_start_ms, @nowMs) + @intervalMs
RETURNING next_start_ms - @intervalMs AS startMs`;
const HOLD_OFF = `
INSERT INTO wkmp_ai_request_pace (service, next_start_ms) VALUES (@service, @untilMs)
ON CONFLICT (service) DO UPDATE SET next_start_ms = max(next_start_ms, @untilMs)`;
const SELECT = 'SELECT next_start_ms AS nextStartMs FROM wkmp_ai_request_pace WHERE service = ?';

/** The unit's result is when the request may start (epoch ms): now, or the first free moment after the requests already booked. */
export function bookRequest(service: string, nowMs: number, intervalMs: number): WriteUnit<number> {
  return writeUnit('pace', `booking a request to ${service}`, (db) => (db.prepare(BOOK).get({ service, nowMs, intervalMs }) as { startMs: number }).startMs);
}

/** The service asked us to slow down: no process starts a request to it before `untilMs`. */
export function holdOffRequests(service: string, untilMs: number): WriteUnit<void> {
  return writeUnit('pace', `holding off requests to ${service}`, (db) => {
    db.prepare(HOLD_OFF).run({ service, untilMs });
  });
}

/** When the next request to `service` may start, by the row (epoch ms); 0 when none was ever booked. */
export function getNextRequestStart(db: ReadDb, service: string): number {
  return (db.prepare(SELECT).get(service) as { nextStartMs: number } | undefined)?.nextStartMs ?? 0;
}
