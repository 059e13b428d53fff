#!/usr/bin/env -S node --max-semi-space-size=64
// spendgraph <command>: the command-line entry point. A larger young generation halves the time
// spent collecting garbage while parsing large histories (short-lived line strings).
import { runAdmin } from './admin-command.ts';
import { runCollect } from './collect-command.ts';
import { runImport } from './import-command.ts';

const USAGE = `usage: spendgraph collect [options]   (spendgraph collect --help for the options)
       spendgraph import FILE...        (spendgraph import --help: Langfuse, Helicone, LiteLLM, ccusage history)
       spendgraph admin <command> ...   (spendgraph admin --help for the commands)`;

const [command, ...rest] = process.argv.slice(2);
if (command === 'collect') {
  process.exitCode = await runCollect(rest);
} else if (command === 'import') {
  process.exitCode = await runImport(rest);
} else if (command === 'admin') {
  process.exitCode = await runAdmin(rest);
} else {
  process.stderr.write(`${command && command !== '--help' ? `unknown command '${command}'\n` : ''}${USAGE}\n`);
  process.exitCode = command === '--help' ? 0 : 2;
}
