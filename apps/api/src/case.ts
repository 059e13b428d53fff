// REST bodies use the events' snake_case, GraphQL and the data layer camelCase.
export const snakeKeys = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [snakeCase(k), v]));
export const camelKeys = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [camelCase(k), v]));
export const snakeCase = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const camelCase = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
