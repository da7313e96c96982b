/** An LRU cache bounded by the total size of its values in bytes (not by entry count). */
export class ByteLru<V extends { size: number }> {
  private readonly map = new Map<string, V>();
  private total = 0;

  constructor(private readonly maxBytes: number, private readonly maxEntryBytes = Math.floor(maxBytes / 8)) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: string, value: V): void {
    if (value.size > this.maxEntryBytes) return;
    this.delete(key);
    this.map.set(key, value);
    this.total += value.size;
    for (const [k, v] of this.map) {
      if (this.total <= this.maxBytes) break;
      this.map.delete(k);
      this.total -= v.size;
    }
  }

  delete(key: string): void {
    const v = this.map.get(key);
    if (v === undefined) return;
    this.map.delete(key);
    this.total -= v.size;
  }

  /** Removes every key starting with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const k of [...this.map.keys()]) if (k.startsWith(prefix)) this.delete(k);
  }

  get bytes(): number {
    return this.total;
  }
}
