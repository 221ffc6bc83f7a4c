/** The AcousticBrainz queue's route: GET /import/flavor (its counts, pace and status). */
import type { FastifyInstance } from 'fastify';
import type { FlavorRunner } from '../flavor-runner.js';

export function registerFlavorRoutes(app: FastifyInstance, runner: FlavorRunner): void {
  app.get('/import/flavor', async () => runner.status());
}
