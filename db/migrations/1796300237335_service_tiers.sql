-- Up Migration

-- The tier a provider billed a call at (issue 17): OpenAI's service_tier (default, flex, priority,
-- scale; the Batch API), Anthropic's usage.service_tier (standard, priority, batch), Gemini's
-- Batch Mode. NULL when the event did not say: priced as standard. packages/pricing prices it.
ALTER TABLE usage_events
  ADD COLUMN service_tier text CHECK (service_tier IN ('standard', 'batch', 'flex', 'priority', 'scale'));

-- Down Migration

ALTER TABLE usage_events DROP COLUMN service_tier;
