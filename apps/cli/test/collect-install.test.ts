// `spendgraph collect --install` in a scratch HOME: the generated systemd units, launchd plist and
// crontab line, the mode-600 key file, and the scheduled command itself run once. (--no-start: a
// test must not enable a timer in the real user's systemd instance or crontab, which are per user,
// not per HOME.)
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const KEY = 'sg_live_do-not-print-me';

async function installIn(home: string, ...args: string[]) {
  return run(process.execPath, [MAIN, 'collect', '--install', '--no-start', '--api', 'http://hub.example:4000', '--key', KEY, ...args],
    { env: { ...process.env, HOME: home, SPENDGRAPH_API_KEY: '' } });
}

/** ExecStart's arguments, unquoted (the units quote every one). */
const execStart = (service: string) => [...service.match(/^ExecStart=(.*)$/m)![1]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1').replace(/%%/g, '%'));

describe('spendgraph collect --install', () => {
  it('systemd: a user service and timer that run collect with the key from a mode-600 file', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sg-install-'));
    const { stdout } = await installIn(home, '--scheduler', 'systemd', '--every', '10');
    const keyFile = join(home, '.spendgraph', 'key');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, '.spendgraph'))).mode & 0o777).toBe(0o700);
    expect((await readFile(keyFile, 'utf8')).trim()).toBe(KEY);
    const service = await readFile(join(home, '.config/systemd/user/spendgraph-collect.service'), 'utf8');
    const timer = await readFile(join(home, '.config/systemd/user/spendgraph-collect.timer'), 'utf8');
    expect(service).toMatch(/^Type=oneshot$/m);
    expect(timer).toMatch(/^OnUnitActiveSec=10min$/m);
    expect(timer).toMatch(/^Persistent=true$/m);
    expect(timer).toMatch(/^WantedBy=timers\.target$/m);
    const args = execStart(service);
    expect(args.slice(0, 1)).toEqual([process.execPath]);
    expect(args.slice(-7)).toEqual([MAIN, 'collect', '--api', 'http://hub.example:4000', '--key-file', keyFile, '--no-progress']);
    for (const text of [service, timer, stdout]) expect(text).not.toContain(KEY);
    expect(stdout).toContain('to start it: systemctl --user daemon-reload && systemctl --user enable --now spendgraph-collect.timer');
    // systemd's own check of the units, where systemd is installed (it needs a runtime folder, not a running instance).
    const analyze = await run('systemd-analyze', ['--version']).then(() => true, () => false);
    if (analyze) {
      const runtime = join(home, 'run');
      await mkdir(runtime, { mode: 0o700 });
      const units = ['service', 'timer'].map((t) => join(home, `.config/systemd/user/spendgraph-collect.${t}`));
      await run('systemd-analyze', ['verify', '--user', ...units], { env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: runtime } });
    }
    // The scheduled command works as written (listing sources instead of sending: no hub here).
    const listed = await run(args[0]!, [...args.slice(1), '--list-sources'], { env: { ...process.env, HOME: home, SPENDGRAPH_API_KEY: '' } });
    expect(listed.stdout).toMatch(/^claude-code\s+not found/m);
  });

  it('launchd: a LaunchAgent plist with the interval and the key file, not the key', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sg-install-'));
    await installIn(home, '--scheduler', 'launchd', '--every', '30', '--user', 'dev-7', '--machine', 'ci-mac');
    const plist = await readFile(join(home, 'Library/LaunchAgents/dev.spendgraph.collect.plist'), 'utf8');
    expect(plist).toContain('<key>Label</key>\n  <string>dev.spendgraph.collect</string>');
    expect(plist).toContain('<key>StartInterval</key>\n  <integer>1800</integer>');
    expect(plist).toContain(`<string>--key-file</string>\n    <string>${join(home, '.spendgraph', 'key')}</string>`);
    expect(plist).toContain(`<key>StandardErrorPath</key>\n  <string>${join(home, '.spendgraph', 'collect.log')}</string>`);
    expect(plist).toContain('<string>--user</string>\n    <string>dev-7</string>\n    <string>--machine</string>\n    <string>ci-mac</string>');
    expect(plist).not.toContain(KEY);
    // Well formed: every opened element is closed.
    const tags = [...plist.replace(/<\?xml[^>]*>|<!DOCTYPE[^>]*>/g, '').matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)];
    const open: string[] = [];
    for (const [, close, name, self] of tags) if (!self) close ? expect(open.pop()).toBe(name) : open.push(name!);
    expect(open).toEqual([]);
  });

  it('cron: one crontab line (marked, so a reinstall replaces it); a reinstall rewrites the key, still mode 600', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sg-install-'));
    await installIn(home, '--scheduler', 'cron', '--every', '5');
    const line = await readFile(join(home, '.spendgraph', 'collect.cron'), 'utf8');
    expect(line).toMatch(/^\*\/5 \* \* \* \* '.+' 'collect' '--api' 'http:\/\/hub\.example:4000' '--key-file' '.+\/\.spendgraph\/key' '--no-progress' >> '.+collect\.log' 2>&1 # spendgraph-collect\n$/);
    await run(process.execPath, [MAIN, 'collect', '--install', '--no-start', '--scheduler', 'cron', '--key', 'second-key'], { env: { ...process.env, HOME: home } });
    expect((await readFile(join(home, '.spendgraph', 'key'), 'utf8')).trim()).toBe('second-key');
    expect((await stat(join(home, '.spendgraph', 'key'))).mode & 0o777).toBe(0o600);
  });

  it('needs a key, and rejects a bad interval or scheduler naming the option', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sg-install-'));
    const env = { ...process.env, HOME: home, SPENDGRAPH_API_KEY: '' };
    await expect(run(process.execPath, [MAIN, 'collect', '--install', '--no-start'], { env })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('an API key is needed') });
    await expect(installIn(home, '--every', '0')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--every') });
    await expect(installIn(home, '--scheduler', 'windows')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--scheduler: 'windows'") });
  });
});
