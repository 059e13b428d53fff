// Every GraphQL error names what is wrong (`code`) and where (`field`, the argument path).
import { GraphQLError } from 'graphql';
import { SemanticError } from '@spendgraph/semantic';

export function argumentError(code: string, field: string, message: string, extra: Record<string, unknown> = {}) {
  return new GraphQLError(`${field}: ${message}`, { extensions: { code, field, ...extra } });
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

/** Runs a semantic-layer call and turns its errors into GraphQL errors naming the argument at fault. */
export async function semanticCall<T>(origins: MemberOrigins, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof SemanticError)) throw err;
    const field = origins.fieldOf(err.member);
    throw new GraphQLError(field ? `${field}: ${err.message}` : err.message, {
      extensions: { code: err.code, ...(field ? { field } : {}), ...(err.member ? { member: err.member } : {}) },
    });
  }
}
