/**
 * npm run bench:tags -- [FOLDER] [--files N] [--seconds S] [--runs N] [--json] [--smoke]
 *
 * A tags pass side by side with beets (Debian's `beets`, which the bench installs with apt-get
 * when it is missing and it runs as root): `wkmp-ai import --analysis tags` against
 * `beet import -A -C -W -q` (no autotagging, no copying, no writing: both only read the tags and
 * the container) on the same folder, each as a whole process from a cold database, alternated,
 * best of `--runs` (default 3). Without FOLDER, `--files` (default 280) files of `--seconds`
 * (default 200) are made with ffmpeg: Ogg Vorbis, MP3, FLAC, M4A and Opus in equal shares, tagged,
 * ten to an album folder. Targets: wkmp-ai ≥ 2× as fast as beets at a few hundred files, ≥ 4× at
 * a few thousand (`--files 3000`).
 * Beside them, the floor of wkmp-ai's tag reading: one process that only runs `readTags`
 * (analysis/tags.ts: the narrow readers of tag-readers/, music-metadata for the rest) over the same files, one after
 * another, with no database, no worker thread and no content sniffing. A second thread does not
 * lower it: each thread compiles the parsers anew (docs/adr/0006). And per format, what a file
 * costs warm through the narrow readers and through music-metadata alone (docs/adr/0009).
 * `--smoke`: 10 files of 10 s, one run, for `npm test`; it checks both recorded every file and
 * exits 1 when not (beets missing is a note, not a failure). No timing is judged.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const formats = [
  { ext: 'ogg', codec: ['-c:a', 'libvorbis', '-q:a', '4'] },
  { ext: 'mp3', codec: ['-c:a', 'libmp3lame', '-b:a', '192k'] },
  { ext: 'flac', codec: ['-c:a', 'flac'] },
  { ext: 'm4a', codec: ['-c:a', 'aac', '-b:a', '160k'] },
  { ext: 'opus', codec: ['-c:a', 'libopus', '-b:a', '96k'] },
] as const;

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** One file per format, then copies of them: what costs here is reading, not encoding. */
function generateFolder(files: number, seconds: number): string {
  const root = mkdtempSync(join(tmpdir(), 'wkmp-bench-tags-'));
  const sources = formats.map((format) => {
    const path = join(root, `source.${format.ext}`);
    execFileSync('ffmpeg', [
      '-nostdin', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `sine=frequency=220:duration=${seconds}:sample_rate=44100`,
      '-f', 'lavfi', '-i', `anoisesrc=duration=${seconds}:amplitude=0.05:seed=1:sample_rate=44100`,
      '-filter_complex', 'amerge=inputs=2', ...format.codec,
      '-metadata', 'title=Song', '-metadata', 'artist=Someone', '-metadata', 'album=Record', '-metadata', 'date=2001', '-metadata', 'track=1',
      path,
    ]);
    return { path, ext: format.ext };
  });
  for (let i = 0; i < files; i += 1) {
    const source = sources[i % sources.length]!;
    const album = join(root, `Artist ${Math.floor(i / 50)}`, `Album ${Math.floor(i / 10)}`);
    mkdirSync(album, { recursive: true });
    copyFileSync(source.path, join(album, `${String((i % 10) + 1).padStart(2, '0')} Track ${i + 1}.${source.ext}`));
  }
  for (const source of sources) rmSync(source.path);
  return root;
}

function haveBeets(): boolean {
  if (spawnSync('beet', ['version'], { encoding: 'utf8' }).status === 0) return true;
  if (process.getuid?.() !== 0) return false;
  process.stderr.write('installing beets (apt-get install beets)…\n');
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'beets'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return spawnSync('beet', ['version']).status === 0;
}

interface Run {
  seconds: number;
  items: number;
}

function timed(command: string, args: readonly string[]): { seconds: number; status: number | null; stderr: string } {
  const started = performance.now();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { seconds: (performance.now() - started) / 1000, status: result.status, stderr: result.stderr };
}

function runWkmp(root: string, work: string, run: number): Run {
  const database = join(work, `wkmp-${run}.db`);
  const result = timed(process.execPath, [cli, 'import', '--root-folder', root, '--db', database, '--analysis', 'tags', '--json']);
  if (result.status !== 0) throw new Error(`wkmp-ai failed: ${result.stderr}`);
  const db = new Database(database, { readonly: true });
  try {
    return { seconds: result.seconds, items: (db.prepare("SELECT count(*) AS n FROM files WHERE status = 'INGEST COMPLETE'").get() as { n: number }).n };
  } finally {
    db.close();
  }
}

/** wkmp-ai's tag reading alone over every audio file under `root`: the least a tags pass built on it can cost. */
function runTagReading(root: string): Run {
  const script = [
    "import { readdirSync } from 'node:fs';",
    "import { join } from 'node:path';",
    `import { readTags } from ${JSON.stringify(new URL('../dist/analysis/tags.js', import.meta.url).href)};`,
    "const mimes = { ogg: 'audio/ogg', opus: 'audio/ogg', mp3: 'audio/mpeg', flac: 'audio/flac', m4a: 'audio/mp4' };",
    `const root = ${JSON.stringify(root)};`,
    'let items = 0;',
    "for (const name of readdirSync(root, { recursive: true, encoding: 'utf8' })) {",
    "  const mime = mimes[name.slice(name.lastIndexOf('.') + 1)];",
    '  if (mime === undefined) continue;',
    "  await readTags(join(root, name), { mime, mpegDuration: 'none' });",
    '  items += 1;',
    '}',
    'process.stdout.write(String(items));',
  ].join('\n');
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`reading the tags alone failed: ${result.stderr}`);
  return { seconds: (performance.now() - started) / 1000, items: Number(result.stdout) };
}

/** Microseconds per file by extension, warm (the third pass over the same files in one process), through the narrow readers and through music-metadata alone. */
type PerFormat = Record<string, { narrow: number; musicMetadata: number }>;

function runPerFormat(root: string): PerFormat {
  const script = [
    "import { readdirSync } from 'node:fs';",
    "import { join } from 'node:path';",
    `import { readTags, readTagsWithMusicMetadata } from ${JSON.stringify(new URL('../dist/analysis/tags.js', import.meta.url).href)};`,
    "const mimes = { ogg: 'audio/ogg', opus: 'audio/ogg; codecs=opus', mp3: 'audio/mpeg', flac: 'audio/flac', m4a: 'audio/x-m4a' };",
    `const names = readdirSync(${JSON.stringify(root)}, { recursive: true, encoding: 'utf8' });`,
    'const out = {};',
    'for (const [ext, mime] of Object.entries(mimes)) {',
    "  const these = names.filter((name) => name.endsWith('.' + ext));",
    '  if (these.length === 0) continue;',
    '  const perFile = async (reader) => {',
    '    let start = 0;',
    '    for (let pass = 0; pass < 3; pass += 1) {',
    '      start = performance.now();',
    `      for (const name of these) await reader(join(${JSON.stringify(root)}, name), { mime, mpegDuration: 'container' });`,
    '    }',
    '    return Math.round(((performance.now() - start) / these.length) * 1000);',
    '  };',
    '  out[ext] = { musicMetadata: await perFile(readTagsWithMusicMetadata), narrow: await perFile(readTags) };',
    '}',
    'process.stdout.write(JSON.stringify(out));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`reading the tags by format failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PerFormat;
}

function runBeets(root: string, work: string, run: number): Run {
  const config = join(work, `beets-${run}`);
  mkdirSync(config, { recursive: true });
  const library = join(config, 'library.db');
  writeFileSync(join(config, 'config.yaml'), [
    `directory: ${root}`, `library: ${library}`, 'plugins: []',
    'import:', '  write: no', '  copy: no', '  move: no', '  autotag: no', '  quiet: yes', '  resume: no', '  incremental: no',
  ].join('\n'));
  const result = timed('beet', ['-c', join(config, 'config.yaml'), 'import', '-A', '-C', '-W', '-q', root]);
  if (result.status !== 0) throw new Error(`beets failed: ${result.stderr}`);
  const db = new Database(library, { readonly: true });
  try {
    return { seconds: result.seconds, items: (db.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n };
  } finally {
    db.close();
  }
}

/** From this many files on, a library is "a few thousand": start-up is paid for, and the target is higher. */
const fewThousand = 1000;

/** Issue 20's targets: a few hundred files ≥ 2x as fast as beets, a few thousand ≥ 4x. */
function targetRatio(files: number): number {
  return files < fewThousand ? 2 : 4;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      files: { type: 'string', default: '280' },
      seconds: { type: 'string', default: '200' },
      runs: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
    },
  });
  const files = values.smoke ? 10 : Number(values.files);
  const seconds = values.smoke ? 10 : Number(values.seconds);
  const runs = values.smoke ? 1 : Number(values.runs);
  const generated = positionals[0] === undefined;
  const root = positionals[0] ?? generateFolder(files, seconds);
  const work = mkdtempSync(join(tmpdir(), 'wkmp-bench-tags-db-'));
  try {
    const beets = haveBeets();
    const wkmp: Run[] = [];
    const peer: Run[] = [];
    const floor: Run[] = [];
    for (let r = 0; r < runs; r += 1) {
      wkmp.push(runWkmp(root, work, r));
      if (beets) peer.push(runBeets(root, work, r));
      floor.push(runTagReading(root));
    }
    const perFormat = runPerFormat(root);
    const best = (all: Run[]): Run | null => (all.length === 0 ? null : all.reduce((a, b) => (a.seconds <= b.seconds ? a : b)));
    const [ours, theirs, least] = [best(wkmp)!, best(peer), best(floor)!];
    const ratio = theirs === null ? null : theirs.seconds / ours.seconds;
    const problems = [
      ...(generated && ours.items !== files ? [`wkmp-ai recorded ${ours.items} of ${files} files`] : []),
      ...(generated && theirs !== null && theirs.items !== files ? [`beets recorded ${theirs.items} of ${files} files`] : []),
      ...(generated && least.items !== files ? [`reading the tags alone read ${least.items} of ${files} files`] : []),
    ];
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ root, files, seconds, runs, wkmp, beets: peer, tagReadingAlone: floor, perFormat, ratio, problems })}\n`);
    } else {
      console.log(`bench:tags ${generated ? `${files} generated files of ${seconds} s (Ogg Vorbis, MP3, FLAC, M4A, Opus)` : root}; best of ${runs}, whole processes, cold databases`);
      console.log(`wkmp-ai import --analysis tags   ${ours.seconds.toFixed(2)} s  ${(ours.items / ours.seconds).toFixed(0)} files/s`);
      console.log(theirs === null ? 'beets                            not installed (apt-get install beets)' : `beet import -A -C -W -q          ${theirs.seconds.toFixed(2)} s  ${(theirs.items / theirs.seconds).toFixed(0)} files/s`);
      console.log(`readTags alone, one thread (floor) ${least.seconds.toFixed(2)} s  ${(least.items / least.seconds).toFixed(0)} files/s${theirs === null ? '' : `: at best ${(theirs.seconds / least.seconds).toFixed(2)}x as fast as beets`}`);
      console.log(`per file, warm (µs): ${Object.entries(perFormat).map(([ext, { narrow, musicMetadata }]) => `${ext} ${narrow} (music-metadata ${musicMetadata})`).join(', ')}`);
      if (ratio !== null) {
        const target = targetRatio(ours.items);
        // The smoke's ten files judge nothing: start-up is all there is at that size.
        const verdict = values.smoke ? 'not judged (--smoke)' : ratio >= target ? 'met' : 'NOT MET';
        console.log(`target: wkmp-ai ${ratio.toFixed(2)}x as fast as beets ≥ ${target} (${ours.items < fewThousand ? 'a few hundred files' : 'a few thousand'})  ${verdict}`);
      }
    }
    for (const problem of problems) console.error(`bench:tags --smoke: ${problem}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (generated) rmSync(root, { recursive: true, force: true });
  }
}

main();
