import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';

const chunkBytes = 1 << 20;

/**
 * SHA-256 of the whole file, hex: the content identity WKMP uses to find duplicates. Reads the
 * file the caller already opened, in 1 MiB chunks, blocking: it runs in a worker thread that has
 * nothing else to do, and a stream per file costs more than the hash for the small files a library
 * is full of.
 */
export function hashFile(fd: number, sizeBytes: number): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, sizeBytes)));
  let position = 0;
  for (;;) {
    const bytesRead = readSync(fd, buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}
