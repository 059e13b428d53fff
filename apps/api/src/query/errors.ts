// Every refused query names what is wrong (`code`) and where (`field`, the argument at fault), the
// same way whichever transport asked: GraphQL's formatError and Fastify's error handler map an
// ApiError to their own shape (graphql/index.ts, server.ts).
import { SemanticError } from '@spendgraph/semantic';

/** HTTP status of the codes that are not a plain bad request. */
const STATUS: Record<string, number> = { RATE_LIMITED: 429, NOT_FOUND: 404, FORBIDDEN: 403, RESTRICTED: 403 };

export class ApiError extends Error {
  readonly code: string;
  readonly field?: string;
  /** More for the client (GraphQL extensions; e.g. retryAfterSeconds, the member at fault). */
  readonly extra: Record<string, unknown>;

  /** The message is prefixed with the field it blames (`by[1]: unknown member`). */
  constructor(code: string, field: string | undefined, message: string, extra: Record<string, unknown> = {}) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'ApiError';
    this.code = code;
    if (field !== undefined) this.field = field;
    this.extra = extra;
  }

  get status(): number {
    return STATUS[this.code] ?? 400;
  }
}

export function argumentError(code: string, field: string, message: string, extra: Record<string, unknown> = {}) {
  return new ApiError(code, field, message, extra);
}

/** Where each member of a query came from in the arguments, to blame the right field. */
export class MemberOrigins {
  private readonly fields = new Map<string, string>();
  note(member: string, field: string) {
    if (!this.fields.has(member)) this.fields.set(member, field);
  }
  fieldOf(member: string | undefined) {
    return (member && this.fields.get(member)) ?? undefined;
  }
}

/** Runs a semantic-layer call and turns its errors into ApiErrors naming the argument at fault. */
export async function semanticCall<T>(origins: MemberOrigins, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof SemanticError)) throw err;
    throw new ApiError(err.code, origins.fieldOf(err.member), err.message, err.member ? { member: err.member } : {});
  }
}
