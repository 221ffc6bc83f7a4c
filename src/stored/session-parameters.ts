/**
 * `import_sessions.parameters`: how an import was asked for (import/run.ts claims the session with
 * it). Read back by the list of sessions, which says whether the command line or the service ran
 * it. Sessions claimed before the origin was kept have none; another WKMP importer's may be
 * anything.
 */
import { number, object, oneOf, optional, readJsonColumn, type Stored } from './check.js';

export const sessionOrigins = ['cli', 'service', 'watch'] as const;
/** Who started an import: `wkmp-ai import`, the service (`POST /import/start`), or the service's folder watcher (server/library-sync.ts). */
export type SessionOrigin = (typeof sessionOrigins)[number];

export interface SessionParameters {
  /** Worker threads. */
  jobs: number;
  origin?: SessionOrigin;
}

const sessionParameters = object<SessionParameters>({ jobs: number, origin: optional(oneOf(...sessionOrigins)) });

export function parseSessionParameters(text: string): Stored<SessionParameters> {
  return readJsonColumn('import_sessions.parameters', text, sessionParameters);
}
