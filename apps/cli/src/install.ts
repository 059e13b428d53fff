// `spendgraph collect --install`: a per-user background schedule that runs `spendgraph collect` every
// few minutes — a systemd user timer or a crontab line on Linux, a launchd agent on macOS. The key is
// kept in a mode-600 file (never in the unit, plist or crontab, which others may read) and the
// scheduled command reads it with --key-file.
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export type Scheduler = 'systemd' | 'cron' | 'launchd';

export interface InstallOptions {
  home: string;
  api: string;
  key: string;
  /** Minutes between runs. */
  every: number;
  scheduler: Scheduler;
  /** The command that runs the collector: node and this CLI's entry point. */
  command: string[];
  /** Write the files only; print how to start the schedule. */
  start: boolean;
  /** More options for each run (--user, --machine). */
  extra?: string[];
}

export interface Installed {
  keyFile: string;
  files: string[];
  /** What was run to start the schedule, or what to run (with start: false, or when it failed). */
  started: boolean;
  next: string;
}

const LABEL = 'dev.spendgraph.collect';
const UNIT = 'spendgraph-collect';

export function defaultScheduler(platform = process.platform): Scheduler {
  return platform === 'darwin' ? 'launchd' : 'systemd';
}

/** The scheduled command's arguments after the collector itself. */
function collectArgs(o: InstallOptions, keyFile: string): string[] {
  return [...o.command, 'collect', '--api', o.api, '--key-file', keyFile, '--no-progress', ...(o.extra ?? [])];
}

/** systemd quoting: every argument in double quotes, with \ and " escaped, and % doubled (a specifier otherwise). */
const systemdQuote = (a: string) => `"${a.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
const shellQuote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function systemdUnits(args: string[], every: number) {
  const service = `[Unit]
Description=Spendgraph: send coding-agent usage (spendgraph collect)

[Service]
Type=oneshot
ExecStart=${args.map(systemdQuote).join(' ')}
`;
  const timer = `[Unit]
Description=Run spendgraph collect every ${every} minutes

[Timer]
OnBootSec=2min
OnUnitActiveSec=${every}min
Persistent=true

[Install]
WantedBy=timers.target
`;
  return { service, timer };
}

export function launchdPlist(args: string[], every: number, log: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args.map((a) => `    <string>${xml(a)}</string>`).join('\n')}
  </array>
  <key>StartInterval</key>
  <integer>${every * 60}</integer>
  <key>RunAtLoad</key>
  <true/>
  <key>StandardOutPath</key>
  <string>${xml(log)}</string>
  <key>StandardErrorPath</key>
  <string>${xml(log)}</string>
</dict>
</plist>
`;
}

export function cronLine(args: string[], every: number, log: string): string {
  const minutes = every >= 60 ? '0' : `*/${every}`;
  const hours = every >= 60 ? `*/${Math.max(1, Math.round(every / 60))}` : '*';
  return `${minutes} ${hours} * * * ${args.map(shellQuote).join(' ')} >> ${shellQuote(log)} 2>&1 # ${UNIT}\n`;
}

const run = promisify(execFile);

async function tryRun(steps: string[][]): Promise<boolean> {
  try {
    for (const [cmd, ...args] of steps) await run(cmd!, args);
    return true;
  } catch {
    return false;
  }
}

/** Replaces this schedule's line in the user's crontab, keeping every other line. */
async function installCron(line: string): Promise<boolean> {
  const current = await run('crontab', ['-l']).then((r) => r.stdout, () => '');
  const kept = current.split('\n').filter((l) => l && !l.endsWith(`# ${UNIT}`));
  return new Promise((resolve) => {
    const child = execFile('crontab', ['-'], (e) => resolve(!e));
    child.stdin?.end([...kept, line.trimEnd()].join('\n') + '\n');
  });
}

export async function install(o: InstallOptions): Promise<Installed> {
  const dir = join(o.home, '.spendgraph');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'key');
  await writeFile(keyFile, `${o.key}\n`, { mode: 0o600 });
  await chmod(keyFile, 0o600); // an existing file keeps its mode on write
  const args = collectArgs(o, keyFile);
  const log = join(dir, 'collect.log');
  if (o.scheduler === 'systemd') {
    const units = join(o.home, '.config', 'systemd', 'user');
    await mkdir(units, { recursive: true });
    const { service, timer } = systemdUnits(args, o.every);
    const files = [join(units, `${UNIT}.service`), join(units, `${UNIT}.timer`)];
    await writeFile(files[0]!, service);
    await writeFile(files[1]!, timer);
    const steps = [['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', '--now', `${UNIT}.timer`]];
    const started = o.start && (await tryRun(steps));
    return { keyFile, files, started, next: steps.map((s) => s.join(' ')).join(' && ') };
  }
  if (o.scheduler === 'launchd') {
    const agents = join(o.home, 'Library', 'LaunchAgents');
    await mkdir(agents, { recursive: true });
    const plist = join(agents, `${LABEL}.plist`);
    await writeFile(plist, launchdPlist(args, o.every, log));
    const uid = process.getuid?.() ?? 0;
    const steps = [['launchctl', 'bootout', `gui/${uid}/${LABEL}`], ['launchctl', 'bootstrap', `gui/${uid}`, plist]];
    let started = false;
    if (o.start) {
      await tryRun(steps.slice(0, 1)); // fails when the agent is not loaded yet: only bootstrap must succeed
      started = await tryRun(steps.slice(1));
    }
    return { keyFile, files: [plist], started, next: steps[1]!.join(' ') };
  }
  const file = join(dir, 'collect.cron');
  const line = cronLine(args, o.every, log);
  await writeFile(file, line);
  const started = o.start && (await installCron(line));
  return { keyFile, files: [file], started, next: `(crontab -l; cat ${shellQuote(file)}) | crontab -` };
}
