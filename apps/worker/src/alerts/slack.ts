// Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat, ...):
// `text` carries the whole message for those that ignore blocks and for
// notifications; one mrkdwn section renders it in Slack.
import type { Outgoing, SendOutcome } from './index.ts';
import { alertText } from './message.ts';
import { postJson } from './webhook.ts';

export async function sendSlack(o: Outgoing, timeoutMs: number): Promise<SendOutcome> {
  const text = alertText(o.alert, 'slack');
  const body = JSON.stringify({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
  return postJson(o.channel.target, body, {}, timeoutMs);
}
