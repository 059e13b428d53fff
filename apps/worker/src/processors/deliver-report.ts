// Delivers a stored report to one channel (a row of report_deliveries).
import { type Pool, reportDeliveryToSend } from '@spendgraph/db';
import type { SendReport } from '../alerts/report.ts';
import { deliveryProcessor } from './deliver.ts';

export function deliverReportProcessor(deps: { pool: Pool; send: SendReport }) {
  return deliveryProcessor({
    pool: deps.pool,
    table: 'report_deliveries',
    load: (id) => reportDeliveryToSend(deps.pool, id),
    send: ({ delivery, report, channel }) => deps.send({ deliveryId: delivery.id, report, channel }),
  });
}
