// The ECB reference-rate history shipped with Spendgraph: data/eurofxref-hist.csv.gz is the
// eurofxref-hist.csv of the ECB's eurofxref-hist.zip (https://www.ecb.europa.eu/stats/eurofxref/),
// byte for byte, gzip-compressed. Source and date: data/SOURCE.md. Newer rates are imported
// (docs/decisions/0023-currencies.md), never guessed.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type FxRate, parseEcbCsv } from './ecb.ts';

const FILE = new URL('../data/eurofxref-hist.csv.gz', import.meta.url);

let cached: FxRate[] | undefined;

const text = () => gunzipSync(readFileSync(FILE)).toString('utf8');

/**
 * The newest day of the shipped history and a currency it has a rate for, without parsing the
 * rest (the ECB's file lists days newest first): enough to tell whether the history is loaded.
 */
export function shippedNewest(): FxRate {
  const [header, first] = text().split('\n', 2);
  return parseEcbCsv(`${header}\n${first}\n`)[0]!;
}

/** Every rate of the shipped history (about 200 k), parsed once per process. */
export function shippedRates(): FxRate[] {
  cached ??= parseEcbCsv(text());
  return cached;
}
