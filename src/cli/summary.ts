import type { ImportSummary } from '../import/events.js';

/** The end-of-import report a person reads. Lines about analysis appear only when something was analysed or decoded. */
export function formatSummary(summary: ImportSummary): string {
  const c = summary.counts;
  const w = summary.write;
  const perFile = c.passagesPerFile;
  const lines = [
    `import ${summary.state.toLowerCase()}: ${summary.rootFolder}${summary.folder ? `/${summary.folder}` : ''} → ${summary.database}`,
    `  files      new ${c.new}, changed ${c.changed}, upgraded ${c.upgraded}, unchanged ${c.unchanged}, missing ${c.missing}, failed ${c.failed}`,
    `  found      audio ${c.classes.audio}, image ${c.classes.image}, video ${c.classes.video}, other ${c.classes.other}${c.skippedSymlinks ? `, symlinks not followed ${c.skippedSymlinks}` : ''}`,
    `  recorded   ${c.recorded} files, ${c.passages} passages, ${c.songs} songs, ${c.duplicates} duplicates, ${c.noAudio} with no audio`,
  ];
  if (perFile.one + perFile.twoToFive + perFile.moreThanFive > 0) {
    lines.push(`  passages   per file: 1 in ${perFile.one}, 2-5 in ${perFile.twoToFive}, more than 5 in ${perFile.moreThanFive}${c.shortestPassageSeconds === null ? '' : `; shortest ${c.shortestPassageSeconds.toFixed(1)} s`}`);
  }
  if (c.audioSeconds > 0) {
    lines.push(`  audio      ${(c.audioSeconds / 60).toFixed(1)} minutes analysed${summary.durationMs > 0 ? `, ${((c.audioSeconds * 1000) / summary.durationMs).toFixed(1)}x realtime` : ''}`);
  }
  lines.push(
    `  write path ${w.lockAcquisitionsPerFile} lock acquisitions per file, hold p50 ${w.holdMs.p50} ms, p99 ${w.holdMs.p99} ms, ${w.retries} retries`,
    `  time       ${(summary.durationMs / 1000).toFixed(1)} s, ${summary.filesPerSecond} files/s`,
  );
  if (summary.errors.length > 0) {
    lines.push(`  errors (${summary.errors.length}):`);
    for (const error of summary.errors) lines.push(`    ${error.code.padEnd(16)} ${error.message}`);
  }
  return lines.join('\n');
}
