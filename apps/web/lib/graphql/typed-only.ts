// A compile-time check, read by `tsc -p apps/web` and `next build` (never imported): the web app's
// GraphQL calls take generated documents (operations/*.graphql) only. Should gql or graphqlWithKey
// take a string again, these expected errors go away and the type check fails.
import { gql, graphqlWithKey } from '../api';

export function stringsDoNotCompile() {
  // @ts-expect-error a query written as a string
  void gql('{ workspace { name } }');
  // @ts-expect-error a query written as a string
  void graphqlWithKey('key', '{ workspace { name } }');
}
