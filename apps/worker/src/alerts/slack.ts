// Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat, ...):
// `text` carries the whole message for those that ignore blocks and for
// notifications; one mrkdwn section renders it in Slack.
import type { Outgoing, SendOutcome } from './index.ts';
import { alertText } from './message.ts';
import type { PostJson } from './http.ts';

export async function sendSlack(o: Outgoing, post: PostJson): Promise<SendOutcome> {
  const text = alertText(o.alert, 'slack');
  const body = JSON.stringify({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
  return post(o.channel.target, body, {});
}
