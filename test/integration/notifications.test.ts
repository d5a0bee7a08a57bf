/** Notifications against DynamoDB Local: one message per (order, kind), whatever the number of deliveries. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoNotifications } from '../../functions/notifications/adapters/dynamo-notifications';
import { MailboxChannel } from '../../functions/notifications/adapters/mailbox-channel';
import {
  composeMessage,
  type NotificationsDeps,
  notify,
  type OrderOutcome,
} from '../../functions/notifications/domain/notify';
import { keys } from '../../functions/shared/table/layout';
import { everyItem, faultyClient, firstItem } from '../helpers/faulty-client';
import { clockAt, context, ids } from '../helpers/fixed';
import { createTable, deleteTable, doc, outboxEvents } from '../helpers/table';

let tableName: string;
let deps: NotificationsDeps;

const outcome = (orderId: string, type: OrderOutcome['type']): OrderOutcome => ({
  orderId,
  customerId: 'cust-n',
  type,
  totalCents: 1999,
  currency: 'EUR',
  ...(type === 'ORDER_CANCELLED' ? { reason: 'PAYMENT_DECLINED' } : {}),
});

beforeAll(async () => {
  tableName = await createTable('notifications');
  deps = {
    notifications: new DynamoNotifications(doc, tableName),
    channel: new MailboxChannel(doc, tableName),
    ids: ids(),
    clock: clockAt(),
  };
});
afterAll(async () => {
  await deleteTable(tableName);
});

it('sends once per order and kind, even when the same outcome arrives many times at once', async () => {
  const results = await Promise.all(
    Array.from({ length: 5 }, () => notify(deps, outcome('01JORDERNOTIFY0000000000AA', 'ORDER_CONFIRMED'), context)),
  );
  expect(results.filter((r) => r === 'sent')).toHaveLength(1);
  const message = await doc.send(
    new GetCommand({ TableName: tableName, Key: keys.mailboxMessage('01JORDERNOTIFY0000000000AA#ORDER_CONFIRMED') }),
  );
  expect(message.Item).toMatchObject({ deliveries: 1, subject: expect.stringContaining('confirmed') });
  const sent = (await outboxEvents(tableName)).filter((e) => e.type === 'NotificationSent');
  expect(sent).toHaveLength(1);
});

it('sends one of each kind for an order that was confirmed and later cancelled', async () => {
  await notify(deps, outcome('01JORDERNOTIFY0000000000BB', 'ORDER_CONFIRMED'), context);
  await notify(deps, outcome('01JORDERNOTIFY0000000000BB', 'ORDER_CANCELLED'), context);
  await notify(deps, outcome('01JORDERNOTIFY0000000000BB', 'ORDER_CANCELLED'), context);
  const page = await deps.notifications.list('cust-n', 50, undefined);
  const forOrder = page.items.filter((i) => i.orderId === '01JORDERNOTIFY0000000000BB');
  expect(forOrder.map((i) => i.type).sort()).toEqual(['ORDER_CANCELLED', 'ORDER_CONFIRMED']);
  expect(forOrder.every((i) => i.channel === 'email')).toBe(true);
});

it('does not deliver a second message when a crash after sending makes the event come back', async () => {
  const orderId = '01JORDERNOTIFY0000000000CC';
  // First delivery: the channel sends, then the function dies before recording.
  const crashing: NotificationsDeps = {
    ...deps,
    notifications: {
      ...deps.notifications,
      exists: deps.notifications.exists.bind(deps.notifications),
      record: async () => {
        throw new Error('crash');
      },
      list: deps.notifications.list.bind(deps.notifications),
    },
  };
  await expect(notify(crashing, outcome(orderId, 'ORDER_CONFIRMED'), context)).rejects.toThrow('crash');
  expect(await notify(deps, outcome(orderId, 'ORDER_CONFIRMED'), context)).toBe('sent');
  const message = await doc.send(
    new GetCommand({ TableName: tableName, Key: keys.mailboxMessage(`${orderId}#ORDER_CONFIRMED`) }),
  );
  expect(message.Item).toMatchObject({ deliveries: 1, attempts: 2 });
});

it('never reads a throttled write as "already sent": the notification is recorded once the retry passes', async () => {
  const faulty = faultyClient();
  const flaky: NotificationsDeps = { ...deps, notifications: new DynamoNotifications(faulty.doc, tableName) };
  faulty.inject(
    'TransactWriteItems',
    { kind: 'cancel', reasons: everyItem('ThrottlingError') },
    { kind: 'cancel', reasons: firstItem('TransactionConflict') },
  );
  expect(await notify(flaky, outcome('01JORDERNOTIFY0000000000TH', 'ORDER_CONFIRMED'), context)).toBe('sent');
  expect(faulty.injected('TransactWriteItems')).toBe(2);
});

it('formats amounts with the currency minor units (JPY has none)', () => {
  const yen = composeMessage({ ...outcome('01JORDERNOTIFY0000000000JP', 'ORDER_CONFIRMED'), currency: 'JPY' });
  expect(yen.body).toContain('¥1,999');
  const euro = composeMessage(outcome('01JORDERNOTIFY0000000000EU', 'ORDER_CONFIRMED'));
  expect(euro.body).toContain('€19.99');
});
