// Build step: the web page's static files go beside the compiled server (dist/web/).
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../src/web/', import.meta.url));
const to = fileURLToPath(new URL('../dist/web/', import.meta.url));
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
