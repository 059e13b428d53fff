// Run as a process of its own by transpile-cache.test.ts: compiles the model in argv[3] with the
// transpile cache in argv[2] and prints what the test compares (the model's meta, the worker
// threads Cube started, or the compile error).
import { installTranspileCache, diskTranspileCache } from '../src/transpile-cache.ts';

installTranspileCache(diskTranspileCache(process.argv[2])); // before the layer installs its default
let workers = 0;
process.on('worker', () => workers++);
const { loadModel } = await import('../src/model.ts');
try {
  const model = await loadModel(process.argv[3]);
  const cubes = model.compilers.metaTransformer.cubes.map((c) => c.config);
  console.log(JSON.stringify({ workers, views: model.views, cubes }));
} catch (e) {
  console.log(JSON.stringify({ workers, error: (e as Error).message }));
}
