// Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat, ...):
// `text` carries the whole message for those that ignore blocks and for
// notifications; mrkdwn sections render it in Slack.
import type { PostJson } from './http.ts';
import type { Outgoing, SendOutcome } from './send.ts';

/** A section holds at most 3000 characters; `text` carries the whole message regardless. */
const SECTION_CHARS = 2900;

export async function sendSlack(o: Outgoing, post: PostJson): Promise<SendOutcome> {
  const text = o.message.slack;
  const blocks = chunks(text, SECTION_CHARS).map((part) => ({ type: 'section', text: { type: 'mrkdwn', text: part } }));
  return post(o.channel.target, JSON.stringify({ text, blocks }), {});
}

/** Whole lines per chunk (a line longer than a chunk is cut). */
function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (current && current.length + line.length + 1 > size) {
      out.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line.slice(0, size);
  }
  if (current) out.push(current);
  return out;
}
