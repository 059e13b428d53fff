// What an embed token shows: a chart's query and theme. Tokens are opaque random
// strings stored hashed with this chart (packages/db tokens.ts): nothing about the
// workspace or the query can be read from one, and they can be listed and revoked.
import { z } from 'zod';

const filterSchema = z.object({ member: z.string(), operator: z.string(), values: z.array(z.string()).nullish() });
const timeRangeSchema = z.object({ relative: z.string().nullish(), from: z.string().nullish(), to: z.string().nullish() });

/** What an embedded chart shows; the same arguments as the breakdown/timeseries queries. */
export const embedChartSchema = z.object({
  kind: z.enum(['breakdown', 'timeseries']),
  title: z.string().max(200).nullish(),
  measures: z.array(z.string()).min(1),
  by: z.array(z.string()).default([]),
  filters: z.array(filterSchema).nullish(),
  timeRange: timeRangeSchema.nullish(),
  timezone: z.string().nullish(),
  granularity: z.enum(['hour', 'day', 'week', 'month', 'quarter', 'year']).nullish(),
  limit: z.number().int().nullish(),
  theme: z.enum(['light', 'dark']).default('light'),
});
export type EmbedChart = z.infer<typeof embedChartSchema>;

/** What an embedded dashboard shows: its tiles' figures (apps/api/src/views/figures.ts) in the token's theme. */
export const embedDashboardSchema = z.object({
  kind: z.literal('dashboard'),
  dashboardId: z.string(),
  title: z.string().max(200).nullish(),
  theme: z.enum(['light', 'dark']).default('light'),
});
export type EmbedDashboard = z.infer<typeof embedDashboardSchema>;

/** Any embed token's content: one chart or one dashboard. */
export const embedSchema = z.union([embedDashboardSchema, embedChartSchema]);
