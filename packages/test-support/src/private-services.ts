// Private Redis and PostgreSQL + TimescaleDB instances for tests that stop,
// kill or restart them (fault tolerance): the shared ones serve other runs.
//
// PostgreSQL runs from the Debian trixie root that scripts/services.sh builds
// ($SPENDGRAPH_DATA_DIR/timescaledb/root; `npm test` builds it before vitest starts),
// with a data directory and port of its own. Redis is the host's redis-server
// (scripts/test.sh installs it) with its own port and directory, persisting
// every write to its append-only file before answering (appendfsync always),
// as docker-compose.yml runs it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, waitFor } from './platform.ts';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const PG_BIN = '/usr/lib/postgresql/17/bin';

function dataDir(): string {
  return process.env.SPENDGRAPH_DATA_DIR ?? join(REPO, '.data');
}

export interface PrivateService {
  url: string;
  /** Stops the server abruptly (SIGKILL for Redis, `pg_ctl -m immediate` for PostgreSQL): a crash. */
  crash(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Redis

export async function privateRedis(name: string): Promise<PrivateService> {
  const port = await freePort();
  const dir = join(dataDir(), 'test-services', `redis-${name}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const pidfile = join(dir, 'redis.pid');
  const url = `redis://127.0.0.1:${port}`;
  const ping = async () => (await run('redis-cli', ['-p', String(port), 'ping']).catch(() => ({ stdout: '' }))).stdout.startsWith('PONG');

  const service: PrivateService = {
    url,
    async start() {
      await run('redis-server', [
        '--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--dir', dir,
        '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction',
        '--save', '', '--pidfile', pidfile, '--logfile', join(dir, 'redis.log'),
      ]);
      await waitFor(ping, 20_000, `private redis on ${port}`);
    },
    async crash() {
      const pid = Number((await run('cat', [pidfile])).stdout.trim());
      process.kill(pid, 'SIGKILL');
      await waitFor(async () => !(await ping()), 10_000, 'redis to die');
      await rm(pidfile, { force: true });
    },
    async destroy() {
      await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  await service.start();
  return service;
}

// ---------------------------------------------------------------------------------------
// PostgreSQL 17 + TimescaleDB from the trixie root

interface Root {
  dir: string;
  uid: string;
  gid: string;
}

async function tsdbRoot(): Promise<Root> {
  const dir = join(dataDir(), 'timescaledb', 'root');
  if (!existsSync(join(dir, 'etc/spendgraph-root-complete'))) {
    throw new Error(`no TimescaleDB root in ${dir}: run the tests with \`npm test\` (scripts/services.sh up builds it)`);
  }
  const id = async (flag: string) => (await run('chroot', [dir, '/usr/bin/id', flag, 'postgres'])).stdout.trim();
  return { dir, uid: await id('-u'), gid: await id('-g') };
}

/** Runs a PostgreSQL binary inside the root as its postgres user. */
function inRoot(root: Root, bin: string, args: string[]) {
  return run('chroot', [
    `--userspec=${root.uid}:${root.gid}`, root.dir, '/usr/bin/env', '-i',
    `PATH=${PG_BIN}:/usr/bin:/bin`, 'LANG=C.UTF-8', 'LC_ALL=C.UTF-8', 'TZ=UTC', 'HOME=/var/lib/postgresql',
    `${PG_BIN}/${bin}`, ...args,
  ], { maxBuffer: 16 * 1024 * 1024 });
}

const PG_CONF = (port: number, sockets: string) => `
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${sockets}'
max_connections = 100
shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
dynamic_shared_memory_type = sysv
shared_buffers = 128MB
fsync = on
synchronous_commit = on
timezone = 'UTC'
`;

/** A cluster's directory and port in the root, made empty; `service` starts, crashes and removes it. */
async function clusterDir(root: Root, name: string) {
  const port = await freePort();
  const inside = `/var/lib/spendgraph/test-${name}-${process.pid}`; // path inside the root
  const host = join(root.dir, inside);
  const pgdata = `${inside}/data`;
  await rm(host, { recursive: true, force: true });
  await mkdir(join(host, 'sock'), { recursive: true });
  const own = () => run('chown', ['-R', `${root.uid}:${root.gid}`, host]);
  await own();
  const service = (url: string): PrivateService => ({
    url,
    async start() {
      await inRoot(root, 'pg_ctl', ['-D', pgdata, '-w', '-t', '60', '-l', `${inside}/postgresql.log`, 'start']);
    },
    async crash() {
      await inRoot(root, 'pg_ctl', ['-D', pgdata, '-w', '-m', 'immediate', 'stop']);
    },
    async destroy() {
      await inRoot(root, 'pg_ctl', ['-D', pgdata, '-w', '-m', 'immediate', 'stop']).catch(() => {});
      await rm(host, { recursive: true, force: true });
    },
  });
  return { port, inside, host, pgdata, own, service };
}

/**
 * A fresh PostgreSQL cluster (trust auth on 127.0.0.1 only) with one database,
 * `spendgraph`, that has the timescaledb extension. `url` points at that database.
 */
export async function privatePostgres(name: string): Promise<PrivateService> {
  const root = await tsdbRoot();
  const { port, inside, host, pgdata, own, service: serviceAt } = await clusterDir(root, name);
  await inRoot(root, 'initdb', ['-D', pgdata, '-U', 'postgres', '--encoding=UTF8', '--locale=C.UTF-8', '--auth=trust']);
  await appendFile(join(host, 'data', 'postgresql.conf'), PG_CONF(port, `${inside}/sock`));
  await own();

  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const service = serviceAt(`postgres://postgres@127.0.0.1:${port}/spendgraph`);
  await service.start();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE spendgraph');
  await admin.end();
  return service;
}

/**
 * A streaming replica of a private PostgreSQL (pg_basebackup -R: it follows the primary's WAL,
 * read-only, `hot_standby_feedback` on so long reads are not cancelled by the primary's cleanup).
 * `crash()` kills it; `start()` brings it back, catching up from the primary.
 */
export async function privateReplica(name: string, primaryUrl: string): Promise<PrivateService> {
  const root = await tsdbRoot();
  const { port, inside, host, pgdata, own, service: serviceAt } = await clusterDir(root, name);
  await inRoot(root, 'pg_basebackup', ['-h', '127.0.0.1', '-p', new URL(primaryUrl).port, '-U', 'postgres', '-D', pgdata, '-R', '-X', 'stream', '-c', 'fast']);
  // Later settings win: the copied postgresql.conf names the primary's port and sockets.
  await appendFile(join(host, 'data', 'postgresql.conf'), `\nport = ${port}\nunix_socket_directories = '${inside}/sock'\nhot_standby_feedback = on\n`);
  await own();
  const service = serviceAt(Object.assign(new URL(primaryUrl), { port: String(port) }).toString());
  await service.start();
  return service;
}

/** Runs one of the root's PostgreSQL 17 programs (pg_dump, pg_restore, psql) as its postgres user; paths are the root's. */
export async function rootProgram(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return inRoot(await tsdbRoot(), bin, args);
}

/** An empty folder inside the root that its postgres user owns (e.g. for pg_dump's output): its path inside and on the host. */
export async function rootScratchDir(name: string): Promise<{ inside: string; host: string }> {
  const root = await tsdbRoot();
  const inside = `/var/lib/spendgraph/scratch-${name}-${process.pid}`;
  const host = join(root.dir, inside);
  await rm(host, { recursive: true, force: true });
  await mkdir(host, { recursive: true });
  await run('chown', ['-R', `${root.uid}:${root.gid}`, host]);
  return { inside, host };
}
