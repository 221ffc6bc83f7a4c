/** The service for e2e tests: the real server listening on 127.0.0.1, port 0, and an SSE client over fetch. */
import { afterEach } from 'vitest';
import { serve, type RunningService, type ServeOptions } from '../../src/server/serve.js';

const services: RunningService[] = [];
const clients: SseClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(services.splice(0).map((service) => service.close()));
});

/** Starts the service on a free port; closed after the test. */
export async function startService(rootFolder: string, options: Partial<ServeOptions> = {}): Promise<RunningService> {
  const service = await serve({ rootFolder, host: '127.0.0.1', port: 0, ...options });
  services.push(service);
  return service;
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
}

export async function request<T = Record<string, unknown>>(url: string, method: 'GET' | 'POST' = 'GET', body?: unknown, rawBody?: string): Promise<Answer<T>> {
  const init: RequestInit = { method };
  if (body !== undefined || rawBody !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = rawBody ?? JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T, text };
}

export interface SseMessage {
  event: string;
  data: Record<string, unknown>;
}

/** A client of GET /import/events that parses the stream itself. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  private readonly controller = new AbortController();
  private waiters: (() => void)[] = [];
  ended = false;

  private constructor() {}

  static async connect(url: string): Promise<SseClient> {
    const client = new SseClient();
    clients.push(client);
    const response = await fetch(url, { signal: client.controller.signal, headers: { accept: 'text/event-stream' } });
    if (response.status !== 200 || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
      throw new Error(`GET ${url}: ${response.status} ${response.headers.get('content-type')}`);
    }
    void client.read(response.body!);
    await client.until(() => client.comments.includes('connected'), 10_000, 'the connected comment');
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        this.wake();
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
    this.wake();
  }

  private parse(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) this.messages.push({ event, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits until `condition` holds; fails after `timeoutMs` (a safety net) or when the stream ends first. */
  async until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = setTimeout(() => this.wake(), timeoutMs);
    const started = performance.now();
    try {
      while (!condition()) {
        if (this.ended) throw new Error(`the event stream ended before ${what}`);
        if (performance.now() - started >= timeoutMs) throw new Error(`timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          this.waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    } finally {
      clearTimeout(deadline);
    }
  }

  named(event: string): SseMessage[] {
    return this.messages.filter((message) => message.event === event);
  }

  close(): void {
    this.controller.abort();
  }
}

/** The progress inside an ImportProgressUpdate message. */
export function progressOf(message: SseMessage): Record<string, unknown> & { sentAt: number; sessionId: string; write: Record<string, unknown> } {
  return message.data.progress as Record<string, unknown> & { sentAt: number; sessionId: string; write: Record<string, unknown> };
}
