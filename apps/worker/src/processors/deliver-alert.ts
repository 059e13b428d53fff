// Delivers a budget alert to one channel (a row of alert_deliveries).
import { type Pool, deliveryToSend } from '@spendgraph/db';
import type { SendAlert } from '../alerts/index.ts';
import { deliveryProcessor } from './deliver.ts';

export function deliverAlertProcessor(deps: { pool: Pool; send: SendAlert }) {
  return deliveryProcessor({
    pool: deps.pool,
    table: 'alert_deliveries',
    load: (id) => deliveryToSend(deps.pool, id),
    send: ({ delivery, alert, channel }) => deps.send({ deliveryId: delivery.id, alert, channel }),
  });
}
