// A fake OpenAI + Anthropic upstream on loopback for the proxy, SDK and benchmark: fixed usage,
// streamed (SSE, split mid-event) or not, and error answers chosen by the model name
// ('fail-429', 'fail-500'). It records what it received.
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';

export const OPENAI_USAGE = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 10 } };
export const ANTHROPIC_USAGE = { input_tokens: 50, cache_read_input_tokens: 400, cache_creation_input_tokens: 60, cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 40 }, output_tokens: 77 };

export interface Received { method: string; url: string; headers: IncomingHttpHeaders; body: any }

export interface FakeLlm {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

let counter = 0;

function sse(res: import('node:http').ServerResponse, events: Array<{ event?: string; data: unknown }>) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const text = events.map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`).join('');
  // Two writes that split an event in the middle, as networks do.
  const cut = Math.floor(text.length / 2);
  res.write(text.slice(0, cut));
  setImmediate(() => res.end(text.slice(cut)));
}

function openai(body: any, res: import('node:http').ServerResponse) {
  const id = `chatcmpl-${++counter}-${process.pid}`;
  const model = `${body.model}-2024-08-06`;
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ id, object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }], usage: OPENAI_USAGE }));
  }
  const chunk = (delta: unknown, extra = {}) => ({ id, object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: null }], ...extra });
  sse(res, [
    { data: chunk({ role: 'assistant', content: 'H' }) },
    { data: chunk({ content: 'i' }) },
    ...(body.stream_options?.include_usage ? [{ data: { id, object: 'chat.completion.chunk', created: 1, model, choices: [], usage: OPENAI_USAGE } }] : []),
    { data: '[DONE]' },
  ]);
}

function anthropic(body: any, res: import('node:http').ServerResponse) {
  const id = `msg_${++counter}_${process.pid}`;
  const message = { id, type: 'message', role: 'assistant', model: body.model, content: [{ type: 'text', text: 'Hi' }], stop_reason: 'end_turn', stop_sequence: null, usage: ANTHROPIC_USAGE };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(message));
  }
  sse(res, [
    { event: 'message_start', data: { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...ANTHROPIC_USAGE, output_tokens: 1 } } } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } } },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: ANTHROPIC_USAGE.output_tokens } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ]);
}

export async function startFakeLlm({ record = true } = {}): Promise<FakeLlm> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : {};
      if (record) received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (body.model === 'fail-429' || body.model === 'fail-500') {
        const status = body.model === 'fail-429' ? 429 : 500;
        res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' });
        return res.end(JSON.stringify({ error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message: `upstream says ${status}` } }));
      }
      if (req.url!.includes('/chat/completions')) return openai(body, res);
      if (req.url!.includes('/messages')) return anthropic(body, res);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
