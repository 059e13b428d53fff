// releaseStartupMemory: after a start that grew the young generation, one call shrinks it and
// frees the start's garbage, and leaves no global `gc` behind. In a process of its own (V8 flags
// and heap sizes are per process).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = `
import { getHeapSpaceStatistics } from 'node:v8';
import { releaseStartupMemory } from ${JSON.stringify(new URL('../src/process-memory.ts', import.meta.url).href)};
const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
let kept = [];
for (let i = 0; i < 400_000; i++) kept.push({ i, s: String(i) }); // survives scavenges, as loading modules does
kept = [];
const before = { young: young(), used: process.memoryUsage().heapUsed };
releaseStartupMemory();
const after = { young: young(), used: process.memoryUsage().heapUsed };
console.log(JSON.stringify({ before, after, gc: typeof globalThis.gc }));
`;

describe('releaseStartupMemory', () => {
  it('shrinks the young generation and frees garbage, with no global gc left', () => {
    const run = spawnSync(process.execPath, ['--max-semi-space-size=16', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const { before, after, gc } = JSON.parse(run.stdout) as { before: { young: number; used: number }; after: { young: number; used: number }; gc: string };
    expect(before.young).toBeGreaterThan(8 * 2 ** 20);
    expect(after.young).toBeLessThan(before.young / 4);
    expect(after.used).toBeLessThan(before.used);
    expect(gc).toBe('undefined');
  });
});
