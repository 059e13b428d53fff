// Roll-up partitions hold their whole range, over a build range read when it is used
// (docs/decisions/0001-read-path.md). Two changes to Cube 1.7.43's partition loader
// (PreAggregationPartitionRangeLoader), once per process:
//
// 1. Cube builds a missing partition with its load SQL cut at the end of the range it was asked
//    for: the build range's end, intersected with the date range of the query that found the
//    partition missing. The table is then found by its structure and content versions, which
//    Cube computes from the *uncut* SQL, so every later query — any range, any workspace — reads
//    it as the whole week; its build snapshot has seen the rows it left out, so the lambda read's
//    sealed check trusts it. (A week first built by a query for Monday answered without Tuesday's
//    events until the next event written to that week.) We build every partition from the uncut
//    SQL, the one its versions describe; rows stamped ahead of the clock are in it, as spent money.
// 2. Cube caches the build range (`build_range_start`/`_end` in cube/model: the oldest day stored
//    within the roll-up history, and now + 1 day) for up to 24 hours per process,
//    renewed only when the first or last partition's refresh key changes. History stored before
//    the cached start (an import of last year's sessions) was in no partition any query read,
//    and a new week's rows were in none after the cached end. The range is an index lookup and a
//    constant: we read it whenever a query or a warming run plans its partitions.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface PartitionDescription {
  loadSql?: unknown;
  structureVersionLoadSql?: unknown;
}

type RangeQuery = [string, unknown[]];

interface RangeLoader {
  dataSource: string;
  driverFactory(dataSource: string): Promise<{ query(sql: string, values: unknown[]): Promise<unknown> }>;
}

/** Each loader's range reads: Cube asks for the same two twice while it plans a roll-up's partitions. */
const rangeReads = new WeakMap<RangeLoader, Map<string, Promise<unknown>>>();

let installed = false;

export function installWholePartitions() {
  if (installed) return;
  installed = true;
  const orchestrator = createRequire(require.resolve('@cubejs-backend/query-orchestrator'));
  const { PreAggregationPartitionRangeLoader: Loader } = orchestrator('./orchestrator/PreAggregationPartitionRangeLoader.js');

  const describe = Loader.prototype.partitionPreAggregationDescription;
  Loader.prototype.partitionPreAggregationDescription = function (range: [string, string], buildRange: [string, string]) {
    const d: PartitionDescription = describe.call(this, range, buildRange);
    return d.structureVersionLoadSql ? { ...d, loadSql: d.structureVersionLoadSql, buildRangeEnd: range[1] } : d;
  };

  Loader.prototype.loadRangeQuery = function (this: RangeLoader, [query, values]: RangeQuery) {
    const reads = rangeReads.get(this) ?? new Map<string, Promise<unknown>>();
    rangeReads.set(this, reads);
    const key = JSON.stringify([query, values]);
    if (!reads.has(key)) reads.set(key, this.driverFactory(this.dataSource).then((driver) => driver.query(query, values)));
    return reads.get(key);
  };
}
