// The ECB's formats as the ECB writes them, and the shipped history: known published figures
// (the euro's first reference rates, 1999-01-04; the shipped file's last day), the single-day
// CSV's long dates, the XML of eurofxref-daily.xml, and refusals naming the field and line.
import { describe, expect, it } from 'vitest';
import { FxParseError, parseEcb, parseEcbCsv, parseEcbXml, shippedRates } from '../src/index.ts';

const rate = (currency: string, day: string) => shippedRates().find((r) => r.currency === currency && r.day === day)?.perEur;

describe('the shipped ECB history', () => {
  it('starts with the euro\'s first reference rates and ends on 2026-04-13', () => {
    expect(rate('USD', '1999-01-04')).toBe('1.1789');
    expect(rate('JPY', '1999-01-04')).toBe('133.73');
    expect(rate('GBP', '1999-01-04')).toBe('0.7111');
    expect(rate('USD', '2026-04-13')).toBe('1.1684');
    const days = new Set(shippedRates().map((r) => r.day));
    expect([...days].sort()[0]).toBe('1999-01-04');
    expect([...days].sort().at(-1)).toBe('2026-04-13');
    expect(days.size).toBeGreaterThan(6900);
  });

  it('has no weekend days and no rate on TARGET holidays (Good Friday and Easter Monday 2026)', () => {
    const days = new Set(shippedRates().map((r) => r.day));
    expect([...days].some((d) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()))).toBe(false);
    expect(days.has('2026-04-02') && !days.has('2026-04-03') && !days.has('2026-04-06') && days.has('2026-04-07')).toBe(true);
  });

  it('keeps former currencies only while they had rates (CYP until the euro replaced it in 2008)', () => {
    expect(rate('CYP', '2007-12-31')).toBeDefined();
    expect(shippedRates().some((r) => r.currency === 'CYP' && r.day >= '2008-01-01')).toBe(false);
  });
});

describe('parsing', () => {
  it('reads the single-day CSV of eurofxref.zip (long date, spaces after commas)', () => {
    const csv = 'Date, USD, JPY, BGN, \n14 April 2026, 1.1700, 187.10, N/A, \n';
    expect(parseEcbCsv(csv)).toEqual([
      { day: '2026-04-14', currency: 'USD', perEur: '1.1700' },
      { day: '2026-04-14', currency: 'JPY', perEur: '187.10' },
    ]);
  });

  it('reads the XML of eurofxref-daily.xml and eurofxref-hist.xml', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
  <Cube>
    <Cube time="2026-04-15"><Cube currency="USD" rate="1.1712"/><Cube currency="GBP" rate="0.87110"/></Cube>
    <Cube time="2026-04-14"><Cube currency="USD" rate="1.17"/></Cube>
  </Cube>
</gesmes:Envelope>`;
    expect(parseEcb(xml)).toEqual([
      { day: '2026-04-15', currency: 'USD', perEur: '1.1712' },
      { day: '2026-04-15', currency: 'GBP', perEur: '0.87110' },
      { day: '2026-04-14', currency: 'USD', perEur: '1.17' },
    ]);
  });

  it('refuses what is not an ECB file, naming the field and line', () => {
    const fail = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(FxParseError);
        return { field: (e as FxParseError).field, line: (e as FxParseError).line };
      }
      throw new Error('accepted');
    };
    expect(fail(() => parseEcbCsv('Day,USD\n2026-04-14,1.1\n'))).toEqual({ field: 'Date', line: 1 });
    expect(fail(() => parseEcbCsv('Date,USD\n2026-04-14,1.1\n2026-02-30,1.1\n'))).toEqual({ field: 'date', line: 3 });
    expect(fail(() => parseEcbCsv('Date,USD\n2026-04-14,0\n'))).toEqual({ field: 'rate', line: 2 });
    expect(fail(() => parseEcbCsv('Date,USD\n2026-04-14,1e3\n'))).toEqual({ field: 'rate', line: 2 });
    expect(fail(() => parseEcbCsv('Date,EUR\n2026-04-14,1\n'))).toEqual({ field: 'currency', line: 2 });
    expect(fail(() => parseEcbXml('<a><b></a>'))).toMatchObject({ field: 'body' });
    expect(fail(() => parseEcbXml('<gesmes:Envelope xmlns:gesmes="x"></gesmes:Envelope>'))).toMatchObject({ field: 'Cube' });
  });
});
