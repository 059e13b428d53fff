#!/usr/bin/env -S node --max-semi-space-size=64
// spendgraph <command>: the command-line entry point. A larger young generation halves the time
// spent collecting garbage while parsing large histories (short-lived line strings).
// Each command is imported when it runs: `collect` never loads the database client `admin` needs.

import module from 'node:module';

// V8's code cache for our modules, type-stripped (each start compiles ~0.2 s of TypeScript per thread
// otherwise); the scan workers inherit it through the environment (collect's --workers).
const cache = module.enableCompileCache?.();
if (cache?.directory && !process.env.NODE_COMPILE_CACHE) process.env.NODE_COMPILE_CACHE = cache.directory;

const USAGE = `usage: spendgraph collect [options]   (spendgraph collect --help for the options)
       spendgraph import FILE...        (spendgraph import --help: Langfuse, Helicone, LiteLLM, ccusage history)
       spendgraph admin <command> ...   (spendgraph admin --help for the commands)`;

const [command, ...rest] = process.argv.slice(2);
if (command === 'collect') {
  process.exitCode = await (await import('./collect-command.ts')).runCollect(rest);
} else if (command === 'import') {
  process.exitCode = await (await import('./import-command.ts')).runImport(rest);
} else if (command === 'admin') {
  process.exitCode = await (await import('./admin-command.ts')).runAdmin(rest);
} else {
  process.stderr.write(`${command && command !== '--help' ? `unknown command '${command}'\n` : ''}${USAGE}\n`);
  process.exitCode = command === '--help' ? 0 : 2;
}
