// The audio files an import of a folder decodes, found as the import finds them (the walk, then
// the content of each file's first bytes), for the children of bench/analysis.ts.
import { readFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { open } from 'node:fs/promises';
import { classifyContent, sniffBytes } from '../dist/analysis/content-type.js';
import { walkLibrary } from '../dist/scan/walk.js';

/** Audio files under `root` by content, sorted by path: `{ path, absolutePath, sizeBytes, mime }`. */
export async function listAudioFiles(root) {
  const { entries } = await walkLibrary(root, root);
  const files = [];
  for (const entry of entries) {
    const content = await classifyContent(await readHead(entry.absolutePath, sniffBytes));
    if (content.fileClass !== 'audio' || content.mime === null) continue;
    files.push({ path: entry.path, absolutePath: entry.absolutePath, sizeBytes: entry.sizeBytes, mime: content.mime });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The first `bytes` bytes of a file (fewer if it is shorter), as the worker reads them to classify it. */
async function readHead(path, bytes) {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * CPU seconds used so far: by this process (all its threads) and by its waited-for child
 * processes (ffmpeg), the latter from /proc (Linux; null elsewhere). Clock ticks are taken as 100 Hz.
 */
export function cpuSeconds() {
  const usage = process.resourceUsage();
  return { self: (usage.userCPUTime + usage.systemCPUTime) / 1e6, children: childrenCpuSeconds() };
}

function childrenCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state is field 3, so cutime and cstime (16, 17) are at 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}
