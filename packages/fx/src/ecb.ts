// The ECB's euro foreign exchange reference rates as the ECB publishes them: the CSV of
// eurofxref-hist.zip / eurofxref.zip (a `Date` column, one column per currency, `N/A` where a
// currency had no rate) and the XML of eurofxref-hist.xml / eurofxref-daily.xml
// (`<Cube time="…"><Cube currency="USD" rate="1.1684"/>…</Cube>`). Rates are units of the
// currency per euro, kept as the decimal strings the file states (never floats).
import { XMLParser } from 'fast-xml-parser';

/** One currency's reference rate of one day: `perEur` units of `currency` buy one euro. */
export interface FxRate {
  day: string;
  currency: string;
  perEur: string;
}

/** A file the parser refuses: which field, why, and (CSV) on which line. */
export class FxParseError extends Error {
  readonly field: string;
  readonly line: number | undefined;
  constructor(field: string, message: string, line?: number) {
    super(`${field}: ${message}${line === undefined ? '' : ` (line ${line})`}`);
    this.name = 'FxParseError';
    this.field = field;
    this.line = line;
  }
}

const CURRENCY = /^[A-Z]{3}$/;
const RATE = /^(?:0|[1-9]\d{0,11})(?:\.\d{1,12})?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function validDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function rate(day: string, currency: string, perEur: string, line?: number): FxRate {
  if (!validDay(day)) throw new FxParseError('date', `'${day}' is not a date (YYYY-MM-DD)`, line);
  if (!CURRENCY.test(currency) || currency === 'EUR') throw new FxParseError('currency', `'${currency}' is not an ISO 4217 code other than EUR`, line);
  if (!RATE.test(perEur) || /^0(?:\.0*)?$/.test(perEur)) throw new FxParseError('rate', `'${perEur}' is not a positive decimal (${currency} on ${day})`, line);
  return { day, currency, perEur };
}

/** The rates of an ECB CSV file (history or a single day). Empty cells and `N/A` are no rate. */
export function parseEcbCsv(text: string): FxRate[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0]!.split(',').map((c) => c.trim());
  if (header[0] !== 'Date') throw new FxParseError('Date', "the first column must be 'Date' (an ECB eurofxref CSV)", 1);
  const out: FxRate[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]!.trim()) continue;
    const cells = lines[i]!.split(',').map((c) => c.trim());
    const day = isoDay(cells[0]!, i + 1);
    for (let c = 1; c < header.length; c++) {
      const v = cells[c];
      if (header[c] && v && v !== 'N/A') out.push(rate(day, header[c]!, v, i + 1));
    }
  }
  return out;
}

/** ECB's single-day CSV writes `04 December 2026`; the history writes `2026-12-04`. */
function isoDay(cell: string, line: number): string {
  if (DAY.test(cell)) return cell;
  const d = new Date(`${cell} UTC`);
  if (/^\d{1,2} [A-Za-z]+ \d{4}$/.test(cell) && !Number.isNaN(d.getTime())) return d.toISOString().slice(0, 10);
  throw new FxParseError('date', `'${cell}' is not a date (YYYY-MM-DD)`, line);
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, removeNSPrefix: true, isArray: (name) => name === 'Cube' });

interface CubeNode { time?: string; currency?: string; rate?: string; Cube?: CubeNode[] }

/** The rates of an ECB XML file (eurofxref-hist.xml, eurofxref-daily.xml, eurofxref-hist-90d.xml). */
export function parseEcbXml(text: string): FxRate[] {
  let doc: { Envelope?: { Cube?: CubeNode[] } };
  try {
    doc = xml.parse(text, true) as typeof doc;
  } catch (e) {
    throw new FxParseError('body', `not well-formed XML: ${(e as Error).message}`);
  }
  const root = doc.Envelope?.Cube?.[0];
  if (!root) throw new FxParseError('Cube', 'no <Cube> of days inside <gesmes:Envelope> (an ECB eurofxref XML)');
  const out: FxRate[] = [];
  for (const day of root.Cube ?? []) {
    if (!day.time) throw new FxParseError('time', 'a <Cube> of rates has no time attribute');
    for (const r of day.Cube ?? []) out.push(rate(day.time, r.currency ?? '', r.rate ?? ''));
  }
  return out;
}

/** CSV or XML, by the first non-blank character. */
export function parseEcb(text: string): FxRate[] {
  return text.trimStart().startsWith('<') ? parseEcbXml(text) : parseEcbCsv(text);
}
