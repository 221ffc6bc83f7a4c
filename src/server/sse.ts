/**
 * Server-sent events at GET /import/events, with WKMP's event names (`event: ImportSessionStarted`,
 * JSON `data:`), each with an `id:`, and a `retry:` advice at the start. Progress goes to each
 * client at most once per `progressIntervalMs`, always the latest state; every other event goes
 * at once. A client that reads slower than events come gets no backlog: while its socket's buffer
 * is over `congestedBytes`, its progress waits (only the latest is kept) and log lines are dropped
 * for it, and the latest progress goes as soon as the buffer drains. A client that connects
 * during an import gets the current state first; every client gets a heartbeat comment every
 * `heartbeatMs`.
 */
import type { ServerResponse } from 'node:http';
import type { ImportEvent, ImportProgress } from '../import/events.js';

export interface SseOptions {
  /** Default 15 s (WKMP.md). */
  heartbeatMs?: number;
  /** Default 1 s: at most one ImportProgressUpdate per second per client (WKMP.md). */
  progressIntervalMs?: number;
  /** A client whose socket holds more than this unsent is congested. Default 64 KiB. */
  congestedBytes?: number;
  /** Streams open at once, at most; one more is refused (503). Default 32. */
  maxClients?: number;
}

/** How long a client waits before reconnecting after the stream broke (the `retry:` field). */
const reconnectMs = 3000;

interface Client {
  res: ServerResponse;
  /** When this client was last sent a progress event (epoch ms); 0 never. */
  lastProgressAt: number;
  pending: ImportProgress | null;
  timer: NodeJS.Timeout | null;
}

/**
 * The data of an `ImportProgressUpdate` event: the progress, when it was sent (epoch ms), and
 * `joined: true` on the state a client gets at once when it connects during an import.
 */
export type ProgressData = ImportProgress & { sentAt: number; joined?: true };

function frame(id: number, name: string, data: unknown): string {
  return `id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class SseHub {
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly progressIntervalMs: number;
  private readonly congestedBytes: number;
  readonly maxClients: number;
  /** Each event's `id:`, one sequence for the hub. */
  private lastId = 0;

  constructor(options: SseOptions = {}) {
    this.progressIntervalMs = options.progressIntervalMs ?? 1000;
    this.congestedBytes = options.congestedBytes ?? 64 * 1024;
    this.maxClients = options.maxClients ?? 32;
    this.heartbeat = setInterval(() => this.writeAll(': heartbeat\n\n'), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  /** Takes over a response; `current` is what a client joining now must see at once. */
  add(res: ServerResponse, current: ImportEvent | null): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const client: Client = { res, lastProgressAt: 0, pending: null, timer: null };
    this.clients.add(client);
    res.on('close', () => this.drop(client));
    res.on('drain', () => this.drained(client));
    res.write(`retry: ${reconnectMs}\n: connected\n\n`);
    if (current?.type === 'ImportProgressUpdate') this.sendProgress(client, current.progress, true);
    else if (current) res.write(frame(++this.lastId, current.type, current));
  }

  broadcast(event: ImportEvent): void {
    for (const client of this.clients) {
      if (event.type === 'ImportProgressUpdate') {
        this.offerProgress(client, event.progress);
        continue;
      }
      // Logs and the queue's progress are dropped for a client that cannot keep up: the next one says as much.
      const droppable = event.type === 'AnalysisLog' || event.type === 'IdentificationProgress' || event.type === 'FlavorProgress';
      if (droppable && this.isCongested(client)) continue;
      // The end of a session carries its summary: a progress still waiting is stale.
      if (!droppable) this.clearPending(client);
      client.res.write(frame(++this.lastId, event.type, event));
    }
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** No stream more may open: every open one costs a socket and its buffer. */
  get isFull(): boolean {
    return this.clients.size >= this.maxClients;
  }

  /** Ends every stream (the server is closing). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const client of [...this.clients]) {
      this.drop(client);
      client.res.end();
    }
  }

  private isCongested(client: Client): boolean {
    return client.res.writableLength > this.congestedBytes;
  }

  /** The socket caught up: a progress that waited for it goes now (within the interval rule). */
  private drained(client: Client): void {
    if (client.pending && client.timer === null) this.offerProgress(client, client.pending);
  }

  private offerProgress(client: Client, progress: ImportProgress): void {
    if (this.isCongested(client)) {
      client.pending = progress; // only the latest: sent on 'drain'
      return;
    }
    const wait = client.lastProgressAt + this.progressIntervalMs - Date.now();
    if (wait <= 0 && client.timer === null) {
      this.sendProgress(client, progress);
      return;
    }
    client.pending = progress;
    this.schedule(client, wait);
  }

  private schedule(client: Client, waitMs: number): void {
    if (client.timer !== null) return;
    client.timer = setTimeout(() => {
      client.timer = null;
      const wait = client.lastProgressAt + this.progressIntervalMs - Date.now();
      if (wait > 0) {
        this.schedule(client, wait); // the timer came early by the wall clock
        return;
      }
      const progress = client.pending;
      client.pending = null;
      if (progress) this.offerProgress(client, progress);
    }, Math.max(1, waitMs));
  }

  private sendProgress(client: Client, progress: ImportProgress, joined = false): void {
    const sentAt = Date.now();
    client.lastProgressAt = sentAt;
    const data: ProgressData = joined ? { ...progress, sentAt, joined } : { ...progress, sentAt };
    client.pending = null;
    client.res.write(frame(++this.lastId, 'ImportProgressUpdate', { type: 'ImportProgressUpdate', progress: data }));
  }

  private clearPending(client: Client): void {
    client.pending = null;
    if (client.timer !== null) clearTimeout(client.timer);
    client.timer = null;
  }

  private drop(client: Client): void {
    this.clearPending(client);
    this.clients.delete(client);
  }

  private writeAll(text: string): void {
    for (const client of this.clients) client.res.write(text);
  }
}
