// Runs the images built by scripts/containers.sh the only way this sandbox allows: `buildah run
// --isolation=chroot` (no namespaces, so on the host network) of each image's own command, with its
// own user, working directory and environment, plus the variables a deployment would give it.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

interface ImageConfig { Cmd?: string[]; Entrypoint?: string[]; Healthcheck?: { Test: string[] }; User?: string; Env?: string[] }

export async function imageConfig(image: string): Promise<ImageConfig> {
  const { stdout } = await exec('buildah', ['inspect', '--type', 'image', image], { maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(stdout) as { Docker: { config: ImageConfig } }).Docker.config;
}

export interface Running {
  /** Runs the image's HEALTHCHECK in the container; its exit code (0: healthy). */
  healthcheck(): Promise<number>;
  /** Runs a command in the container (the image's environment plus the service's). */
  exec(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export async function runImage(image: string, env: Record<string, string>, args?: string[]): Promise<Running> {
  const config = await imageConfig(image);
  const container = (await exec('buildah', ['from', '--pull-never', image])).stdout.trim();
  const run = (cmd: string[]) => ['run', '--isolation=chroot', ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]), container, '--', ...cmd];
  const command = args ?? [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  // Its own process group: stop() signals buildah and the app it runs together.
  const child: ChildProcess = spawn('buildah', run(command), { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => process.env.TEST_VERBOSE && process.stderr.write(`[${image}] ${d}`));
  const runOnce = (cmd: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('buildah', run(cmd), (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
  return {
    async healthcheck() {
      const [kind, ...cmd] = config.Healthcheck?.Test ?? [];
      if (kind !== 'CMD') throw new Error(`${image}: no exec-form HEALTHCHECK (${kind})`);
      return (await runOnce(cmd)).code;
    },
    exec: runOnce,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch { /* the group ended meanwhile */ }
        await exited;
      }
      await exec('buildah', ['rm', container]);
    },
  };
}

/** Builds the base image and every app image from this checkout (scripts/containers.sh build --from-checkout); its timings, one line each. */
export async function buildImages(root: string): Promise<string[]> {
  const { stderr } = await exec(`${root}scripts/containers.sh`, ['build', '--from-checkout'], { maxBuffer: 256 * 1024 * 1024 });
  return stderr.split('\n').filter((l) => /^containers: .* took \d+s$/.test(l));
}
