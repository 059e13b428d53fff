// The tier providers report in their responses, read by the proxy and the SDK wrappers (UsageReader).
import { describe, expect, it } from 'vitest';
import { UsageReader, knownServiceTier } from '../src/index.ts';

describe('service tier in provider responses', () => {
  it('reads OpenAI\'s service_tier from Chat Completions, streamed chunks and Responses events', () => {
    const chat = new UsageReader('openai');
    chat.accept({ id: 'chatcmpl-1', model: 'gpt-5', service_tier: 'default', usage: { prompt_tokens: 10, completion_tokens: 2 } });
    expect(chat.serviceTier).toBe('standard');
    const streamed = new UsageReader('openai');
    streamed.accept({ id: 'chatcmpl-2', model: 'o3', service_tier: 'flex', choices: [] });
    streamed.accept({ id: 'chatcmpl-2', model: 'o3', choices: [], usage: { prompt_tokens: 10, completion_tokens: 2 } });
    expect(streamed.serviceTier).toBe('flex');
    const responses = new UsageReader('openai');
    responses.accept({ type: 'response.completed', response: { id: 'resp_1', model: 'gpt-5', service_tier: 'priority', usage: { input_tokens: 5, output_tokens: 1 } } });
    expect(responses.serviceTier).toBe('priority');
  });

  it('reads Anthropic\'s usage.service_tier from a message and from message_start', () => {
    const whole = new UsageReader('anthropic');
    whole.accept({ type: 'message', id: 'msg_1', model: 'claude-sonnet-4-5', usage: { input_tokens: 3, output_tokens: 1, service_tier: 'batch' } });
    expect(whole.serviceTier).toBe('batch');
    const stream = new UsageReader('anthropic');
    stream.accept({ type: 'message_start', message: { id: 'msg_2', model: 'claude-sonnet-4-5', usage: { input_tokens: 3, output_tokens: 1, service_tier: 'priority' } } });
    stream.accept({ type: 'message_delta', usage: { output_tokens: 9 } });
    expect(stream.serviceTier).toBe('priority');
  });

  it('leaves out a tier it does not know instead of refusing the call', () => {
    const r = new UsageReader('openai');
    r.accept({ id: 'x', model: 'gpt-5', service_tier: 'ultra', usage: { prompt_tokens: 1, completion_tokens: 1 } });
    expect(r.serviceTier).toBeUndefined();
    expect([knownServiceTier('auto'), knownServiceTier(' Scale '), knownServiceTier(undefined), knownServiceTier('x')]).toEqual(['standard', 'scale', undefined, undefined]);
  });
});
