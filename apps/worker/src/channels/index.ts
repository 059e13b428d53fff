// The channel transports shared by alert and report delivery: re-exports only.
export { type ChannelsConfig, type Message, type Outgoing, type Send, type SendOutcome, createSender } from './send.ts';
export { type Mail, SMTP_NOT_CONFIGURED, mailer } from './email.ts';
export { USER_AGENT, type Resolve } from './http.ts';
export { signatureHeader } from './webhook.ts';
