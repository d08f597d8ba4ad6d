/**
 * The bounded set of in-memory windows behind the fallback: at most `maxKeys` windows (least
 * recently used evicted first, via `lru-cache`), each holding at most `cap` hits — so a flood of
 * distinct clients, or one client hammering, cannot grow memory without limit.
 */
import { LRUCache } from 'lru-cache';
import { HitWindow } from './hit-window.js';

/** Windows by key, LRU-bounded. */
export class MemoryWindows {
  private readonly windows: LRUCache<string, HitWindow>;

  /** `maxKeys`: how many windows are kept (the config's `inMemoryMaxKeys`). */
  constructor(maxKeys: number) {
    this.windows = new LRUCache<string, HitWindow>({ max: maxKeys });
  }

  /** How many windows are kept now. */
  get size(): number {
    return this.windows.size;
  }

  /** The window of `key`, created empty when missing (and marked most recently used). */
  window(key: string): HitWindow {
    let window = this.windows.get(key);
    if (window === undefined) {
      window = new HitWindow();
      this.windows.set(key, window);
    }
    return window;
  }

  /** Forgets every window. */
  clear(): void {
    this.windows.clear();
  }
}
