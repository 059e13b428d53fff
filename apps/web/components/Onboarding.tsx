'use client';
// How to send data by each capture path, with the workspace's fresh ingest key filled in, and a
// status that turns green when the first event is stored (polled every 2 s until then).
import { useEffect, useState } from 'react';
import Link from 'next/link';
import { createIngestKey, firstEventArrived } from '@/app/(main)/onboarding/actions';

const PLACEHOLDER = '<ingest key>';

function snippets(api: string, key: string) {
  const event = `[{"occurred_at":"'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'","provider":"anthropic","model":"claude-sonnet-4-5","usage":{"input_tokens":1200,"output_tokens":300},"agent":"coder"}]`;
  return [
    ['curl: POST /v1/events', `curl -X POST ${api}/v1/events \\\n  -H "authorization: Bearer ${key}" -H 'content-type: application/json' \\\n  -d '${event}'`],
    ['TypeScript SDK (@spendgraph/sdk)', `import OpenAI from 'openai';\nimport { Spendgraph, wrapOpenAI } from '@spendgraph/sdk';\n\nconst sg = new Spendgraph({ baseUrl: '${api}', apiKey: '${key}', onError: console.warn });\nconst openai = wrapOpenAI(new OpenAI(), sg, { context: { feature: 'support-bot' } });\n// ... your calls ...\nawait sg.close(); // flush before exit`],
    ['OpenTelemetry (OTLP/HTTP: POST /v1/traces)', `export OTEL_EXPORTER_OTLP_ENDPOINT=${api}\nexport OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer ${key}"\n# spans with gen_ai.usage.* attributes become events`],
    ['Proxy (OpenAI / Anthropic SDKs)', `new OpenAI({ baseURL: '${api}/proxy/openai/v1', defaultHeaders: { 'x-spendgraph-key': '${key}' } })\nnew Anthropic({ baseURL: '${api}/proxy/anthropic', defaultHeaders: { 'x-spendgraph-key': '${key}' } })`],
    ['Coding agents: spendgraph collect', `export SPENDGRAPH_API_URL=${api} SPENDGRAPH_API_KEY=${key}\nnpx spendgraph collect --dry-run   # what it would send\nnpx spendgraph collect --watch     # Claude Code, Codex and Gemini CLI logs, every 10 s`],
  ] as const;
}

export function Onboarding({ apiUrl, canMakeKeys, received: initially }: { apiUrl: string; canMakeKeys: boolean; received: boolean }) {
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [received, setReceived] = useState(initially);
  useEffect(() => {
    if (received) return;
    const timer = setInterval(async () => { if (await firstEventArrived().catch(() => false)) setReceived(true); }, 2000);
    return () => clearInterval(timer);
  }, [received]);
  const create = async () => {
    setBusy(true);
    const r = await createIngestKey();
    setBusy(false);
    if ('key' in r) setKey(r.key); else setError(r.error);
  };
  return (
    <div className="steps">
      <section className={`panel ${received ? 'received' : 'waiting'}`} data-testid="first-event" data-received={received} role="status">
        {received
          ? <><strong>First event received.</strong> Your workspace has data: <Link href="/">see the overview</Link>.</>
          : <>Waiting for the first event of this workspace… (this turns green when it is stored)</>}
      </section>
      <section className="panel">
        <h3>1. An ingest key</h3>
        {key ? <>
          <p><strong>Copy it now: it is shown only once.</strong> It may send events, nothing else; manage it under <Link href="/settings/keys">Settings → API keys</Link>.</p>
          <p className="secret" data-testid="ingest-key">{key}</p>
        </> : canMakeKeys ? <>
          <p>Machines send data with a key of this workspace (scope <code>ingest</code>).</p>
          <button className="primary" type="button" onClick={create} disabled={busy}>{busy ? 'Creating…' : 'Create an ingest key'}</button>
          {error && <p role="alert" className="error">{error}</p>}
        </> : <p className="muted">Ask an owner or admin of this workspace for an ingest key; the snippets below show where it goes.</p>}
      </section>
      {snippets(apiUrl, key ?? PLACEHOLDER).map(([title, code], i) => (
        <section className="panel" key={title}>
          <h3>{i + 2}. {title}</h3>
          <pre className="snippet" data-testid={`snippet-${i}`}>{code}</pre>
        </section>
      ))}
    </div>
  );
}
