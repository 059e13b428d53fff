import type { ReplicaLag } from './replica.ts';
/** A query in Cube's REST format, naming view members (`usage.total_cost`). */
export interface CubeQuery {
  measures?: string[];
  dimensions?: string[];
  timeDimensions?: Array<{ dimension: string; granularity?: string; dateRange?: string | [string, string] }>;
  filters?: Array<{ member: string; operator: string; values?: string[] } | { or: unknown[] } | { and: unknown[] }>;
  order?: Record<string, 'asc' | 'desc'> | Array<[string, 'asc' | 'desc']>;
  limit?: number;
  offset?: number;
  timezone?: string;
  total?: boolean;
  ungrouped?: boolean;
}

export interface QueryResult {
  /** One object per row, keyed by member name (`usage.model`, `usage.occurred_at.day`). */
  data: Array<Record<string, string | number | boolean | null>>;
  /** Row count without limit/offset, when the query asked for `total`. */
  total?: number;
  /** Ids of the roll-ups the result was read from (`usage_events.daily_by_model`); empty for raw events. */
  usedPreAggregations: string[];
}

export interface MemberMeta {
  name: string;
  title: string;
  shortTitle: string;
  type: string;
  /** Measures only: whether values of disjoint groups add up to the whole (sums and counts). */
  additive?: boolean;
  /**
   * Measures only: allocated to work items (cost × share), so it also adds up over the groups of
   * a dimension that fans out.
   */
  allocated?: boolean;
  /**
   * Dimensions only: one call can have several values (a call for several work items), so its
   * groups are not disjoint: only allocated measures add up over them.
   */
  fansOut?: boolean;
  format?: string;
  description?: string;
  kind: 'measure' | 'dimension' | 'segment';
}

export interface ViewMeta {
  name: string;
  title: string;
  measures: MemberMeta[];
  dimensions: MemberMeta[];
}

export interface SemanticContext {
  workspaceId: string;
  /** A restricted key's dimension values (e.g. { agent: 'build-bot' }): every query is filtered to them. */
  restriction?: Readonly<Record<string, string>>;
}

export interface LoadOptions {
  /**
   * Read raw events only, never roll-ups. Answers are the same either way (roll-ups are read
   * only where sealed); this is for queries whose SQL is run elsewhere (`sql()` for exports).
   */
  fresh?: boolean;
  /**
   * No row limit (Cube's default is 10,000, its maximum 50,000): for `sql()` whose caller streams
   * the rows with a cursor, as Cube's own stream queries do. `load()` refuses it.
   */
  unlimited?: boolean;
}

/** Loads queries; in snapshot() every load of one reader sees the same snapshot of the database. */
export interface QueryReader {
  load(query: CubeQuery, ctx: SemanticContext, options?: LoadOptions): Promise<QueryResult>;
}

export interface SemanticLayer extends QueryReader {
  /**
   * Runs `read` with a reader whose loads all answer from one consistent snapshot (one pinned
   * connection, one REPEATABLE READ READ ONLY transaction): for an answer made of several
   * queries, such as the levels of a breakdown tree. Its loads run one after another; `read`
   * may run again (a roll-up table replaced under it), so it must only read.
   */
  snapshot<T>(read: (reader: QueryReader) => Promise<T>): Promise<T>;
  /**
   * The SQL and parameters the query runs (scoped to the workspace), and the member each column
   * alias stands for: for snapshot tests, and for streaming results too large to load (exports).
   */
  sql(query: CubeQuery, ctx: SemanticContext, options?: LoadOptions): Promise<{ sql: string; params: unknown[]; aliasNameToMember: Record<string, string> }>;
  /** Public members only (like Cube's /v1/meta after visibility filtering). */
  meta(): { views: ViewMeta[] };
  /** Public views in Cube's meta format, as Cube's GraphQL schema builder (`makeSchema`) takes them. */
  cubeMeta(): Array<{ config: unknown }>;
  /**
   * Builds every missing roll-up partition and rebuilds those written to since their build
   * (their refresh key is the newest dirty mark of their days), then prunes the dirty marks
   * every table has seen. For a scheduled job: queries are exact without it, only slower
   * (dirty partitions are read from raw events).
   */
  warmPreAggregations(): Promise<{ built: string[]; prunedDirtyMarks: number }>;
  /** With a read replica (options.readUrl): how current its answers are; undefined without one. */
  readLag(): Promise<ReplicaLag | undefined>;
  close(): Promise<void>;
}

/** Where the layer reports what Cube's orchestrator does (silent by default). */
export type SemanticLogger = (message: string, params: unknown) => void;

/** Everything the layer is configured by: it reads no environment (the apps' config modules do). */
export interface SemanticLayerOptions {
  databaseUrl: string;
  /**
   * A streaming replica of `databaseUrl` the queries read from (one REPEATABLE READ snapshot each);
   * roll-ups are built on the primary. Unset, everything runs on the primary.
   */
  readUrl?: string;
  /** Directory of the YAML model; default `<repo>/cube/model`. */
  modelDir?: string;
  /** Postgres schema the roll-up tables are built in; default `cube_rollups`. */
  preAggregationsSchema?: string;
  /**
   * Time zones the warming job builds roll-ups for; default `['UTC']`. A query in another zone is
   * still answered exactly, from raw events (no roll-up is built inside a request).
   */
  rollupTimezones?: string[];
  /** Bound on every statement the layer runs, queries and roll-up builds alike; default 120,000 ms. */
  queryTimeoutMs?: number;
  /** Byte budget of Cube's in-process result cache (result-cache.ts); default 128 MB. */
  resultCacheBytes?: number;
  logger?: SemanticLogger;
}
