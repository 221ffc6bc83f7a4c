/**
 * AcousticBrainz high-level dump archives in the exact layout of acousticbrainz-server's
 * `db/dump.py` (`dump_highlevel_json`): a plain tar stream (tar-stream's pack, as Python's
 * `tarfile.open(mode="w|")` writes one) piped through `zstd --compress -10`, members
 * `acousticbrainz-highlevel-json-20220623/highlevel/<mbid[0:2]>/<mbid[2:3]>/<mbid>-<n>.json`
 * holding `ujson.dumps({metadata, highlevel}, sort_keys=True)`, and `…/COPYING` last.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import tar from 'tar-stream';

export const dumpFolder = 'acousticbrainz-highlevel-json-20220623';

/** `<dir>/highlevel/56/4/564ccd5c-…-0.json` */
export function memberPath(mbid: string, offset: number): string {
  return `${dumpFolder}/highlevel/${mbid.slice(0, 2)}/${mbid.slice(2, 3)}/${mbid}-${offset}.json`;
}

/** JSON with its keys sorted at every level, compact, as ujson.dumps(…, sort_keys=True) writes it. */
export function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(sort(value));
}

export interface DumpMember {
  path: string;
  content: string | Buffer;
}

/** A document member of the dump. */
export function documentMember(mbid: string, offset: number, document: unknown): DumpMember {
  return { path: memberPath(mbid, offset), content: sortedJson(document) };
}

const copying = 'Creative Commons Legal Code\n\nCC0 1.0 Universal\n';

/**
 * Writes `members` (then COPYING) as a dump archive at `file`, compressed by the zstd program at
 * level 10. Members are taken from an iterable, so a bench can write a million without holding them.
 */
export async function writeDumpArchive(file: string, members: Iterable<DumpMember>): Promise<void> {
  const pack = tar.pack();
  const zstd = spawn('zstd', ['--compress', '-10', '-q', '-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const out = createWriteStream(file);
  zstd.stdout.pipe(out);
  pack.pipe(zstd.stdin);
  const mtime = new Date('2022-06-23T00:00:00Z');
  for (const member of [...members, { path: `${dumpFolder}/COPYING`, content: copying }]) {
    const content = typeof member.content === 'string' ? Buffer.from(member.content) : member.content;
    // An entry's callback waits for zstd to read what the pack holds: a large archive never sits in memory.
    await new Promise<void>((resolve, reject) => pack.entry({ name: member.path, size: content.length, mtime, mode: 0o644 }, content, (error) => (error ? reject(error) : resolve())));
  }
  pack.finalize();
  const [code] = (await once(zstd, 'close')) as [number];
  if (!out.closed) await once(out, 'close');
  if (code !== 0) throw new Error(`zstd exited ${code}`);
}

/** The archive cut after `keep` of its bytes: a download that stopped. */
export function truncateFile(from: string, to: string, keep: number): void {
  writeFileSync(to, readFileSync(from).subarray(0, keep));
}
