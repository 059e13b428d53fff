// Where alert channels may connect: public unicast addresses, and what the operator allows.
import { expect, it } from 'vitest';
import { internalRange, literalRefusal, parseEgressAllowList, refusal } from '../src/egress.ts';

it('classifies every internal range, in IPv4, IPv6 and IPv4-mapped forms', () => {
  const internal = [
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.31.0.1', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '224.0.0.251', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1',
    '::ffff:7f00:1', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '2002:7f00:1::1', '2001:0:4136:e378::1', 'not-an-ip',
  ];
  for (const a of internal) expect(internalRange(a), a).toBeDefined();
  for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.216.34']) expect(internalRange(a), a).toBeUndefined();
});

it('judges literal hosts after the URL parser normalised them', () => {
  const none = parseEgressAllowList(undefined);
  for (const url of ['http://127.1/', 'http://0x7f000001/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://[::1]:5432/', 'http://[::ffff:127.0.0.1]/', 'https://169.254.169.254/']) {
    expect(literalRefusal(none, new URL(url)), url).toMatch(/internal address/);
  }
  expect(literalRefusal(none, new URL('http://hooks.example.com/'))).toBeUndefined(); // judged when resolved
  expect(literalRefusal(none, new URL('https://93.184.216.34/'))).toBeUndefined();
});

it('allows what the operator lists: names, addresses and ranges, with or without a port', () => {
  const policy = parseEgressAllowList(' hooks.internal:8080, 10.1.2.0/24 ,[fd00::7]:443, 127.0.0.1:9000, fd00:1::/32 ');
  const to = (host: string, port: number, address: string) => refusal(policy, { host, port, address });
  expect(to('hooks.internal', 8080, '10.9.9.9')).toBeUndefined();
  expect(to('HOOKS.internal', 8080, '10.9.9.9')).toBeUndefined();
  expect(to('hooks.internal', 8081, '10.9.9.9')).toBeDefined();
  expect(to('any.name', 1234, '10.1.2.77')).toBeUndefined();
  expect(to('any.name', 1234, '10.1.3.1')).toBeDefined();
  expect(to('x', 443, 'fd00::7')).toBeUndefined();
  expect(to('x', 80, 'fd00::7')).toBeDefined();
  expect(to('x', 9000, '127.0.0.1')).toBeUndefined();
  expect(to('x', 5432, '127.0.0.1')).toBeDefined();
  expect(to('x', 22, 'fd00:1:ffff::1')).toBeUndefined();
  expect(() => parseEgressAllowList('hooks:99999')).toThrow(/ALERT_EGRESS_ALLOW/);
  expect(() => parseEgressAllowList('[::1')).toThrow(/ALERT_EGRESS_ALLOW/);
});
