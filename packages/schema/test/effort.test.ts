// The sources' effort names and thinking budgets as our levels (packages/schema/src/effort.ts).
import { describe, expect, it } from 'vitest';
import { effortOfBudget, effortOfRequest, knownEffort } from '../src/index.ts';

describe('effort', () => {
  it('spells the sources\' level names as ours and leaves unknown ones out', () => {
    expect(['HIGH', ' medium ', 'minimal', 'none', 'xhigh', 'max', 'extra_high', 'off'].map(knownEffort))
      .toEqual(['high', 'medium', 'minimal', 'none', 'xhigh', 'xhigh', 'xhigh', 'none']);
    expect([undefined, 3, 'turbo', 'auto', 'thinking_level_unspecified'].map(knownEffort)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('maps thinking budgets by Gemini\'s equivalences: 0 none, up to 1,024 low, up to 8,192 medium, above high', () => {
    expect([0, 1, 1_024, 1_025, 4_000, 8_192, 8_193, 10_000, 31_999].map(effortOfBudget))
      .toEqual(['none', 'low', 'low', 'medium', 'medium', 'medium', 'high', 'high', 'high']);
    expect([-1, 1.5, '2048', null].map(effortOfBudget)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('reads OpenAI, Anthropic and Gemini request bodies, and nothing from a body that does not say', () => {
    expect(effortOfRequest({ model: 'o3', reasoning_effort: 'low' })).toBe('low');
    expect(effortOfRequest({ model: 'gpt-5', reasoning: { effort: 'minimal', summary: 'auto' } })).toBe('minimal');
    expect(effortOfRequest({ model: 'claude-opus-4-5', output_config: { effort: 'medium' }, thinking: { type: 'enabled', budget_tokens: 32_000 } })).toBe('medium');
    expect(effortOfRequest({ thinking: { type: 'enabled', budget_tokens: 16_000 } })).toBe('high');
    expect(effortOfRequest({ thinking: { type: 'disabled' } })).toBe('none');
    expect(effortOfRequest({ generationConfig: { thinkingConfig: { thinkingBudget: 512 } } })).toBe('low');
    expect(effortOfRequest({ generationConfig: { thinkingConfig: { thinkingBudget: -1 } } })).toBeUndefined();
    expect(effortOfRequest({ config: { thinkingConfig: { thinkingLevel: 'HIGH' } } })).toBe('high');
    expect([undefined, 'text', [], { model: 'gpt-4o' }, { reasoning: 'high' }].map(effortOfRequest)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
