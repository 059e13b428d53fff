// Loading the model is mostly Cube transpiling it in a worker thread it starts for the purpose:
// each YAML file to JavaScript (its template parser, ANTLR, runs with cold caches in every new
// process), then that JavaScript again through Babel in each phase of the compiler. A step's
// output depends only on what it sends the worker (the file, the transpilers, the names and symbols
// of the cubes) and on Cube's version, so both steps are kept on disk between processes under a
// digest of those: after the first start the model compiles without the worker thread (seconds of
// CPU less for the first query after a restart). A cache that cannot be written (a read-only
// install) means only that every start transpiles again.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const CUBE_VERSION: string = require('@cubejs-backend/schema-compiler/package.json').version;
const CACHE_DIR = fileURLToPath(new URL(`../../../node_modules/.cache/spendgraph/cube-${CUBE_VERSION}`, import.meta.url));

export interface TranspileCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** Entries as files named by their key; each written whole (another process may read it at once). */
export function diskTranspileCache(dir = CACHE_DIR): TranspileCache {
  const file = (key: string) => join(dir, `${key}.js`);
  return {
    get(key) {
      try {
        return readFileSync(file(key), 'utf8');
      } catch {
        return undefined;
      }
    },
    set(key, value) {
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${file(key)}.${process.pid}.tmp`;
        writeFileSync(tmp, value);
        renameSync(tmp, file(key));
      } catch {
        // not writable: transpiled again next time
      }
    },
  };
}

interface ModelFile {
  fileName: string;
  content: string;
}
interface ErrorsReport {
  getErrors(): unknown[];
  getWarnings(): unknown[];
}
interface TranspileOptions {
  cubeNames?: unknown;
  cubeSymbols?: unknown;
  transpilerNames?: unknown;
}
type Transpile = (this: unknown, file: ModelFile, report: ErrorsReport, options: TranspileOptions) => Promise<ModelFile | undefined>;

let installed = false;

/**
 * Cube's two transpiling steps (DataSchemaCompiler's transpileYamlFile and transpileJsFile, the
 * worker-thread path) through the cache, once per process. Only a result that reported no error
 * or warning is kept, so a broken model still says why at every start.
 */
export function installTranspileCache(cache: TranspileCache = diskTranspileCache()): void {
  if (installed) return;
  installed = true;
  const { DataSchemaCompiler } = require('@cubejs-backend/schema-compiler/dist/src/compiler/DataSchemaCompiler.js');
  for (const method of ['transpileYamlFile', 'transpileJsFile']) {
    const transpile: Transpile = DataSchemaCompiler.prototype[method];
    DataSchemaCompiler.prototype[method] = async function (this: unknown, file: ModelFile, report: ErrorsReport, options: TranspileOptions) {
      const { cubeNames, cubeSymbols, transpilerNames } = options;
      const inputs = JSON.stringify([method, file.fileName, file.content, transpilerNames ?? null, cubeNames ?? null, cubeSymbols ?? null]);
      const key = createHash('sha256').update(inputs).digest('hex');
      const cached = cache.get(key);
      if (cached !== undefined) return { ...file, content: cached };
      const [errors, warnings] = [report.getErrors().length, report.getWarnings().length];
      const result = await transpile.call(this, file, report, options);
      if (result && report.getErrors().length === errors && report.getWarnings().length === warnings) cache.set(key, result.content);
      return result;
    };
  }
}
