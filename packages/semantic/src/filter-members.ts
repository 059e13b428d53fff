// What a query's filters say about a member: whether any filter names it (inside and/or too), and
// whether a top-level (ANDed) filter keeps exactly one of its values. Planning rewrites (whole
// calls, completed tasks, one session's raw read) and the API's event log ask these.
type Filter = Record<string, any>;

const memberOf = (f: Filter): string => f.member ?? f.dimension ?? '';

/** Whether a filter anywhere names a member `test` accepts. */
export function filtersName(filters: readonly Filter[], test: (member: string) => boolean): boolean {
  return filters.some((f) => (Array.isArray(f.and) ? filtersName(f.and, test) : Array.isArray(f.or) ? filtersName(f.or, test) : test(memberOf(f))));
}

/** Whether a top-level (ANDed) filter keeps one value of `member`. */
export function keepsOneValue(filters: readonly Filter[], member: string): boolean {
  return filters.some((f) => (Array.isArray(f.and) ? keepsOneValue(f.and, member) : memberOf(f) === member && f.operator === 'equals' && f.values?.length === 1));
}
