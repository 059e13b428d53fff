// Delivers an alert rule's notification to one channel (a row of notification_deliveries).
import { type Pool, notificationDeliveryToSend } from '@spendgraph/db';
import type { Send } from '../channels/index.ts';
import { notificationMessage } from '../messages/notification.ts';
import { deliveryProcessor } from './deliver.ts';

export function deliverNotificationProcessor(deps: { pool: Pool; send: Send }) {
  return deliveryProcessor({
    pool: deps.pool,
    table: 'notification_deliveries',
    load: (id) => notificationDeliveryToSend(deps.pool, id),
    send: ({ delivery, notification, channel }) => deps.send({ deliveryId: delivery.id, channel, message: notificationMessage(notification) }),
  });
}
