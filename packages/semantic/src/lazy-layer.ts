// A semantic layer that loads Cube on first use: Cube and the compiled model are ~140 MB of
// RSS, which a process that only ingests (or an API before its first query) should not hold.
// Every asynchronous method loads it first; meta() and cubeMeta() answer from the compiled model
// and so need ready() to have resolved (the API awaits it before any route that may query).
import type { SemanticLayer, SemanticLayerOptions } from './types.ts';

export interface LazySemanticLayer extends SemanticLayer {
  /** Whether Cube is loaded (meta() and cubeMeta() answer). */
  readonly loaded: boolean;
  /** Loads Cube and compiles the model, once; a failed load is tried again by the next call. */
  ready(): Promise<SemanticLayer>;
}

export function lazySemanticLayer(opts: SemanticLayerOptions): LazySemanticLayer {
  let layer: SemanticLayer | undefined;
  let loading: Promise<SemanticLayer> | undefined;
  let closed = false;
  const ready = () => {
    if (closed) return Promise.reject(new Error('the semantic layer is closed'));
    loading ??= import('./layer.ts').then(({ createSemanticLayer }) => createSemanticLayer(opts)).then(
      (l) => (layer = l),
      (err) => {
        loading = undefined;
        throw err;
      },
    );
    return loading;
  };
  const loadedLayer = (method: string) => {
    if (!layer) throw new Error(`semantic layer: ${method}() before ready() resolved`);
    return layer;
  };
  return {
    get loaded() {
      return layer !== undefined;
    },
    ready,
    load: async (query, ctx, options) => (await ready()).load(query, ctx, options),
    snapshot: async (read) => (await ready()).snapshot(read),
    sql: async (query, ctx, options) => (await ready()).sql(query, ctx, options),
    warmPreAggregations: async () => (await ready()).warmPreAggregations(),
    // Without a replica there is no lag to tell: no need to load Cube for it (/metrics asks on every scrape).
    readLag: async () => (opts.readUrl ? (await ready()).readLag() : undefined),
    meta: () => loadedLayer('meta').meta(),
    cubeMeta: () => loadedLayer('cubeMeta').cubeMeta(),
    async close() {
      closed = true;
      const pending = loading;
      loading = undefined;
      await (await pending?.catch(() => undefined))?.close();
    },
  };
}
