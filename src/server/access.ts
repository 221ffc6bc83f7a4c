/**
 * Who may talk to the service. On loopback (the default) the machine's own users, through the
 * names loopback has. Bound to any other address, only those who hold its token: from `--token`,
 * `WKMP_AI_TOKEN`, or made on the first such start and kept in the config folder, mode 0600. Every
 * route but the page's static files and `/health` then asks for it, as `Authorization: Bearer …`
 * or the cookie the page gets by `POST /api/login`. Whatever the address:
 *
 * - a request whose Host header is not one of the service's own names is refused (421): a web page
 *   that had its name resolve to 127.0.0.1 (DNS rebinding) cannot reach the API;
 * - a request that changes something, sent by a page of another origin (its Origin header), is
 *   refused (403), so that a page can't make the browser post to the service.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { InvalidInputError } from '../errors.js';
import { errorBody } from './http-errors.js';

/** The cookie the page keeps the token in, once asked. */
export const tokenCookie = 'wkmp_ai_token';

export interface Access {
  /** Null on loopback without a token asked for: no token needed. */
  token: string | null;
  /** Host names (lowercase, IPv6 in brackets) the service answers to, whatever the port. */
  names: ReadonlySet<string>;
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** An address as it appears in a Host header: IPv6 in brackets. */
function asHostName(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  return bare.includes(':') ? `[${bare}]` : bare;
}

/**
 * The names a Host header may carry: loopback's own names always; bound beyond loopback, the
 * address itself, the machine's name (and its .local), every address of the machine when bound to
 * all of them, and the names given with `--allowed-host`.
 */
export function hostNames(host: string, extra: readonly string[] = []): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  if (!isLoopback(host)) {
    const machine = hostname().toLowerCase();
    for (const name of [machine, `${machine}.local`]) names.add(name);
    if (isWildcard(host)) {
      for (const addresses of Object.values(networkInterfaces())) for (const address of addresses ?? []) names.add(asHostName(address.address));
    } else {
      names.add(asHostName(host));
    }
  }
  for (const name of extra) names.add(asHostName(name));
  return names;
}

/** The host name of a Host (or Origin) value, lowercase, without its port; null when there is none. */
export function hostNameOf(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  try {
    const bare = value.includes('://') ? value : `http://${value}`;
    const url = new URL(bare);
    return url.hostname === '' ? null : url.hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** The token file: `$XDG_CONFIG_HOME/wkmp/wkmp-ai.token`, or under `~/.config`, beside wkmp-ai.toml. */
export function tokenFileIn(configFolder: string): string {
  return join(configFolder, 'wkmp-ai.token');
}

export interface TokenSources {
  host: string;
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  file: string;
}

export interface ResolvedToken {
  token: string | null;
  /** Where it came from; 'created' when it was made now (say it once). */
  source: 'flag' | 'environment' | 'file' | 'created' | 'none';
}

function checkedToken(token: string, where: string): string {
  const trimmed = token.trim();
  if (trimmed.length < 16) throw new InvalidInputError('startup', `${where}: a token must be at least 16 characters, got ${trimmed.length}`);
  return trimmed;
}

/**
 * The token the service asks for: `--token`, else `WKMP_AI_TOKEN`; bound beyond loopback without
 * either, the one kept in `file`, made there (mode 0600) on the first such start.
 */
export function resolveToken(sources: TokenSources): ResolvedToken {
  const env = sources.env ?? process.env;
  if (sources.flag !== undefined) return { token: checkedToken(sources.flag, '--token'), source: 'flag' };
  const fromEnv = env.WKMP_AI_TOKEN;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { token: checkedToken(fromEnv, 'WKMP_AI_TOKEN'), source: 'environment' };
  if (isLoopback(sources.host)) return { token: null, source: 'none' };
  let kept: string | null = null;
  try {
    const stat = statSync(sources.file);
    // Others able to read it could use it: refused, rather than quietly trusted.
    if ((stat.mode & 0o077) !== 0) {
      throw new InvalidInputError('startup', `${sources.file}: the token file can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); run chmod 600 on it`);
    }
    kept = readFileSync(sources.file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (kept !== null) return { token: checkedToken(kept, sources.file), source: 'file' };
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(sources.file), { recursive: true, mode: 0o700 });
  writeFileSync(sources.file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(sources.file, 0o600); // whatever the umask
  return { token, source: 'created' };
}

/** Whether `given` is the token, compared in constant time. */
export function isToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: `Authorization: Bearer …`, else the page's cookie. */
export function tokenOf(headers: { authorization?: string | undefined; cookie?: string | undefined }): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (bearer) return bearer[1];
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === tokenCookie) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answered without the token: the page's static files, /health, the login. */
    public?: boolean;
  }
}

/** The checks above, on every request, before its route runs. */
export function guardAccess(app: FastifyInstance, access: Access): void {
  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host;
    const name = hostNameOf(host);
    if (name === null || !access.names.has(name)) {
      return reply.code(421).send(errorBody(421, `the Host header \`${host ?? ''}\` is not a name of this service (${[...access.names].join(', ')}); start it with --allowed-host to add one`));
    }
    const origin = request.headers.origin;
    if (request.method !== 'GET' && request.method !== 'HEAD' && origin !== undefined && !access.names.has(hostNameOf(origin) ?? '')) {
      return reply.code(403).send(errorBody(403, `refused a ${request.method} sent by a page of another site (Origin ${origin})`));
    }
    if (access.token === null || request.routeOptions.config?.public === true) return undefined;
    if (!isToken(tokenOf(request.headers), access.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send(errorBody(401, 'this service asks for its token: send Authorization: Bearer <token>, or give it on the page'));
    }
    return undefined;
  });

  app.post<{ Body: { token: string } }>('/api/login', {
    config: { public: true },
    schema: { body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: { type: 'string', minLength: 1, maxLength: 400 } } } },
  }, async (request, reply) => {
    if (access.token === null) return reply.code(204).send();
    if (!isToken(request.body.token.trim(), access.token)) return reply.code(401).send(errorBody(401, 'that is not this service\'s token'));
    // HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it.
    return reply.code(204).header('set-cookie', `${tokenCookie}=${encodeURIComponent(access.token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000`).send();
  });
}
