/**
 * POST /analyze/amplitude: lead-in, lead-out and the RMS envelope of one region of one file,
 * computed by the import's own code (analyseRegion, measureLeads) with the current parameters, in
 * a worker thread. Nothing is written.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findFfmpeg } from '../../analysis/decode/decoder.js';
import { analysisParametersFromSettings, analysisSampleRate } from '../../analysis/settings.js';
import type { ReadDb } from '../../db/connection.js';
import { listSettings } from '../../db/queries/settings.js';
import { TICKS_PER_SECOND } from '../../file-record.js';
import { errorBody, statusOf } from '../http-errors.js';
import { locateInRoot } from '../../config/root-folder.js';
import { createAnalysisPool, type AnalysisPool } from '../../import/pool.js';

interface AmplitudeBody {
  file_path: string;
  start_ticks?: number;
  end_ticks?: number;
}

const amplitudeSchema = {
  body: {
    type: 'object',
    required: ['file_path'],
    additionalProperties: false,
    properties: {
      file_path: { type: 'string', minLength: 1, maxLength: 4096 },
      start_ticks: { type: 'integer', minimum: 0 },
      end_ticks: { type: 'integer', minimum: 1 },
    },
  },
} as const;

/** Longer than any file's measure should take; past it the worker is stopped and the answer is 504. */
const measureTimeLimitMs = 5 * 60_000;

/**
 * Measures running and waiting, at most: one more is refused (429). Each decodes a file in the one
 * worker for up to five minutes; a queue without a bound would let any client fill the machine.
 */
export const maxMeasures = 4;

/**
 * The route's own worker pool, started on the first request: measuring decodes the file, which
 * must not run on the thread that answers HTTP. One thread; a client that goes away stops its work.
 */
function lazyPool(app: FastifyInstance): () => Promise<AnalysisPool> {
  let pool: Promise<AnalysisPool> | null = null;
  app.addHook('onClose', async () => {
    await (await pool)?.close();
  });
  return () => (pool ??= createAnalysisPool({ jobs: 1, fileTimeLimitMs: measureTimeLimitMs }));
}

/** What the route is doing now, for /health. */
export interface MeasuresInFlight {
  count: number;
}

export function registerAnalyzeRoutes(app: FastifyInstance, rootFolder: string, db: ReadDb, ffmpeg: string | undefined, inFlight: MeasuresInFlight = { count: 0 }): void {
  const pool = lazyPool(app);
  app.post<{ Body: AmplitudeBody }>('/analyze/amplitude', { schema: amplitudeSchema }, async (request, reply) => {
    if (inFlight.count >= maxMeasures) {
      return reply.code(429).header('retry-after', '10').send(errorBody(429, `${maxMeasures} measures are running or waiting, as many as this service takes: try again when one is done`));
    }
    inFlight.count += 1;
    try {
      return await measure(request, reply);
    } finally {
      inFlight.count -= 1;
    }
  });

  async function measure(request: FastifyRequest<{ Body: AmplitudeBody }>, reply: FastifyReply) {
    const { file_path: filePath, start_ticks: startTicks = 0, end_ticks: endTicks } = request.body;
    if (endTicks !== undefined && endTicks <= startTicks) {
      return reply.code(400).send(errorBody(400, `end_ticks must be after start_ticks, got ${endTicks} ≤ ${startTicks}`));
    }
    const located = locateInRoot(rootFolder, filePath, 'file');
    if (!located.ok) return reply.code(statusOf(located)).send(errorBody(statusOf(located), located.message));
    const { amplitude } = analysisParametersFromSettings(listSettings(db));
    const sampleRate = analysisSampleRate;
    // A client that goes away before the answer stops the work: the worker and its decoder.
    const gone = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) gone.abort();
    });
    const result = await (await pool()).measureAmplitude({
      kind: 'amplitude',
      absolutePath: located.absolutePath,
      path: located.relativePath,
      ffmpeg: await findFfmpeg(ffmpeg),
      startSample: Math.floor((startTicks / TICKS_PER_SECOND) * sampleRate),
      endSample: endTicks === undefined ? Number.POSITIVE_INFINITY : Math.ceil((endTicks / TICKS_PER_SECOND) * sampleRate),
      options: { sampleRate, windowMs: amplitude.rmsWindowMs, amplitude },
    }, gone.signal);
    if (result === null) return reply; // the client is gone: nobody to answer
    if (result.kind === 'failure') {
      const status = result.code === 'ANALYSIS_TIMEOUT' ? 504 : 422;
      return reply.code(status).send(errorBody(status, result.message));
    }
    const { region } = result;
    if (region.regionTicks === 0) {
      return reply.code(400).send(errorBody(400, `no audio in ${filePath} between ${startTicks} and ${endTicks ?? 'the end'} ticks`));
    }
    const { leadIn, leadOut } = region;
    return {
      file_path: filePath,
      start_ticks: startTicks,
      end_ticks: startTicks + region.regionTicks,
      lead_in_start_ticks: startTicks + region.leadInStartTicks,
      lead_out_start_ticks: startTicks + region.leadOutStartTicks,
      lead_in_seconds: leadIn.seconds,
      lead_out_seconds: leadOut.seconds,
      quick_ramp_in: leadIn.quickRamp,
      quick_ramp_out: leadOut.quickRamp,
      peak_rms: leadIn.peak,
      lead_in_threshold_rms: leadIn.thresholdRms,
      lead_out_threshold_rms: leadOut.thresholdRms,
      window_seconds: region.windowSeconds,
      a_weighted: amplitude.applyAWeighting,
      /** RMS per window from `start_ticks` (A-weighted when `a_weighted`). */
      envelope: Array.from(region.levels, (value) => Math.round(value * 1e6) / 1e6),
    };
  }
}
