// Exports are the one request that can hold a database connection for as long as its client
// takes to read: they run on a pool of their own (auth, ingest, guard and /ready never wait
// behind them) and each workspace may run only a few at once per API process.
import { ApiError } from '../query/errors.ts';

export const EXPORTS_PER_WORKSPACE = Number(process.env.EXPORTS_PER_WORKSPACE) || 2;

export class ExportSlots {
  private readonly running = new Map<string, number>();
  private readonly perWorkspace: number;
  constructor(perWorkspace = EXPORTS_PER_WORKSPACE) {
    this.perWorkspace = perWorkspace;
  }

  /** Takes a slot of the workspace; the returned function gives it back (once, however often called). */
  take(workspaceId: string): () => void {
    const n = this.running.get(workspaceId) ?? 0;
    if (n >= this.perWorkspace) {
      throw new ApiError('RATE_LIMITED', undefined, `this workspace already runs ${n} exports; wait for one to finish`, { retryAfterSeconds: 5 });
    }
    this.running.set(workspaceId, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(workspaceId) ?? 1) - 1;
      if (left > 0) this.running.set(workspaceId, left);
      else this.running.delete(workspaceId);
    };
  }
}
