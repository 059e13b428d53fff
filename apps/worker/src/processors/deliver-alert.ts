// Delivers a budget alert to one channel (a row of alert_deliveries).
import { type Pool, deliveryToSend } from '@spendgraph/db';
import type { Send } from '../channels/index.ts';
import { alertMessage } from '../messages/alert.ts';
import { deliveryProcessor } from './deliver.ts';

export function deliverAlertProcessor(deps: { pool: Pool; send: Send }) {
  return deliveryProcessor({
    pool: deps.pool,
    table: 'alert_deliveries',
    load: (id) => deliveryToSend(deps.pool, id),
    send: ({ delivery, alert, channel }) => deps.send({ deliveryId: delivery.id, channel, message: alertMessage(alert) }),
  });
}
