// Two GraphQL endpoints behind the same key check: /graphql (Spendgraph's API)
// and /graphql/cube (Cube's generated schema, for tools that speak Cube).
import { isOperator } from '@spendgraph/queue';
import { readFileSync, readdirSync } from 'node:fs';
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { type GraphQLFormattedError, GraphQLError } from 'graphql';
import { SemanticError, type SemanticLayer } from '@spendgraph/semantic';
import { type Authenticate, authenticated } from '../auth.ts';
import { databaseClientError, isDatabaseBusy } from '../client-errors.ts';
import { ApiError } from '../query/errors.ts';
import { WorkspaceGate } from '../workspace-gate.ts';
import type { BudgetDeps } from './budgets.ts';
import type { DeadLetterDeps } from './dead-letters.ts';
import type { ExportDeps } from './exports.ts';
import { type GraphqlContext, resolvers } from './resolvers.ts';
import type { StatusDeps } from './status.ts';
import type { RepricingDeps } from './repricing.ts';
import { authorizeResolvers } from './authorize.ts';
import { admitted, arrived, noteAnswer, timingHeader } from './timing.ts';
import { type PeopleDeps, peopleResolvers } from '../people/resolvers.ts';
import type { SecretBox } from '../sso/secret-box.ts';
import { ssoResolvers } from '../sso/settings.ts';

// schema.graphql holds the query API; every other .graphql file here extends it (budgets, ...).
const typeDefs = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.graphql'))
  .sort((a, b) => Number(b === 'schema.graphql') - Number(a === 'schema.graphql') || a.localeCompare(b))
  .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'));

// A breakdown nests `children` once per level, so depth is generous; cost and size are not.
// Depth and cost are those of the selection with its fragments written out (flattenFragments): a
// spread adds its fields' levels and cost, not levels or cost of its own, so a client's breakdown
// fragments (a fragment per level) cost what the same selection written out does, and fragments
// nested deeper than 15 levels are still refused.
const armor = new ApolloArmor({
  maxDepth: { n: 15, flattenFragments: true },
  costLimit: { maxCost: 20_000, flattenFragments: true },
  maxAliases: { n: 20 },
  maxTokens: { n: 5_000 },
  maxDirectives: { n: 20 },
});

/**
 * Errors of a query keep Cube's code and member; database errors the caller caused get a client
 * code; anything unexpected is "internal error", never its own (database, stack) text — that text
 * goes to the server's log, where an operator can find it.
 */
const formatErrorFor = (log: FastifyBaseLogger) => (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
  const original = error instanceof GraphQLError ? error.originalError : error;
  const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
  const at = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  if (original instanceof ApiError) {
    const field = original.field === undefined ? {} : { field: original.field };
    return { ...formatted, message: original.message, extensions: { ...extensions, code: original.code, ...field, ...original.extra } };
  }
  if (original instanceof SemanticError) {
    return { ...formatted, extensions: { ...extensions, code: original.code, ...(original.member ? { member: original.member } : {}) } };
  }
  const db = databaseClientError(original) ?? (isDatabaseBusy(original) ? { code: 'UNAVAILABLE', message: 'the database is busy; retry' } : undefined);
  if (db) return { message: db.message, extensions: { code: db.code }, ...at };
  if (error instanceof GraphQLError && !error.originalError && !formatted.path) {
    // graphql-js' own refusal of the request (e.g. "Too many errors processing variables"): its text is about the request.
    if (extensions.code === 'INTERNAL_SERVER_ERROR' || extensions.code === undefined) return { ...formatted, extensions: { code: 'BAD_USER_INPUT' } };
  }
  if (extensions.code === 'INTERNAL_SERVER_ERROR' || extensions.code === undefined) {
    log.error({ err: original, path: formatted.path }, 'graphql: internal error');
    return { message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' }, ...at };
  }
  return { ...formatted, extensions };
};

/** A query and its variables: 1 MB is far beyond any the limits let through, and parsing more would tie up the process. */
const GRAPHQL_BODY_LIMIT = 1024 * 1024;

/**
 * Tells clients which roll-ups answered (`extensions.usedPreAggregations`), to see why a query is
 * slow, and, with a read replica, how current the answer is (`extensions.readReplica`: every
 * transaction committed before `asOf` is in it). The lag is read before the query runs, so the
 * answer's snapshot is at least that current.
 */
function answerNotes(semantic: Pick<SemanticLayer, 'readLag'>, readReplica: boolean): ApolloServerPlugin<GraphqlContext> {
  return {
    async requestDidStart() {
      const lag = readReplica ? semantic.readLag().catch(() => undefined) : undefined;
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const replica = await lag;
          const rollups = [...contextValue.usedPreAggregations].sort();
          if (contextValue.request) noteAnswer(contextValue.request, rollups);
          result.extensions = {
            ...result.extensions, usedPreAggregations: rollups, ...(replica ? { readReplica: replica } : {}),
          };
        },
      };
    },
  };
}

function apolloOptions<C extends BaseContext>(log: FastifyBaseLogger): Partial<ApolloServerOptions<C>> {
  const protection = armor.protect();
  // The process handles SIGTERM itself (main.ts closes Fastify, which stops Apollo); Apollo's own
  // handlers (installed outside tests) raced it and left the process hanging on stop.
  return { ...protection, introspection: true, formatError: formatErrorFor(log), stopOnTerminationSignals: false } as Partial<ApolloServerOptions<C>>;
}

/** The API's resolvers with the people (../people/resolvers.ts) and SSO (../sso/settings.ts) ones, Query and Mutation merged. */
function withPeople<R extends { Query: object; Mutation: object }>(api: R, ...more: Array<{ Query: object; Mutation: object }>): R {
  return more.reduce<R>((all, m) => ({ ...all, Query: { ...all.Query, ...m.Query }, Mutation: { ...all.Mutation, ...m.Mutation } }), api);
}

export async function graphqlRoutes(
  app: FastifyInstance, deps: BudgetDeps & ExportDeps & StatusDeps & RepricingDeps & DeadLetterDeps & PeopleDeps & { authenticate: Authenticate; secrets: SecretBox; readReplica?: boolean },
) {
  const apiOptions = apolloOptions<GraphqlContext>(app.log);
  const api = new ApolloServer<GraphqlContext>({
    typeDefs, resolvers: authorizeResolvers(withPeople(resolvers(deps), peopleResolvers(deps), ssoResolvers(deps)), deps.pool), ...apiOptions, plugins: [...(apiOptions.plugins ?? []), answerNotes(deps.semantic, Boolean(deps.readReplica))],
  } as ApolloServerOptions<GraphqlContext>);
  await api.start();
  // /graphql/cube on its first request: Cube's schema builder and the schema it makes from the
  // compiled model are memory few processes need (the route waits for the model: server.ts).
  const startCube = async () => {
    const { cubeGateway, cubeGraphqlSchema } = await import('./cube-graphql.ts');
    const server = new ApolloServer<BaseContext>({ schema: cubeGraphqlSchema(deps.semantic), ...apolloOptions(app.log) } as ApolloServerOptions<BaseContext>);
    await server.start();
    const handler = fastifyApolloHandler(server, {
      context: async (request) => ({ req: { context: {} }, res: {}, apiGateway: cubeGateway(deps.semantic, workspaceOf(request)) }),
    });
    return { server, handler };
  };
  let cube: ReturnType<typeof startCube> | undefined;
  const cubeEndpoint = () => (cube ??= startCube().catch((err) => {
    cube = undefined;
    throw err;
  }));
  app.addHook('onClose', async () => void (await Promise.all([api.stop(), cube?.then((c) => c.server.stop(), () => {})])));

  // A workspace runs 2 queries at once and queues 16 more (GRAPHQL_PER_WORKSPACE): its burst never fills the process.
  const gate = new WorkspaceGate(Number(process.env.GRAPHQL_PER_WORKSPACE) || 2, 16);
  const preHandler = [authenticated(deps.authenticate), arrived, gate.preHandler(), admitted];
  // The semantic context: the workspace and, for a restricted key, the values every query is filtered to.
  const workspaceOf = (request: FastifyRequest) => ({ workspaceId: request.identity!.workspaceId, restriction: request.identity!.restriction });
  const identityOf = (request: FastifyRequest) => {
    const { scopes, keyId, userId, role } = request.identity!;
    return { ...workspaceOf(request), scopes, keyId, userId, role };
  };

  app.route({
    url: '/graphql', method: ['GET', 'POST'], preHandler, onSend: timingHeader, bodyLimit: GRAPHQL_BODY_LIMIT,
    handler: fastifyApolloHandler(api, {
      context: async (request) => ({
        ...identityOf(request), usedPreAggregations: new Set<string>(), request,
        operator: isOperator(request.headers['x-spendgraph-operator-token'], deps.operatorToken),
      }),
    }),
  });
  app.route<{ Reply: string }>({
    url: '/graphql/cube', method: ['GET', 'POST'], preHandler, bodyLimit: GRAPHQL_BODY_LIMIT,
    async handler(request, reply) {
      return (await cubeEndpoint()).handler.call(this, request, reply);
    },
  });
}
