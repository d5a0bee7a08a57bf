/** Builds the notifications' dependencies once per execution environment. */
import { documentClient } from '../shared/ddb/client';
import { ConfigurationError, ENV, optionalEnv, requireEnv } from '../shared/runtime/config';
import { systemClock, ulidGenerator } from '../shared/runtime/ids';
import { DynamoNotifications } from './adapters/dynamo-notifications';
import { MAILBOX_CHANNEL_NAME, MailboxChannel } from './adapters/mailbox-channel';
import type { NotificationChannel, NotificationsDeps } from './domain/notify';

const tableName = requireEnv(ENV.tableName);

function channel(): NotificationChannel {
  const name = optionalEnv(ENV.notificationChannel, MAILBOX_CHANNEL_NAME);
  if (name === MAILBOX_CHANNEL_NAME) return new MailboxChannel(documentClient, tableName);
  throw new ConfigurationError(
    `${ENV.notificationChannel}='${name}' is not a known channel; use '${MAILBOX_CHANNEL_NAME}' or add an adapter in functions/notifications/adapters/`,
  );
}

export const notificationsDeps: NotificationsDeps = {
  notifications: new DynamoNotifications(documentClient, tableName),
  channel: channel(),
  ids: ulidGenerator,
  clock: systemClock,
};
