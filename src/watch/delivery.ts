/**
 * Hands folder sets to the caller one call at a time: folders that come while a call runs wait,
 * merged, and go in the next call once it has resolved. A rescan that starts while another is
 * still running would race it for the same folders.
 */
import { errorMessage } from '../errors.js';
import { collapseFolders } from '../scan/folders.js';

export type FolderHandler = (folders: string[]) => void | Promise<void>;

export class FolderDelivery {
  private readonly waiting = new Set<string>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly handler: FolderHandler, private readonly onError: (message: string) => void) {}

  /** Calls the handler now if it is idle (synchronously), else after the running call. */
  deliver(folders: Iterable<string>): void {
    if (this.stopped) return;
    for (const folder of folders) this.waiting.add(folder);
    this.startDraining();
  }

  private startDraining(): void {
    if (this.running !== undefined || this.waiting.size === 0 || this.stopped) return;
    // Cleared in `finally`, never inside drain(): a handler that returns at once would end drain()
    // before `running` is even set. What came between drain's last look and here is taken up again.
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.startDraining();
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.size > 0 && !this.stopped) {
      const folders = collapseFolders(this.waiting);
      this.waiting.clear();
      try {
        await this.handler(folders);
      } catch (error) {
        this.onError(`folder watcher: the rescan of ${folders.map((f) => `'${f}'`).join(', ')} failed: ${errorMessage(error)}`);
      }
    }
  }

  /** The folders waiting for the running call to end. */
  get queued(): string[] {
    return collapseFolders(this.waiting);
  }

  /** Delivers nothing more; resolves when no call is running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting.clear();
    await this.running;
  }
}
