// Delivers a bill variance alert to one channel (a row of bill_variance_deliveries).
import { type Pool, billVarianceDeliveryToSend } from '@spendgraph/db';
import type { Send } from '../channels/index.ts';
import { varianceMessage } from '../messages/variance.ts';
import { deliveryProcessor } from './deliver.ts';

export function deliverVarianceAlertProcessor(deps: { pool: Pool; send: Send }) {
  return deliveryProcessor({
    pool: deps.pool,
    table: 'bill_variance_deliveries',
    load: (id) => billVarianceDeliveryToSend(deps.pool, id),
    send: ({ delivery, alert, channel }) => deps.send({ deliveryId: delivery.id, channel, message: varianceMessage(alert) }),
  });
}
