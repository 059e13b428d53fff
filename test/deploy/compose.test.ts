// docker-compose.yml cannot be run here (no container runtime that starts containers), so it is
// checked against what it runs: every service's image is a target of the Dockerfile, its command a
// file that image holds, its variables ones the app's configuration schema knows (and their values
// parse), its ports and health checks the ones the app listens on, its secrets required from the
// environment. A renamed variable, port or entry point fails here.
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import { apiEnv } from '../../apps/api/src/config.ts';
import { cliEnv } from '../../apps/cli/src/env.ts';
import { webEnv } from '../../apps/web/lib/env.ts';
import { workerEnvSchema } from '../../apps/worker/src/config.ts';
import { migrateEnv } from '../../packages/db/src/migrate-env.ts';
import { envOf, last, lineage, readDockerfile } from './dockerfile.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const stages = readDockerfile(`${ROOT}Dockerfile`);

interface Service {
  image?: string; build?: { context: string; target: string }; command?: string[]; entrypoint?: unknown;
  environment?: Record<string, string>; ports?: string[]; volumes?: string[]; healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

/** Each service that runs our code: the Dockerfile target of its image, the schema of its environment. */
const APPS: Record<string, { target: string; schema: z.ZodObject; port?: string }> = {
  api: { target: 'api', schema: apiEnv, port: 'API_PORT' },
  migrate: { target: 'api', schema: migrateEnv },
  worker: { target: 'worker', schema: workerEnvSchema, port: 'WORKER_METRICS_PORT' },
  web: { target: 'web', schema: webEnv, port: 'PORT' },
  cli: { target: 'cli', schema: cliEnv },
};
const SECRETS = ['POSTGRES_PASSWORD', 'OPERATOR_TOKEN', 'CUBEJS_API_SECRET'];

/** .env.example's variables, the secrets filled in as a user would. */
const example = Object.fromEntries(readFileSync(`${ROOT}.env.example`, 'utf8').split('\n')
  .filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^'(.*)'$|^"(.*)"$/, '$1$2')]));
const userEnv = { ...example, ...Object.fromEntries(SECRETS.map((s) => [s, randomBytes(32).toString('hex')])) };

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error} (an unset or empty VAR refuses to start). */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, arg?: string) => {
    const v = env[name];
    if (kind === '?' && !v) throw new Error(`${name}: ${arg}`);
    return v || (kind === '-' ? arg! : '');
  });
}
const interpolated = (env: Record<string, string> = {}, vars: Record<string, string | undefined> = userEnv) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(String(v), vars)]));
const containerPort = (mapping: string) => mapping.split(':').at(-1)!;

describe('docker-compose.yml', () => {
  it('runs every app from an image built from a target of the Dockerfile, tagged spendgraph/<target>', () => {
    for (const [name, { target }] of Object.entries(APPS)) {
      const s = services[name]!;
      expect(stages.has(target), `Dockerfile target ${target}`).toBe(true);
      expect(s.build, name).toEqual({ context: '.', target });
      expect(s.image, name).toBe(`spendgraph/${target}:\${SPENDGRAPH_VERSION:-latest}`);
    }
  });

  it('installs and builds nothing when a container starts, and mounts no sources', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(JSON.stringify([s.command, s.entrypoint]), name).not.toMatch(/npm|npx|next build|tsc/);
      expect((s.volumes ?? []).filter((v) => v.startsWith('./') && !v.endsWith(':ro')), name).toEqual([]);
    }
  });

  it("gives each app only variables its configuration schema knows, with values it accepts", () => {
    for (const [name, { target, schema }] of Object.entries(APPS)) {
      const env = interpolated(services[name]!.environment);
      const known = Object.keys(schema.shape);
      expect(Object.keys(env).filter((k) => !known.includes(k)), `${name}: unknown variables`).toEqual([]);
      const imageEnv = Object.fromEntries(Object.entries(envOf(stages, target)).filter(([k]) => known.includes(k)));
      const parsed = schema.safeParse({ ...imageEnv, ...env });
      expect(parsed.error?.issues ?? [], name).toEqual([]);
    }
  });

  it('takes every secret from the environment (or .env) and refuses to start without it', () => {
    const raw = readFileSync(`${ROOT}docker-compose.yml`, 'utf8');
    for (const secret of SECRETS) {
      expect(raw, secret).toContain(`\${${secret}:?`);
      expect(raw.match(new RegExp(`\\$\\{${secret}(?!:\\?)`, 'g')) ?? [], `${secret} with a default`).toEqual([]);
      expect(example[secret], `.env.example gives ${secret} no value`).toBe('');
      for (const [name, s] of Object.entries(services)) {
        if (!JSON.stringify(s.environment ?? {}).includes(`\${${secret}`)) continue;
        expect(() => interpolated(s.environment, { ...userEnv, [secret]: '' }), `${name} without ${secret}`).toThrow(secret);
      }
    }
    // The apps refuse too: the operator's token has no default.
    expect(apiEnv.safeParse({ ...interpolated(services.api!.environment), OPERATOR_TOKEN: undefined }).success).toBe(false);
    expect(workerEnvSchema.safeParse({ ...interpolated(services.worker!.environment), OPERATOR_TOKEN: undefined }).success).toBe(false);
  });

  it('lists in .env.example every variable it reads from the environment', () => {
    const raw = readFileSync(`${ROOT}docker-compose.yml`, 'utf8');
    const used = new Set([...raw.matchAll(/\$\{(\w+)/g)].map((m) => m[1]!));
    expect([...used].filter((v) => !(v in example))).toEqual([]);
  });

  it("publishes and health-checks the port each app listens on", () => {
    for (const [name, { target, port }] of Object.entries(APPS)) {
      if (!port) continue;
      const value = interpolated(services[name]!.environment)[port] ?? envOf(stages, target)[port];
      expect(value, `${name} ${port}`).toMatch(/^\d+$/);
      expect(services[name]!.ports!.map(containerPort), `${name} ports`).toContain(value);
      expect(last(stages, target, 'EXPOSE'), `${target} EXPOSE`).toBe(value);
      expect(last(stages, target, 'HEALTHCHECK'), `${target} HEALTHCHECK`).toContain(`process.env.${port}`);
    }
    // What others wait for as healthy has a health check (its own or its image's).
    for (const s of Object.values(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        if (condition !== 'service_healthy') continue;
        const target = APPS[dep]?.target;
        const check = services[dep]!.healthcheck ?? (target && last(stages, target, 'HEALTHCHECK'));
        expect(check && check !== 'NONE', `${dep} health check`).toBeTruthy();
      }
    }
  });

  it("runs commands that exist in the service's image", () => {
    for (const [name, { target }] of Object.entries(APPS)) {
      const command = services[name]!.command ?? JSON.parse(last(stages, target, 'ENTRYPOINT') ?? last(stages, target, 'CMD')!);
      const files = (command as string[]).filter((a) => a.includes('/') && !a.startsWith('-'));
      expect(files.length, `${name}: ${command}`).toBeGreaterThan(0);
      const copied = lineage(stages, target).filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/).at(-1)!.replace(/^\.\//, ''));
      const workdir = (last(stages, target, 'WORKDIR') ?? '/app').replace(/^\/app\/?/, '');
      for (const file of files) {
        const path = new URL(file, `file:///${workdir ? `${workdir}/` : ''}`).pathname.slice(1);
        expect(existsSync(`${ROOT}${path}`), `${name}: ${path}`).toBe(true);
        const top = path.startsWith('apps/') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0]!;
        const inImage = copied.includes(top) || (copied.includes('') && ['packages', 'node_modules', 'cube', 'db'].includes(top));
        expect(inImage, `${name}: ${path} is copied into the ${target} image`).toBe(true);
      }
    }
  });
});

describe('Dockerfile', () => {
  it('lets the base image be chosen, defaulting to the public Node 24 image', () => {
    expect(readFileSync(`${ROOT}Dockerfile`, 'utf8')).toMatch(/^ARG BASE_IMAGE=node:24-bookworm-slim$/m);
  });

  it('builds images that run as a user of their own, in production mode, labelled with version and source', () => {
    for (const target of ['api', 'worker', 'web', 'cli']) {
      expect(last(stages, target, 'USER'), target).toMatch(/^(?!root$|0$)\w+/);
      expect(envOf(stages, target).NODE_ENV, target).toBe('production');
      const labels = lineage(stages, target).filter((i) => i.op === 'LABEL').map((i) => i.args).join(' ');
      expect(labels, target).toContain('org.opencontainers.image.version=');
      expect(labels, target).toContain('org.opencontainers.image.source=');
    }
  });

  it('keeps sources, dependencies and local data out of the build context', () => {
    const ignored = readFileSync(`${ROOT}.dockerignore`, 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/.next', '.git', '.data', '.env']) expect(ignored, entry).toContain(entry);
  });
});
