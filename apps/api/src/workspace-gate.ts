// Per-workspace admission for query work: a workspace runs a few requests at once and queues a
// few more; beyond that it is told to slow down (429). One tenant's burst of heavy queries then
// takes a bounded share of the process, and everybody else's requests are not queued behind it.
import type { FastifyReply, FastifyRequest } from 'fastify';

export class WorkspaceGate {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();
  private readonly maxRunning: number;
  private readonly maxWaiting: number;

  constructor(maxRunning: number, maxWaiting: number) {
    this.maxRunning = maxRunning;
    this.maxWaiting = maxWaiting;
  }

  /** Resolves with a release function once the workspace may run; undefined when its queue is full. */
  async enter(workspaceId: string): Promise<(() => void) | undefined> {
    const n = this.running.get(workspaceId) ?? 0;
    if (n < this.maxRunning) {
      this.running.set(workspaceId, n + 1);
      return this.releaser(workspaceId);
    }
    const queue = this.waiting.get(workspaceId) ?? [];
    if (queue.length >= this.maxWaiting) return undefined;
    this.waiting.set(workspaceId, queue);
    await new Promise<void>((resolve) => queue.push(resolve)); // the slot is handed over by a release
    return this.releaser(workspaceId);
  }

  private releaser(workspaceId: string) {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.get(workspaceId)?.shift();
      if (next) return next(); // the running count stays: the slot passes to the next in line
      if (!this.waiting.get(workspaceId)?.length) this.waiting.delete(workspaceId);
      const left = (this.running.get(workspaceId) ?? 1) - 1;
      if (left > 0) this.running.set(workspaceId, left);
      else this.running.delete(workspaceId);
    };
  }

  /** A preHandler (after authentication): waits for the workspace's turn, or answers 429. */
  preHandler() {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const workspaceId = request.identity?.workspaceId;
      if (!workspaceId) return;
      const release = await this.enter(workspaceId);
      if (!release) {
        return reply.code(429).header('retry-after', '1').send({ error: 'rate_limited', message: 'this workspace has too many queries in flight; retry shortly' });
      }
      reply.raw.once('close', release); // answered, failed or abandoned: the slot is given back
    };
  }
}
