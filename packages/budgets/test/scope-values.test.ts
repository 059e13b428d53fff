// Suggestions for a scope value never seen: the closest seen values, typos and truncations.
import { expect, it } from 'vitest';
import { closest } from '../src/index.ts';

const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5', 'gpt-4o', 'gpt-4o-mini', 'acme-coder-13b'];

it('suggests the seen values a typo or a short name most likely meant', () => {
  expect(closest('claude-sonet', MODELS)).toEqual(['claude-sonnet-4-5-20250929']);
  expect(closest('gpt4o', MODELS)).toEqual(['gpt-4o', 'gpt-4o-mini']);
  expect(closest('Claude-Haiku-4-5', MODELS)).toEqual(['claude-haiku-4-5']);
  expect(closest('llama-3', MODELS)).toEqual([]);
});
