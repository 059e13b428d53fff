// Delivers a stored report to one channel (a row of report_deliveries).
import { type Pool, reportDeliveryToSend } from '@spendgraph/db';
import type { Send } from '../channels/index.ts';
import { reportMessage } from '../messages/report.ts';
import { deliveryProcessor } from './deliver.ts';

export function deliverReportProcessor(deps: { pool: Pool; send: Send; webUrl?: string | undefined }) {
  return deliveryProcessor({
    pool: deps.pool,
    table: 'report_deliveries',
    load: (id) => reportDeliveryToSend(deps.pool, id),
    send: ({ delivery, report, channel }) => deps.send({ deliveryId: delivery.id, channel, message: reportMessage(report, deps.webUrl) }),
  });
}
