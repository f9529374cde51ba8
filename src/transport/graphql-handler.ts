// The Yoga instance: the schema served over HTTP and SSE at /graphql with its plugins (input checks, subscription cap,
// metrics, armor, shared subscription execution, SSE framing). graphql-ws (graphql-ws.ts) runs through the same one.
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { GraphQLError } from 'graphql';
import type { Registry } from 'prom-client';
import { schema } from '../schema/index.js';
import { graphiqlOptions } from '../graphiql/options.js';
import { buildGraphiQLAssets, type GraphiQLAssets } from '../graphiql/assets.js';
import { contextFor, type Context } from '../request-context.js';
import type { AppServices } from '../services.js';
import { logger } from '../logger.js';
import { maskError, yogaLogger } from './graphql-errors.js';
import { useRejectInvalidText } from './reject-invalid-text.js';
import { COST_LIMIT, useCostLimitForVariables } from './cost-limit-variables.js';
import { useSharedSubscriptionExecution } from './shared-execution.js';
import { useSseSubscriptionFrames } from './sse-frames.js';
import type { ServerContext } from './server-context.js';

/** Yoga's per-operation metrics: counts, durations and errors; not the per-phase timings (a cost on every request). */
const GRAPHQL_METRICS = {
  graphql_envelop_request: true,
  graphql_envelop_request_duration: true,
  graphql_envelop_error_result: true,
  graphql_yoga_http_duration: true,
  graphql_envelop_request_time_summary: false,
  graphql_envelop_deprecated_field: false,
  graphql_envelop_phase_parse: false,
  graphql_envelop_phase_validate: false,
  graphql_envelop_phase_context: false,
  graphql_envelop_phase_execute: false,
  graphql_envelop_phase_subscribe: false,
  graphql_envelop_schema_change: false,
} as const;

export function createGraphQLHandler(
  services: AppServices,
  metrics?: Registry,
  graphiql: () => GraphiQLAssets = () => buildGraphiQLAssets(graphiqlOptions),
): YogaServerInstance<ServerContext, Context> {
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: graphiqlOptions,
    renderGraphiQL: () => graphiql().html,
    logging: yogaLogger(),
    // graphql-ws builds its context without a request (its authorization comes from connection_init: graphql-ws.ts).
    context: async ({ request, req, livePush }) => ({ ...(await contextFor(request?.headers.get('authorization'), services, req?.socket.remoteAddress ?? null)), live: livePush }),
    maskedErrors: {
      maskError: (error, message) => maskError(error, message),
    },
    plugins: [
      useRejectInvalidText<Context>(),
      services.subscriptions.plugin(),
      // Invalid documents never reach maskError: log them here, like every other client mistake.
      {
        onValidate: () => ({ result }: { result: readonly GraphQLError[] }) => {
          if (result.length) logger.info({ code: 'GRAPHQL_VALIDATION_FAILED', message: result.map((e) => e.message).join('; ') }, 'client error');
        },
      },
      ...(metrics ? [usePrometheus({ registry: metrics, endpoint: false, metrics: GRAPHQL_METRICS })] : []),
      EnvelopArmorPlugin({
        maxDepth: { n: 12, flattenFragments: true },
        maxAliases: { n: 20 },
        maxDirectives: { n: 20 },
        maxTokens: { n: 2000 },
        costLimit: COST_LIMIT,
        blockFieldSuggestion: { enabled: true },
      }),
      useCostLimitForVariables<Context>(),
      // One execution + serialization per live event per viewer, shared by that viewer's subscriptions.
      useSharedSubscriptionExecution<Context>({ viewerKey: (ctx) => ctx.user?.id ?? '' }),
      useSseSubscriptionFrames(),
    ],
  });
}
