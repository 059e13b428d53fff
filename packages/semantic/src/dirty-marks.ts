// Pruning rollup_dirty_days (docs/decisions/0001-read-path.md). A mark can go once no roll-up
// table can be read without having seen it: every table built so far covering its day, in every
// roll-up schema of the database (another deployment's, the planner's `_fresh` one), was built
// from a snapshot that sees the marking transaction, and no transaction running now (a build in
// progress) started before it committed. The newest mark of each day stays: the partitions'
// refresh keys are the newest mark of their days and must not move back.
import type { CubeDriver } from './cube.ts';

/** Partition tables are named <cube>_<roll-up><YYYYMMDD of the partition start>_<3 version hashes>. */
const PARTITION = /(\d{4})(\d{2})(\d{2})_[a-z0-9]+_[a-z0-9]+_[a-z0-9]+$/;

/** `rollups`: each roll-up's table name prefix (`<cube>_<roll-up>`, lower case) and its cube. */
export async function pruneDirtyMarks(driver: CubeDriver, rollups: Array<{ prefix: string; cube: string }>): Promise<number> {
  // Every schema, not only this layer's: a mark another schema's table has not seen must stay, or
  // that table reads as sealed without the marked rows.
  const tables = (await driver.query(
    `SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE '\\_timescaledb%'`,
  )) as Array<{ schemaname: string; tablename: string }>;
  const built: Array<{ start: string; snapshot: string | null }> = [];
  for (const { schemaname, tablename } of tables) {
    const m = PARTITION.exec(tablename);
    const rollup = rollups.find((r) => tablename.startsWith(r.prefix));
    if (!m || !rollup) continue;
    // The table may be dropped meanwhile (a newer version replaced it): then it holds nothing back.
    const rows = (await driver.query(`SELECT ${rollup.cube}__build_snapshot AS s FROM "${schemaname}"."${tablename}" LIMIT 1`).catch(() => [])) as Array<{ s: string }>;
    // An empty table is never read as sealed (it has no snapshot): it does not hold marks back.
    if (rows[0]?.s) built.push({ start: `${m[1]}-${m[2]}-${m[3]}`, snapshot: rows[0].s });
  }
  const [result] = (await driver.query(
    `WITH built AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS b (start date, snapshot text)),
          newest AS (SELECT max(seq) AS seq FROM rollup_dirty_days GROUP BY day)
     , gone AS (
       DELETE FROM rollup_dirty_days d
        WHERE d.seq NOT IN (SELECT seq FROM newest)
          -- a day (or week) partition in any time zone lies within [start - 1 day, start + 8 days)
          AND NOT EXISTS (SELECT 1 FROM built b WHERE d.day >= b.start - 1 AND d.day < b.start + 8
                             AND NOT pg_visible_in_snapshot(d.xid, b.snapshot::pg_snapshot))
          -- a transaction of this database that began before the mark committed (a build in progress)
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                           WHERE a.datname = current_database() AND a.backend_xmin IS NOT NULL
                             AND age(xid(d.xid)) <= age(a.backend_xmin))
        RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [JSON.stringify(built)],
  )) as Array<{ n: number }>;
  return result?.n ?? 0;
}
