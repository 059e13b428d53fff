export type SemanticErrorCode = 'UNKNOWN_MEMBER' | 'NOT_PUBLIC' | 'INVALID_QUERY' | 'LIMIT_EXCEEDED' | 'RESTRICTED';

/** A query the semantic layer refuses, with the member at fault when there is one. */
export class SemanticError extends Error {
  code: SemanticErrorCode;
  member?: string;

  constructor(code: SemanticErrorCode, message: string, member?: string) {
    super(message);
    this.name = 'SemanticError';
    this.code = code;
    if (member !== undefined) this.member = member;
  }
}

/**
 * Maps an error thrown by Cube while normalizing or planning a query to a
 * SemanticError; returns undefined for anything else (database errors, bugs).
 */
export function fromCubeError(e: unknown): SemanticError | undefined {
  if (e instanceof SemanticError) return e;
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : undefined;
  if (!message) return undefined;
  if (/query limit has been exceeded/i.test(message)) {
    return new SemanticError('LIMIT_EXCEEDED', message, 'limit');
  }
  // UserError: 'usage.foo' not found for path 'usage.foo'
  const notFound = /^'([^']+)' not found for path/.exec(message) ?? /'([^']+)' not found/.exec(message);
  if (notFound) return new SemanticError('UNKNOWN_MEMBER', `Unknown member '${notFound[1]}'`, notFound[1]);
  if (/^Invalid query format/.test(message)) {
    // "Invalid query format: "filters[0].values[0]" must be ..." -> name the member when Cube quotes one
    const member = /"([A-Za-z0-9_]+\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?)"/.exec(message)?.[1];
    return new SemanticError('INVALID_QUERY', message, member);
  }
  // Cube marks the errors a query causes (as opposed to bugs and database errors) with type 'UserError'.
  if ((e as { type?: unknown }).type === 'UserError') {
    const member = /"member":"([A-Za-z0-9_]+\.[A-Za-z0-9_]+)"/.exec(message)?.[1];
    return new SemanticError('INVALID_QUERY', message, member);
  }
  return undefined;
}
