/**
 * POST /analyze/amplitude: lead-in, lead-out and the RMS envelope of one region of one file,
 * computed as the import computes them (the decoder, EnvelopeBuilder, findLeadIn / findLeadOut)
 * with the current parameters. Nothing is written.
 */
import type { FastifyInstance } from 'fastify';
import { analyseRegion } from '../../analysis/analyse-audio.js';
import { chooseDecoder, type DecoderPreference } from '../../analysis/decode/decoder.js';
import { analysisParametersFromSettings, analysisSampleRate } from '../../config/analysis-settings.js';
import type { ReadDb } from '../../db/connection.js';
import { listSettings } from '../../db/queries/settings.js';
import { TICKS_PER_SECOND } from '../../file-record.js';
import { errorBody, statusOf } from '../http-errors.js';
import { locateInRoot } from '../../config/root-folder.js';

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

export function registerAnalyzeRoutes(app: FastifyInstance, rootFolder: string, db: ReadDb, decoderPreference: DecoderPreference): void {
  app.post<{ Body: AmplitudeBody }>('/analyze/amplitude', { schema: amplitudeSchema }, async (request, reply) => {
    const { file_path: filePath, start_ticks: startTicks = 0, end_ticks: endTicks } = request.body;
    if (endTicks !== undefined && endTicks <= startTicks) {
      return reply.code(400).send(errorBody(400, `end_ticks must be after start_ticks, got ${endTicks} ≤ ${startTicks}`));
    }
    const located = locateInRoot(rootFolder, filePath, 'file');
    if (!located.ok) return reply.code(statusOf(located)).send(errorBody(statusOf(located), located.message));
    const { amplitude } = analysisParametersFromSettings(listSettings(db));
    const sampleRate = analysisSampleRate;
    const firstSample = Math.floor((startTicks / TICKS_PER_SECOND) * sampleRate);
    const endSample = endTicks === undefined ? Number.POSITIVE_INFINITY : Math.ceil((endTicks / TICKS_PER_SECOND) * sampleRate);
    const decoder = await chooseDecoder(decoderPreference);
    const region = await analyseRegion(decoder.decode(located.absolutePath, { sampleRate }), { sampleRate, windowMs: amplitude.rmsWindowMs, amplitude }, firstSample, endSample);
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
  });
}
