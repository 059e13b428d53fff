// Where a GraphQL answer's time went, for finding slow pages: a Server-Timing header on every
// answer (`gate`: waiting for the workspace's turn, GRAPHQL_PER_WORKSPACE; `answer`: resolving
// it), and with GRAPHQL_TRACE=1 one line per answer on stderr: the operation, both times and
// the roll-ups that answered (none: raw events were read).
import type { FastifyReply, FastifyRequest } from 'fastify';

const marks = new WeakMap<FastifyRequest, { arrived: number; admitted?: number; operation?: string; rollups?: string[] }>();
const TRACE = process.env.GRAPHQL_TRACE === '1';

/** Before the workspace gate. */
export const arrived = async (request: FastifyRequest) => void marks.set(request, { arrived: performance.now() });

/** After the workspace gate. */
export const admitted = async (request: FastifyRequest) => {
  const m = marks.get(request);
  if (m) m.admitted = performance.now();
};

/** The operation's name (or its first words) and the roll-ups that answered, for the trace. */
export function noteAnswer(request: FastifyRequest, rollups: string[]) {
  const m = marks.get(request);
  if (!m || !TRACE) return;
  const body = request.body as { operationName?: string; query?: string } | undefined;
  m.operation = body?.operationName ?? body?.query?.match(/^\s*(?:query|mutation)\s+(\w+)/)?.[1] ?? body?.query?.replace(/\s+/g, ' ').slice(0, 60);
  m.rollups = rollups;
}

/** onSend: the Server-Timing header. */
export const timingHeader = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
  const m = marks.get(request);
  if (!m?.admitted) return payload;
  const now = performance.now();
  const [gate, answer] = [m.admitted - m.arrived, now - m.admitted];
  reply.header('server-timing', `gate;dur=${gate.toFixed(1)}, answer;dur=${answer.toFixed(1)}`);
  if (TRACE) {
    process.stderr.write(`graphql ${m.operation ?? '?'} gate ${gate.toFixed(0)} ms answer ${answer.toFixed(0)} ms rollups ${m.rollups?.length ? m.rollups.join(',') : 'none'}\n`);
  }
  return payload;
};
