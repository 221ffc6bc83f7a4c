import { noPassageDetail } from '../analysis/file-failure.js';
import type { ImportErrorRow } from '../db/queries/sessions.js';
import type { ImportSummary } from '../import/events.js';

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Files recorded without a passage (NO_PASSAGE warnings), counted by why: "its headers give no duration (2)". */
function withoutPassage(errors: readonly ImportErrorRow[]): string | null {
  const reasons = new Map<string, number>();
  for (const error of errors) {
    if (error.code !== 'NO_PASSAGE') continue;
    const at = error.message.indexOf(noPassageDetail);
    const why = at < 0 ? error.message : error.message.slice(at + noPassageDetail.length);
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  if (reasons.size === 0) return null;
  const files = [...reasons.values()].reduce((sum, n) => sum + n, 0);
  const why = [...reasons].map(([reason, n]) => `${reason} (${n})`).join('; ');
  return `  no passage ${plural(files, 'file', 'files')} recorded PENDING until a full import decodes ${files === 1 ? 'it' : 'them'}: ${why}`;
}

/** What became of known files that moved, were retagged or re-encoded, or are offline; only when any did. */
function identityLine({ counts: c }: ImportSummary): string[] {
  const parts = [
    c.moved > 0 ? `moved ${c.moved}` : null, c.retagged > 0 ? `retagged ${c.retagged}` : null, c.reencoded > 0 ? `re-encoded ${c.reencoded}` : null,
    c.ambiguous > 0 ? `ambiguous ${c.ambiguous} (matching two missing files: nothing taken over)` : null,
    c.offline > 0 ? `offline ${c.offline} (a drive or share not there: not marked missing)` : null,
  ].filter((part): part is string => part !== null);
  return parts.length === 0 ? [] : [`  kept       ${parts.join(', ')}`];
}

/** The end-of-import report a person reads. Lines about analysis appear only when something was analysed or decoded. */
export function formatSummary(summary: ImportSummary): string {
  const c = summary.counts;
  const w = summary.write;
  const perFile = c.passagesPerFile;
  const lines = [
    `import ${summary.state.toLowerCase()}: ${summary.rootFolder}${summary.folder ? `/${summary.folder}` : ''} → ${summary.database}`,
    `  files      new ${c.new}, changed ${c.changed}, upgraded ${c.upgraded}, unchanged ${c.unchanged}, missing ${c.missing}, failed ${c.failed}`,
    ...identityLine(summary),
    `  found      audio ${c.classes.audio}, image ${c.classes.image}, video ${c.classes.video}, other ${c.classes.other}${c.skippedSymlinks ? `, symlinks not followed ${c.skippedSymlinks}` : ''}`,
    `  recorded   ${c.recorded} files, ${c.passages} passages, ${c.songs} songs, ${c.duplicates} duplicates, ${c.noAudio} with no audio`,
  ];
  const pending = withoutPassage(summary.errors);
  if (pending !== null) lines.push(pending);
  if (perFile.one + perFile.twoToFive + perFile.moreThanFive > 0) {
    lines.push(`  passages   per file: 1 in ${perFile.one}, 2-5 in ${perFile.twoToFive}, more than 5 in ${perFile.moreThanFive}${c.shortestPassageSeconds === null ? '' : `; shortest ${c.shortestPassageSeconds.toFixed(1)} s`}`);
  }
  const flavored = Object.entries(c.flavoredPassages ?? {});
  if (flavored.length > 0) lines.push(`  flavor     ${flavored.map(([source, n]) => `${n} passages from ${source}`).join(', ')}`);
  if (c.audioSeconds > 0) {
    lines.push(`  audio      ${(c.audioSeconds / 60).toFixed(1)} minutes analysed${summary.durationMs > 0 ? `, ${((c.audioSeconds * 1000) / summary.durationMs).toFixed(1)}x realtime` : ''}`);
  }
  lines.push(
    `  write path ${w.lockAcquisitionsPerFile} lock acquisitions per file, hold p50 ${w.holdMs.p50} ms, p99 ${w.holdMs.p99} ms, ${w.retries} retries`,
    `  time       ${(summary.durationMs / 1000).toFixed(1)} s, ${summary.filesPerSecond} files/s`,
  );
  if (summary.errors.length > 0) {
    lines.push(`  errors (${summary.errorsTotal}):`);
    for (const error of summary.errors) lines.push(`    ${error.code.padEnd(16)} ${error.message}`);
    const more = summary.errorsTotal - summary.errors.length;
    if (more > 0) lines.push(`    … and ${more} more, in wkmp.db's import_errors (session ${summary.sessionId}; the service pages them: GET /import/errors?session=${summary.sessionId})`);
  }
  return lines.join('\n');
}
