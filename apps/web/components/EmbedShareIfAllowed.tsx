// "Share as embed" only for those who may make embeds (analysts and up, read keys); the API decides anyway.
import { type EmbedSpec } from '@/app/embed-actions';
import { allows, getMe } from '@/lib/me';
import { EmbedShare } from './EmbedShare';

export async function EmbedShareIfAllowed(props: { spec: EmbedSpec } | { dashboard: { id: string; name: string } }) {
  return allows(await getMe(), 'embeds:manage') ? <EmbedShare {...props} /> : null;
}
