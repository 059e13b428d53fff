// Sign-in's `next` parameter cannot send anyone off this app (open redirect).
import { expect, it } from 'vitest';
import { safeNext } from '../lib/safe-next.ts';

it('keeps paths of this app', () => {
  for (const path of ['/', '/explore', '/explore?by=model&days=7', '/budgets/1#alerts', '/events/a%2Fb']) expect(safeNext(path)).toBe(path);
});

it('refuses every spelling of another host', () => {
  const hostile = [
    '/\\evil.com', '/\\/evil.com', '//evil.com', '///evil.com', '/\t/evil.com', '/\n/evil.com', '\\\\evil.com', 'https://evil.com',
    'http:/evil.com', 'javascript:alert(1)', '/%5Cevil.com\\', ' /evil', '', undefined, null, 42, ['/x'],
  ];
  for (const next of hostile) {
    const target = safeNext(next);
    expect(target, String(next)).toMatch(/^\/(?![\\/])/);
    expect(new URL(target, 'https://app.example').host, String(next)).toBe('app.example');
  }
  expect(safeNext('/\\evil.com')).toBe('/');
});
