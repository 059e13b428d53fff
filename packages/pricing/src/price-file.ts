// The repo's YAML price file: prices the catalog lacks or gets wrong for us.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { type ParsedPriceOverride, priceOverrideSchema } from './rates.ts';

export const DEFAULT_PRICE_FILE = fileURLToPath(new URL('../prices.yaml', import.meta.url));

const priceFileSchema = z.strictObject({ prices: z.array(priceOverrideSchema) });

export function loadPriceFile(path: string = DEFAULT_PRICE_FILE): ParsedPriceOverride[] {
  const parsed = priceFileSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${path}: ${i.path.join('.') || '(root)'} ${i.message}`);
  }
  return parsed.data.prices;
}
