/**
 * `wkmp-ai prune --missing-for 30d [--dry-run]`: the one way files marked missing leave the
 * database, with their passages and everything hanging off them (history, links, flavor). Nothing
 * else deletes a file's row: an import only marks it (DESIGN.md, plan). Offline files (a drive not
 * mounted) are never marked, so never pruned.
 */
import { existsSync } from 'node:fs';
import { deleteMissingFiles, listMissingBefore, type LongMissingFile } from '../db/queries/files.js';
import { openWkmpDatabase } from '../db/setup.js';
import { InvalidInputError } from '../errors.js';

export interface PruneOptions {
  database: string;
  /** How long a file must have been missing, in milliseconds. */
  missingForMs: number;
  dryRun: boolean;
  json: boolean;
  /** The time now, epoch ms. */
  now: number;
}

const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "30d", "12h", "90m", "2w" in milliseconds; undefined for anything else. */
export function parseAge(text: string): number | undefined {
  const match = /^(\d+)([mhdw])$/.exec(text.trim());
  return match ? Number(match[1]) * units[match[2]!]! : undefined;
}

function describe(files: readonly LongMissingFile[], verb: string): string {
  const passages = files.reduce((sum, file) => sum + file.passages, 0);
  const lines = files.map((file) => `  ${file.path}  (missing since ${file.missingSince}, ${file.passages} passages${file.supersededBy === null ? '' : ', taken over by another encoding'})`);
  return [`${verb} ${files.length} files missing for longer than asked, with ${passages} passages:`, ...lines].join('\n');
}

/** Lists, then (unless a dry run) removes, the files missing since before `now − missingFor`; returns what it prints. */
export async function pruneMissing(options: PruneOptions): Promise<string> {
  if (!existsSync(options.database)) throw new InvalidInputError('startup', `no database at ${options.database}: nothing to prune`, { path: options.database });
  const before = new Date(options.now - options.missingForMs).toISOString();
  const db = openWkmpDatabase(options.database);
  try {
    const files = listMissingBefore(db.read, before);
    const removed = options.dryRun || files.length === 0 ? 0 : await db.recorder.write(deleteMissingFiles(files.map((file) => file.guid), before));
    if (options.json) return JSON.stringify({ before, dryRun: options.dryRun, removed, files });
    if (files.length === 0) return `no file has been missing since before ${before}: nothing to prune`;
    return options.dryRun ? `${describe(files, 'would remove')}\n(a dry run: nothing was removed)` : describe(files, `removed ${removed} of`);
  } finally {
    await db.close();
  }
}
