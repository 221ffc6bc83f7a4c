/**
 * The identification queue's routes: GET /import/identification (its counts, pace and status) and
 * POST /import/validate-acoustid (does AcoustID take this key, or the one set).
 */
import type { FastifyInstance } from 'fastify';
import { listSettings } from '../../db/queries/settings.js';
import type { WkmpDatabase } from '../../db/setup.js';
import { keyIsAccepted } from '../../identify/acoustid.js';
import { ServiceError } from '../../queue/http.js';
import { acoustIdKeyOf, identificationServices } from '../../identify/services.js';
import type { IdentificationRunner } from '../identification-runner.js';
import { errorBody } from '../http-errors.js';

const validateSchema = {
  body: {
    type: ['object', 'null'],
    additionalProperties: false,
    properties: { api_key: { type: 'string', minLength: 1, maxLength: 200 } },
  },
} as const;

/** `db`: the service's database; the key check is one request to AcoustID, at the pace every process keeps (queue/pace.ts). */
export function registerIdentifyRoutes(app: FastifyInstance, db: WkmpDatabase, runner: IdentificationRunner): void {
  app.get('/import/identification', async () => runner.status());

  app.post<{ Body: { api_key?: string } | null }>('/import/validate-acoustid', { schema: validateSchema }, async (request, reply) => {
    const rows = listSettings(db.read);
    const key = request.body?.api_key ?? acoustIdKeyOf(rows);
    if (key === null) return reply.code(400).send(errorBody(400, 'no AcoustID key given, and none is set (acoustid_api_key, WKMP_ACOUSTID_API_KEY)'));
    const { acoustId } = identificationServices(new Map([...rows, ['acoustid_api_key', key]]), db);
    try {
      const valid = await keyIsAccepted(acoustId!);
      return { valid, message: valid ? 'AcoustID takes this key' : 'AcoustID refuses this key' };
    } catch (error) {
      const why = error instanceof ServiceError ? error.message : String(error);
      return reply.code(502).send(errorBody(502, `AcoustID could not say: ${why}`));
    }
  });
}
