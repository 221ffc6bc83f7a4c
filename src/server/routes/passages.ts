/**
 * A passage's musical flavor (WKMP's SPEC003): GET /passages/:guid/flavor, its characteristics,
 * sources, confidence and the audio descriptors they were made from; GET /passages/:guid/similar,
 * the passages nearest it by the SPEC003 distance, as the Program Director will choose them.
 */
import type { FastifyInstance } from 'fastify';
import type { ReadDb } from '../../db/connection.js';
import { passageFlavorReport, similarPassages } from '../../flavoring/similar.js';
import { errorBody } from '../http-errors.js';

const guidParams = {
  params: { type: 'object', required: ['guid'], properties: { guid: { type: 'string', minLength: 1, maxLength: 100 } } },
} as const;

const similarQuery = {
  ...guidParams,
  querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^[0-9]{1,3}$' } } },
} as const;

export function registerPassageRoutes(app: FastifyInstance, db: ReadDb): void {
  app.get<{ Params: { guid: string } }>('/passages/:guid/flavor', { schema: guidParams }, async (request, reply) => {
    const report = passageFlavorReport(db, request.params.guid);
    if (report === null) return reply.code(404).send(errorBody(404, `no passage ${request.params.guid} with a flavor`));
    return {
      guid: report.guid, passage: report.label, flavor: report.flavor, sources: report.sources, confidence: report.confidence,
      completeness: report.completeness, audio_features: report.features, warnings: report.warnings,
    };
  });

  app.get<{ Params: { guid: string }; Querystring: { limit?: string } }>('/passages/:guid/similar', { schema: similarQuery }, async (request, reply) => {
    const limit = Number(request.query.limit ?? 10);
    if (limit < 1 || limit > 100) return reply.code(400).send(errorBody(400, `limit must be from 1 to 100, got ${request.query.limit}`));
    const similar = similarPassages(db, request.params.guid, limit);
    if (similar === null) return reply.code(404).send(errorBody(404, `no passage ${request.params.guid} with a flavor`));
    return {
      guid: request.params.guid,
      similar: similar.map((n) => ({ guid: n.guid, distance: Math.round(n.distance * 1e6) / 1e6, passage: n.label, shared: { binary: n.binaryShared, complex: n.complexShared } })),
    };
  });
}
