// Currencies: the ECB rates the deployment holds, their import, and the currency every money
// figure is stated in (docs/decisions/0023-currencies.md).
import { FxParseError, parseEcb } from '@spendgraph/fx';
import { type Pool, type PoolClient, fxRatesCoverage, getWorkspaceSettings, importFxRates } from '@spendgraph/db';
import { type SemanticLayer, USAGE_VIEW } from '@spendgraph/semantic';
import { changeDb } from '../audit.ts';
import { argumentError } from '../query/errors.ts';
import { shortName } from '../query/query-args.ts';

interface Ctx { workspaceId: string; db?: PoolClient }

/** A GraphQL body's limit keeps files small; this bounds the parse and the transaction too. */
const MAX_FILE_CHARS = 4_000_000;

function parseFile(file: string) {
  if (file.length > MAX_FILE_CHARS) throw argumentError('INVALID_ARGUMENT', 'file', `is longer than ${MAX_FILE_CHARS} characters; import the last 90 days (eurofxref-hist-90d.xml)`);
  try {
    const rates = parseEcb(file);
    if (!rates.length) throw new FxParseError('file', 'holds no rates');
    return rates;
  } catch (e) {
    if (e instanceof FxParseError) throw argumentError('INVALID_ARGUMENT', e.field === 'file' ? 'file' : `file.${e.field}`, e.message, e.line ? { line: e.line } : {});
    throw e;
  }
}

export function currencyResolvers(deps: { pool: Pool; semantic: SemanticLayer }) {
  let money: Set<string> | undefined;
  const isMoney = (measure: string) => {
    money ??= new Set(deps.semantic.meta().views.find((v) => v.name === USAGE_VIEW)!.measures.filter((m) => m.format === 'currency').map((m) => shortName(m.name)));
    return money.has(shortName(measure));
  };
  // One read of the workspace's currency per request (a context holds one workspace).
  const reporting = new WeakMap<object, Promise<string>>();
  const currencyOf = (c: Ctx) => {
    let p = reporting.get(c);
    if (!p) reporting.set(c, (p = getWorkspaceSettings(deps.pool, c.workspaceId).then((s) => s?.currency ?? 'USD')));
    return p;
  };
  return {
    Query: {
      fxRates: () => fxRatesCoverage(deps.pool),
    },
    Mutation: {
      importFxRates: async (_: unknown, { file }: { file: string }, c: Ctx) => {
        const rates = parseFile(file);
        return importFxRates(changeDb(deps.pool, c), rates, { source: 'import' });
      },
    },
    MeasureValue: {
      currency: (mv: { measure: string }, _: unknown, c: Ctx) => (isMoney(mv.measure) ? currencyOf(c) : null),
    },
  };
}
