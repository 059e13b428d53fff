import { GraphQLError } from 'graphql';

/** A bad argument: BAD_USER_INPUT naming the field. */
export const badInput = (field: string, message: string) =>
  new GraphQLError(`${field}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', field } });

export const notFound = (what: string) => new GraphQLError(`no ${what} by that id in this workspace`, { extensions: { code: 'NOT_FOUND' } });

export const forbidden = (message: string) => new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
