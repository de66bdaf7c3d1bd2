// Process-wide resources shared by components (one JWKS cache per URL, one Redis client per
// address...), created on first use at compile time and closed with the gateway.
import type { SharedResources } from '../components/types.js';

export class SharedRegistry implements SharedResources {
  private readonly items = new Map<string, unknown>();
  private readonly closers: (() => Promise<void> | void)[] = [];

  get<T>(key: string, create: () => T): T {
    if (!this.items.has(key)) this.items.set(key, create());
    return this.items.get(key) as T;
  }

  onClose(fn: () => Promise<void> | void): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.closers.map((f) => f()));
  }
}
