// The bill formats POST /v1/bills/{source} reads (packages/billing), as the upload form offers them.
export const BILL_SOURCES = ['focus', 'openai', 'anthropic', 'gcp'] as const;
export type BillSource = (typeof BILL_SOURCES)[number];

export const BILL_LABELS: Record<BillSource, string> = {
  focus: 'FOCUS 1.x CSV', openai: 'OpenAI costs (JSON)', anthropic: 'Anthropic cost report (JSON)', gcp: 'Google Cloud billing export (CSV)',
};
