/**
 * Song boundaries (docs/adr/0003-song-boundaries.md): each file remembers the analysis rules it
 * was analysed by, so a full import re-analyses what older rules cut, and the cue sheets beside
 * it when it was, so editing a sheet re-imports its audio. Files analysed before this migration
 * were analysed by rules 1. Settings still at the old defaults (−35 dBFS, 300 ms: upstream's,
 * which cut real songs at every quiet bar) move to the new ones; a value someone chose is kept.
 */
export const songBoundaries = `
ALTER TABLE files ADD COLUMN analysis_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE files ADD COLUMN cue_signature TEXT;
UPDATE settings SET value = '70' WHERE key = 'silence_threshold_dB' AND value = '35';
UPDATE settings SET value = '14112000' WHERE key = 'silence_min_duration_ticks' AND value = '8467200';
`;
