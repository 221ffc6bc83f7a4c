import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

const chunkBytes = 1 << 20;

/**
 * SHA-256 of the whole file, hex: the content identity WKMP uses to find duplicates. Reads the
 * handle the caller already opened, in 1 MiB chunks: a stream per file costs more than the hash
 * for the small files a library is full of.
 */
export async function hashFile(handle: FileHandle, sizeBytes: number): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, sizeBytes)));
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}
