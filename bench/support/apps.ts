// The one way benchmarks start Spendgraph's processes: the API and workers from their
// sources, the web app from its production build, each against the benchmark's own
// database and queue prefix, with stderr passed through so a crash is visible.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface AppEnvOptions {
  databaseUrl: string;
  apiPort: number;
  /** Keeps the benchmark's jobs apart from anything else on the same Redis. */
  queuePrefix: string;
  extra?: NodeJS.ProcessEnv;
}

/** The environment every app process of one benchmark shares. */
export function appEnv({ databaseUrl, apiPort, queuePrefix, extra }: AppEnvOptions): NodeJS.ProcessEnv {
  return {
    ...process.env, DATABASE_URL: databaseUrl, API_PORT: String(apiPort), LOG_LEVEL: 'warn',
    OPERATOR_TOKEN: process.env.OPERATOR_TOKEN ?? `${crypto.randomUUID()}${crypto.randomUUID()}`,
    QUEUE_PREFIX: queuePrefix, ...extra,
  };
}

const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((c) => c.kill('SIGTERM'))); // also when the benchmark fails

function started(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/**
 * The V8 flags the apps ship with (Dockerfile, scripts/demo.sh, `npm start`): without them V8 sizes the young
 * generation from the machine's memory (semi-spaces of 64 MB here) and an export's RSS follows it.
 */
export const APP_NODE_FLAGS = ['--max-semi-space-size=16'];

/** `apps/<app>/src/main.ts` in a Node process of its own, with APP_NODE_FLAGS; `nodeArgs` follow them (V8 flags, profiling). */
export function startApp(app: 'api' | 'worker', env: NodeJS.ProcessEnv, nodeArgs: string[] = []): ChildProcess {
  return started(spawn(process.execPath, [...APP_NODE_FLAGS, ...nodeArgs, `apps/${app}/src/main.ts`], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] }));
}

/** The production build of apps/web (`next start`) talking to the API at `apiUrl`. */
export function startWeb(port: number, apiUrl: string, env: NodeJS.ProcessEnv): ChildProcess {
  return started(spawn(process.execPath, [`${ROOT}/node_modules/next/dist/bin/next`, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: `${ROOT}/apps/web`, env: { ...env, SPENDGRAPH_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'ignore', 'inherit'],
  }));
}

/** Waits until `url` answers 2xx: seconds on an idle machine, minutes on a busy shared one (up to five). */
export async function untilReady(url: string, what: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if ((await fetch(url).catch(() => undefined))?.ok) return;
    await sleep(200);
  }
  throw new Error(`${what} did not start (${url})`);
}

/** The API on `env.API_PORT`, ready to answer. */
export async function startApi(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = startApp('api', env, nodeArgs);
  const url = `http://127.0.0.1:${env.API_PORT}`;
  await untilReady(`${url}/ready`, 'the API');
  return { child, url };
}

/** A TCP port nothing listens on right now. */
export const freePort = () => new Promise<number>((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => resolve(port));
  });
});
