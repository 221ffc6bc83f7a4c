/**
 * The web page: the static files of `web/` (beside `server/` in the sources and in the build),
 * served as they are. Pages get a Content-Security-Policy allowing only this origin's scripts, so
 * even a tag value that slipped into markup could not run.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const webFolder = fileURLToPath(new URL('../../web/', import.meta.url));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export function registerWebRoutes(app: FastifyInstance, folder = webFolder): void {
  const names = readdirSync(folder).filter((name) => extname(name) in contentTypes);
  for (const name of names) {
    const type = contentTypes[extname(name)]!;
    const send = async (_request: unknown, reply: FastifyReply) => {
      const body = await readFile(join(folder, name));
      return reply
        .header('content-type', type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', policy)
        .send(body);
    };
    // The page is public: it asks for the token (access.ts) before it asks the API anything.
    app.get(`/${name}`, { config: { public: true } }, send);
    if (name === 'index.html') app.get('/', { config: { public: true } }, send);
  }
}
