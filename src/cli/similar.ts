/**
 * `wkmp-ai similar PATH`: each passage of one file, its flavor in a line (sources, tempo, key,
 * loudness), and the passages nearest it by the SPEC003 distance, as the Program Director will
 * choose by it (flavoring/similar.ts). Reads only: it opens wkmp.db read-only.
 */
import { existsSync } from 'node:fs';
import { locateInRoot } from '../config/root-folder.js';
import { openReadOnlyDatabase } from '../db/setup.js';
import { listPassageGuidsOfPath } from '../db/queries/flavor.js';
import { InvalidInputError } from '../errors.js';
import { passageFlavorReport, similarPassages, type PassageFlavorReport, type SimilarPassage } from '../flavoring/similar.js';
import { TICKS_PER_SECOND } from '../file-record.js';
import type { PassageLabel } from '../db/queries/flavor.js';

export interface SimilarOptions {
  rootFolder: string;
  database: string;
  /** The file, relative to the shell's directory or absolute; inside the root. */
  path: string;
  limit: number;
  json: boolean;
  out?: NodeJS.WritableStream;
}

function clock(ticks: number): string {
  const seconds = ticks / TICKS_PER_SECOND;
  return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
}

/** "Album/01 Song.flac 2/3 (0:00-3:12) · Song title". */
export function labelLine(label: PassageLabel): string {
  const place = label.of > 1 ? ` ${label.number}/${label.of}` : '';
  const name = label.songTitle ?? label.title;
  return `${label.path}${place} (${clock(label.startTicks)}-${clock(label.endTicks)})${name === null ? '' : ` · ${name}`}`;
}

/** "AcousticBrainz + wkmp-ai audio · 124 BPM, A minor, −11.2 LUFS". */
export function flavorLine(report: PassageFlavorReport): string {
  const f = report.features;
  const measured = f === null ? [] : [
    f.bpm === null ? null : `${Math.round(f.bpm)} BPM`,
    f.key === null || f.mode === null ? null : `${f.key} ${f.mode}`,
    f.loudness_lufs === null ? null : `${f.loudness_lufs.toFixed(1)} LUFS`,
  ].filter((part): part is string => part !== null);
  return [report.sources.join(' + ') || 'no source', ...(measured.length === 0 ? [] : [measured.join(', ')])].join(' · ');
}

function formatText(reports: readonly { report: PassageFlavorReport | null; guid: string; similar: SimilarPassage[] }[]): string {
  return reports.map(({ report, guid, similar }) => {
    if (report === null) return `${guid}: no flavor yet (a full import measures it)`;
    const lines = [labelLine(report.label), `  flavor   ${flavorLine(report)}`, ...report.warnings.map((warning) => `  warning  ${warning}`)];
    similar.forEach((n, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${n.distance.toFixed(4)}  ${labelLine(n.label)}`));
    if (similar.length === 0) lines.push('  no other passage has a flavor yet');
    return lines.join('\n');
  }).join('\n\n');
}

export function similarToFile(options: SimilarOptions): string {
  const located = locateInRoot(options.rootFolder, options.path, 'file');
  if (!located.ok) throw new InvalidInputError('startup', located.message, { path: options.path });
  if (!existsSync(options.database)) throw new InvalidInputError('startup', `no database at ${options.database}: import a folder first (wkmp-ai import)`, { path: options.database });
  const db = openReadOnlyDatabase(options.database);
  try {
    const guids = listPassageGuidsOfPath(db, located.relativePath);
    if (guids.length === 0) throw new InvalidInputError('startup', `${located.relativePath} has no passages in ${options.database}: import it first`, { path: located.relativePath });
    const reports = guids.map((guid) => ({ guid, report: passageFlavorReport(db, guid), similar: similarPassages(db, guid, options.limit) ?? [] }));
    return options.json
      ? JSON.stringify(reports.map(({ guid, report, similar }) => ({
        guid, passage: report?.label ?? null, flavor: report?.flavor ?? null, sources: report?.sources ?? [], audio_features: report?.features ?? null,
        warnings: report?.warnings ?? [], similar: similar.map((n) => ({ guid: n.guid, distance: n.distance, passage: n.label })),
      })))
      : formatText(reports);
  } finally {
    db.close();
  }
}
