/**
 * What the web page reads about the root folder: its subfolders (the folder picker) and the
 * passages stored for one file (the file page).
 */
import { readdirSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ReadDb } from '../../db/connection.js';
import { getFileByPath, listPassagesOfFile, type StoredPassage } from '../../db/queries/passages.js';
import { bandOf } from '../../identify/choose.js';
import { isSkippedFolder } from '../../scan/walk.js';
import { errorBody, statusOf } from '../http-errors.js';
import { isInside, locateInRoot } from '../../config/root-folder.js';

const pathQuery = (required: boolean) => ({
  querystring: {
    type: 'object',
    additionalProperties: false,
    ...(required ? { required: ['path'] } : {}),
    properties: { path: { type: 'string', maxLength: 4096 } },
  },
}) as const;

/** A stored passage as the file page shows it: with WKMP's band of its confidence (High, Medium, Low, none). */
function shownPassage(passage: StoredPassage) {
  const { state, song, confidence, candidates, lastError } = passage.identification;
  const band = confidence === null ? null : bandOf(confidence);
  return { ...passage, identification: { state, song, confidence, band, candidates, lastError } };
}

/** `Artist A/Album` → `Artist A`; the root's parent is null. */
function parentOf(path: string): string | null {
  if (path === '') return null;
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut);
}

export function registerLibraryRoutes(app: FastifyInstance, rootFolder: string, db: ReadDb): void {
  app.get<{ Querystring: { path?: string } }>('/api/folders', { schema: pathQuery(false) }, async (request, reply) => {
    const located = locateInRoot(rootFolder, request.query.path ?? '', 'folder');
    if (!located.ok) return reply.code(statusOf(located)).send(errorBody(statusOf(located), located.message));
    // The folders the import's walk would enter: no hidden or system folders, no symbolic links.
    const folders = readdirSync(located.absolutePath, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !isSkippedFolder(entry.name))
      .map((entry) => entry.name)
      .sort((a, b) => a.localeCompare(b));
    return { path: located.relativePath, parent: parentOf(located.relativePath), folders };
  });

  app.get<{ Querystring: { path: string } }>('/api/files/passages', { schema: pathQuery(true) }, async (request, reply) => {
    const { path } = request.query;
    const root = resolve(rootFolder);
    const wanted = resolve(root, path);
    if (!isInside(root, wanted)) return reply.code(400).send(errorBody(400, `file ${path} is outside the root folder ${root}`));
    const relativePath = wanted.slice(root.length + 1).split(sep).join('/');
    const file = getFileByPath(db, relativePath);
    if (!file) return reply.code(404).send(errorBody(404, `no file ${relativePath} in the library`));
    return {
      path: file.path, status: file.status, duration_ticks: file.durationTicks, title: file.title, artist: file.artist,
      passages: listPassagesOfFile(db, file.guid).map(shownPassage),
    };
  });
}
