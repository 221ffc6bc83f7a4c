/**
 * Files still being written are not reported: a file is settled when two looks at it, one
 * stability interval apart with no event between them, find the same size and modification time.
 * A copy over the network or a tagger rewriting a file sends events in bursts with pauses longer
 * than a debounce; the folder is reported once the file stopped changing, not half-written.
 */
import { stat } from 'node:fs/promises';
import { isWithinFolder } from '../scan/folders.js';

interface Look {
  sizeBytes: number;
  mtimeMs: number;
}

async function lookAt(absolutePath: string): Promise<Look | 'gone'> {
  try {
    const stats = await stat(absolutePath);
    return { sizeBytes: stats.size, mtimeMs: stats.mtimeMs };
  } catch {
    return 'gone';
  }
}

export class WrittenFiles {
  /** Absolute path → its folder, and the last look (none yet, or an event came since). */
  private readonly files = new Map<string, { folder: string; look: Look | undefined }>();

  /** The file changed: it needs two fresh looks. */
  changed(absolutePath: string, folder: string): void {
    this.files.set(absolutePath, { folder, look: undefined });
  }

  get size(): number {
    return this.files.size;
  }

  /** Looks at every file; those that match their previous look (or are gone) settle and leave. Returns their folders. */
  async look(): Promise<string[]> {
    const settled = new Set<string>();
    await Promise.all([...this.files].map(async ([path, file]) => {
      const look = await lookAt(path);
      // An event during the look replaced the entry: it is not settled, whatever this look saw.
      if (this.files.get(path) !== file) return;
      if (look === 'gone' || (file.look !== undefined && look.sizeBytes === file.look.sizeBytes && look.mtimeMs === file.look.mtimeMs)) {
        this.files.delete(path);
        settled.add(file.folder);
      } else {
        file.look = look;
      }
    }));
    return [...settled];
  }

  /** The folders of the files still being written. */
  busyFolders(): string[] {
    return [...new Set([...this.files.values()].map((file) => file.folder))];
  }

  clear(): void {
    this.files.clear();
  }
}

/**
 * Of `folders`, those to report now: none that holds a file still being written, since its rescan
 * would read that file half-written ('a' waits for 'a/b/song.flac'; 'a/b' does not wait for 'a/x.flac').
 */
export function splitReadyFolders(folders: Iterable<string>, busy: readonly string[]): { ready: string[]; held: string[] } {
  const ready: string[] = [];
  const held: string[] = [];
  for (const folder of folders) {
    (busy.some((busyFolder) => isWithinFolder(busyFolder, folder)) ? held : ready).push(folder);
  }
  return { ready, held };
}
