import { readFileSync } from 'node:fs';

/** wkmp-ai's version, from package.json beside the built and the source tree alike (../package.json). */
export function wkmpAiVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
