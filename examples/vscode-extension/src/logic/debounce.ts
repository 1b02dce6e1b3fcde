/** Debouncing per key (one timer per document), without VS Code. */

/** Run `fn(key)` once `ms` after the last `schedule(key)`; `cancel(key)` drops a pending run. */
export class Debouncer<K> {
  private readonly timers = new Map<K, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly ms: number,
    private readonly fn: (key: K) => void,
  ) {}

  schedule(key: K): void {
    this.cancel(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.fn(key);
      }, this.ms),
    );
  }

  cancel(key: K): void {
    const t = this.timers.get(key);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
