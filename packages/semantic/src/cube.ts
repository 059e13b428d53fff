// The parts of Cube 1.7.43 we run in-process (see docs/decisions/0008-cube-in-process.md).
// Cube ships CommonJS without usable types for these entry points, so they are
// loaded with require() and described here by the little we use of them.
import { createRequire } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { installLocalTimeFix } from './local-time.ts';
import { installTranspileCache } from './transpile-cache.ts';
import { installWholePartitions } from './whole-partitions.ts';

const require = createRequire(import.meta.url);
// Local times in date ranges mean the zone's wall clock (Cube's conversion is off near DST changes).
installLocalTimeFix();
// A roll-up partition built inside a query holds its whole range, not the part that query asked for.
installWholePartitions();
// The model's transpiled files are kept between processes: it then loads without Cube's worker thread.
installTranspileCache();

export interface CubeCompilers {
  compiler: { compile(): Promise<void>; withQuery<T>(query: any, fn: () => T): T };
  metaTransformer: { cubes: Array<{ config: CubeMetaConfig }> };
  cubeEvaluator: {
    preAggregations(filter?: unknown): PreAggregationInfo[];
  };
}

export interface CubeMetaMember {
  name: string;
  title: string;
  shortTitle: string;
  type: string;
  /** For measures: sum, count, countDistinct, number (a formula), ... */
  aggType?: string;
  format?: string | { type: string; label: string };
  description?: string;
  isVisible: boolean;
  public?: boolean;
  granularities?: Array<{ name: string }>;
  /** The model's `meta` of the member (fans_out, allocated: see cube/model/cubes/work_item_allocations.yml). */
  meta?: Record<string, unknown> | null;
}

export interface CubeMetaConfig {
  name: string;
  title: string;
  type: 'cube' | 'view';
  isVisible: boolean;
  public?: boolean;
  measures: CubeMetaMember[];
  dimensions: CubeMetaMember[];
  segments: CubeMetaMember[];
}

export interface PreAggregationInfo {
  id: string;
  cube: string;
  preAggregationName: string;
  preAggregation: { type: string; partitionGranularity?: string };
  references: Record<string, unknown>;
}

export const schemaCompiler: {
  prepareCompiler(repo: SchemaRepository, options: Record<string, unknown>): CubeCompilers;
  createQuery(compilers: CubeCompilers, dbType: string, options: Record<string, unknown>): any;
} = require('@cubejs-backend/schema-compiler');

export const gatewayQuery: {
  normalizeQuery(query: unknown, persistent: boolean): any;
  remapToQueryAdapterFormat(query: unknown): any;
} = require('@cubejs-backend/api-gateway/dist/src/query');

export const orchestratorModule: {
  QueryOrchestrator: new (prefix: string, driverFactory: (dataSource?: string) => unknown, logger: (msg: string, params: unknown) => void, options: Record<string, unknown>) => CubeOrchestrator;
  ContinueWaitError: new (...args: unknown[]) => Error;
  QueryCache: { replacePreAggregationTableNamesInSql(sql: string, tables: Array<[string, { targetTableName: string }]>): string };
} = require('@cubejs-backend/query-orchestrator');

export interface CubeOrchestrator {
  fetchQuery(body: Record<string, unknown>): Promise<any>;
  getQueryCache(): {
    getKey(catalog: string, key: string): string;
    getCacheDriver(): { remove(key: string): Promise<void>; keysStartingWith(prefix: string): Promise<string[]> };
  };
  expandPartitionsInPreAggregations(body: Record<string, unknown>): Promise<any>;
  cleanup(): Promise<void>;
}

export interface CubeDriver {
  query(sql: string, values?: unknown[]): Promise<any[]>;
  release(): Promise<void>;
  testConnection(): Promise<void>;
  /** Runs `fn` with a connection of the driver's pool, released after. */
  withConnection<T>(fn: (conn: PinnedConnection) => Promise<T>): Promise<T>;
  /** What the driver sets on a connection before each query (time zone UTC, statement timeout). */
  prepareConnection(conn: PinnedConnection): Promise<void>;
  /** The driver's result types (timestamps as strings, as its own queries return them). */
  getTypeParser: (dataTypeID: number, format?: string) => unknown;
}

/** A pg client of the driver's pool. */
export interface PinnedConnection {
  query(query: string | { text: string; values?: unknown[]; types?: unknown }): Promise<{ rows: any[] }>;
}

export const PostgresDriver: new (config: Record<string, unknown>) => CubeDriver =
  require('@cubejs-backend/postgres-driver').PostgresDriver;

export interface SchemaRepository {
  localPath(): string;
  dataSchemaFiles(): Promise<Array<{ fileName: string; content: string }>>;
}

/**
 * Reads the YAML model files under `dir` (Cube's FileRepository joins the
 * process's cwd with its path, so an absolute directory needs its own reader).
 */
export function modelRepository(dir: string): SchemaRepository {
  return {
    localPath: () => dir,
    async dataSchemaFiles() {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      const files = entries
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
        .sort();
      const unsupported = files.filter((f) => /\.(js|py|jinja)$/.test(f));
      if (unsupported.length) {
        throw new Error(
          `The in-process semantic layer reads YAML models only; unsupported model files: ${unsupported.map((f) => relative(dir, f)).join(', ')}`,
        );
      }
      return Promise.all(
        files
          .filter((f) => /\.ya?ml$/.test(f))
          .map(async (f) => ({ fileName: relative(dir, f).split(sep).join('/'), content: await readFile(f, 'utf8') })),
      );
    },
  };
}

/**
 * Stands in for @cubejs-backend/native (whose binary cannot be installed here):
 * compile() always asks it for a Jinja engine, which YAML models without
 * templates never use.
 */
export const nativeStandIn = {
  newJinjaEngine() {
    const unsupported = (): never => {
      throw new Error('Jinja templates are not supported by the in-process semantic layer (it runs without @cubejs-backend/native)');
    };
    return { loadTemplate: unsupported, renderTemplate: unsupported };
  },
  loadPythonContext(): never {
    throw new Error('Python model files (globals.py) are not supported by the in-process semantic layer');
  },
};
