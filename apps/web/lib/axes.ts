// The per-entity pages: a URL segment, the dimension it lists, and its titles.
export const AXES: Record<string, { dimension: string; title: string; one: string }> = {
  customers: { dimension: 'customer_id', title: 'Customers', one: 'Customer' },
  features: { dimension: 'feature', title: 'Features', one: 'Feature' },
};
