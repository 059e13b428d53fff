// Just enough of a Dockerfile reader for the deployment tests: its stages, each with its
// instructions (continuation lines joined) and the stage it starts from.
import { readFileSync } from 'node:fs';

export interface Instruction { op: string; args: string }
export interface Stage { name: string; from: string; instructions: Instruction[] }

export function readDockerfile(path: string): Map<string, Stage> {
  const lines = readFileSync(path, 'utf8').replace(/\\\n/g, ' ').split('\n');
  const stages = new Map<string, Stage>();
  let stage: Stage | undefined;
  for (const line of lines.map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (op === undefined) continue;
    const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args!);
    if (op.toUpperCase() === 'FROM' && from) {
      stage = { name: from[2] ?? from[1]!, from: from[1]!, instructions: [] };
      stages.set(stage.name, stage);
    } else stage?.instructions.push({ op: op.toUpperCase(), args: args!.trim() });
  }
  return stages;
}

/** A target's instructions, its ancestors' first (the stages it is built FROM). */
export function lineage(stages: Map<string, Stage>, target: string): Instruction[] {
  const stage = stages.get(target);
  if (!stage) return [];
  return [...lineage(stages, stage.from), ...stage.instructions];
}

/** The value of the last instruction `op` a target inherits (ENV, USER, CMD, HEALTHCHECK, ...). */
export const last = (stages: Map<string, Stage>, target: string, op: string) =>
  lineage(stages, target).filter((i) => i.op === op).at(-1)?.args;

/** ENV key=value pairs a target inherits (later ones win). */
export function envOf(stages: Map<string, Stage>, target: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of lineage(stages, target).filter((i) => i.op === 'ENV')) {
    for (const [, k, v] of i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[k!] = v!.replace(/^"|"$/g, '');
  }
  return env;
}
