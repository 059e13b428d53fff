// Cube's in-process cache keeps every query result in one process-wide object until it is read
// again after expiring: an ungrouped query of 50,000 rows with their tags would pin ~1.5 GB.
// This wraps Cube's cache driver so results are held within a byte budget, least recently used
// first out, and a result larger than one entry's share is never kept (it is served, not cached).
// Everything else Cube stores there (roll-up table lists, build states, locks) is small and passes through.
import { LRUCache } from 'lru-cache';

/** The part of Cube's cache driver interface the orchestrator calls. */
export interface CacheDriverLike {
  get(key: string): Promise<any>;
  set(key: string, value: any, expiration: number): Promise<{ key: string; bytes: number }>;
  remove(key: string): Promise<void>;
  keysStartingWith(prefix: string): Promise<string[]>;
  cleanup(): Promise<void>;
  testConnection(): Promise<void>;
  withLock(key: string, cb: () => any, expiration?: number, freeAfter?: boolean): any;
}

export const RESULT_CACHE_BYTES = 128 * 1024 * 1024;

/** Rows of a cached query result ({time, result, renewalKey}), or undefined for Cube's other entries. */
function resultRows(value: any): unknown[] | undefined {
  const r = value?.result;
  if (Array.isArray(r)) return r;
  if (Array.isArray(r?.data)) return r.data;
  return undefined;
}

/** Bytes of the rows as JSON, from a sample: stringifying a huge result to measure it would itself pin it twice. */
export function estimateBytes(rows: unknown[]): number {
  if (!rows.length) return 64;
  const step = Math.max(1, Math.floor(rows.length / 50));
  let sampled = 0;
  let bytes = 0;
  for (let i = 0; i < rows.length; i += step) {
    bytes += JSON.stringify(rows[i])?.length ?? 0;
    sampled++;
  }
  return Math.ceil((bytes / sampled) * rows.length);
}

export class ByteBoundedCache implements CacheDriverLike {
  private readonly sizes: LRUCache<string, number>;
  private readonly inner: CacheDriverLike;
  readonly maxEntryBytes: number;

  constructor(inner: CacheDriverLike, maxBytes = RESULT_CACHE_BYTES, maxEntryBytes = Math.floor(maxBytes / 8)) {
    this.inner = inner;
    this.maxEntryBytes = maxEntryBytes;
    this.sizes = new LRUCache<string, number>({
      maxSize: maxBytes,
      sizeCalculation: (n) => Math.max(1, n),
      // Evicted from the budget: evicted from Cube's store too.
      dispose: (_bytes, key, reason) => {
        if (reason === 'evict') void inner.remove(key);
      },
    });
  }

  /** Bytes of results held now (estimated). */
  get heldBytes() {
    return this.sizes.calculatedSize;
  }

  async get(key: string) {
    this.sizes.get(key); // a read makes it recent
    return this.inner.get(key);
  }

  async set(key: string, value: any, expiration: number) {
    const rows = resultRows(value);
    if (!rows) return this.inner.set(key, value, expiration);
    const bytes = estimateBytes(rows);
    if (bytes > this.maxEntryBytes) {
      this.sizes.delete(key);
      await this.inner.remove(key);
      return { key, bytes: 0 };
    }
    this.sizes.set(key, bytes);
    await this.inner.set(key, value, expiration);
    return { key, bytes };
  }

  async remove(key: string) {
    this.sizes.delete(key);
    await this.inner.remove(key);
  }

  keysStartingWith(prefix: string) {
    return this.inner.keysStartingWith(prefix);
  }

  cleanup() {
    return this.inner.cleanup();
  }

  testConnection() {
    return this.inner.testConnection();
  }

  withLock(key: string, cb: () => any, expiration?: number, freeAfter?: boolean) {
    return this.inner.withLock(key, cb, expiration, freeAfter);
  }
}
