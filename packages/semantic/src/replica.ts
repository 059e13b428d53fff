// A streaming read replica the layer's queries read from (DATABASE_READ_URL), while roll-ups are
// built on the primary: how far behind the primary it is (answers say "as of"), and waiting until
// it has replayed what the primary wrote (a roll-up table built there a moment ago).
import type { CubeDriver } from './cube.ts';

export interface ReplicaLag {
  /** Every transaction the primary committed before this instant is visible on the replica. */
  asOf: string;
  /** Milliseconds between `asOf` and when the lag was read (0 when the replica had replayed everything). */
  lagMs: number;
}

const POLL_MS = 20;
const CATCH_UP_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ReplicaWatch {
  private readonly primary: CubeDriver;
  private readonly replica: CubeDriver;

  constructor(primary: CubeDriver, replica: CubeDriver) {
    this.primary = primary;
    this.replica = replica;
  }

  /**
   * The primary's write position, then how much of it the replica has replayed. Caught up, the
   * replica holds everything committed before the primary was asked; behind, everything committed
   * before its last replayed transaction (an upper bound on what it misses).
   */
  async lag(): Promise<ReplicaLag> {
    const [{ lsn, at }] = await this.primary.query('SELECT pg_current_wal_lsn()::text AS lsn, clock_timestamp() AS at');
    const [r] = await this.replica.query(
      `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught_up, pg_last_xact_replay_timestamp() AS replayed_at, clock_timestamp() AS now`,
      [lsn],
    );
    const asOf = r.caught_up ? new Date(at) : new Date(r.replayed_at ?? 0);
    return { asOf: asOf.toISOString(), lagMs: Math.max(0, new Date(r.now).getTime() - asOf.getTime()) };
  }

  /** Waits until the replica has replayed everything the primary has written so far. */
  async catchUp(timeoutMs = CATCH_UP_MS): Promise<boolean> {
    const [{ lsn }] = await this.primary.query('SELECT pg_current_wal_lsn()::text AS lsn');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [r] = await this.replica.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn]);
      if (r.done) return true;
      if (Date.now() > deadline) return false;
      await sleep(POLL_MS);
    }
  }
}
