// Pulls a provider's cost report over HTTP, page by page, from a configurable base URL (the
// provider's, or a gateway's; tests serve the documented shapes locally). The admin key is
// sent only to that URL.
import { BillParseError, type ParsedBill } from './line.ts';
import { anthropicLines } from './anthropic.ts';
import { parseExactJson } from './json.ts';
import { openAiLines } from './openai.ts';

export const CONNECTOR_SOURCES = ['openai', 'anthropic'] as const;
export type ConnectorSource = (typeof CONNECTOR_SOURCES)[number];

export interface ConnectorOptions {
  source: ConnectorSource;
  baseUrl: string;
  adminKey: string;
  /** First UTC day (YYYY-MM-DD) and the day after the last. */
  from: string;
  to: string;
  /** Stops a server that never stops paging. */
  maxPages?: number;
  signal?: AbortSignal;
}

interface Endpoint {
  path: string;
  query: (from: string, to: string) => Array<[string, string]>;
  headers: (key: string) => Record<string, string>;
  lines: (pages: unknown[]) => ParsedBill;
}

const unix = (day: string) => String(Date.parse(`${day}T00:00:00Z`) / 1000);

const ENDPOINTS: Record<ConnectorSource, Endpoint> = {
  openai: {
    path: '/v1/organization/costs',
    query: (from, to) => [['start_time', unix(from)], ['end_time', unix(to)], ['bucket_width', '1d'], ['group_by', 'line_item'], ['group_by', 'project_id'], ['limit', '180']],
    headers: (key) => ({ authorization: `Bearer ${key}` }),
    lines: openAiLines,
  },
  anthropic: {
    path: '/v1/organizations/cost_report',
    query: (from, to) => [['starting_at', `${from}T00:00:00Z`], ['ending_at', `${to}T00:00:00Z`], ['bucket_width', '1d'], ['group_by[]', 'description'], ['group_by[]', 'workspace_id'], ['limit', '31']],
    headers: (key) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' }),
    lines: anthropicLines,
  },
};

async function getPage(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { headers: { accept: 'application/json', ...headers }, redirect: 'error', signal });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url.origin}${url.pathname} answered ${res.status}`);
  return parseExactJson(text);
}

/** Every page of the period's report, read as bill lines. */
export async function pullCostReport(opts: ConnectorOptions): Promise<ParsedBill> {
  const endpoint = ENDPOINTS[opts.source];
  const pages: unknown[] = [];
  let page: string | undefined;
  do {
    const url = new URL(`${opts.baseUrl.replace(/\/+$/, '')}${endpoint.path}`);
    for (const [k, v] of endpoint.query(opts.from, opts.to)) url.searchParams.append(k, v);
    if (page) url.searchParams.set('page', page);
    const body = await getPage(url, endpoint.headers(opts.adminKey), opts.signal);
    pages.push(body);
    const next = body as { has_more?: unknown; next_page?: unknown };
    page = next.has_more === true && typeof next.next_page === 'string' ? next.next_page : undefined;
    if (pages.length > (opts.maxPages ?? 1000)) throw new BillParseError('next_page', `more than ${opts.maxPages ?? 1000} pages`);
  } while (page);
  return endpoint.lines(pages);
}
