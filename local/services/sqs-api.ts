/** The SQS slice of the service endpoint (AWS JSON 1.0, `X-Amz-Target: AmazonSQS.*`, as @aws-sdk/client-sqs speaks). */
import {
  type MessageAttributeValue,
  QueueDoesNotExistError,
  type QueueStore,
  type StoredMessage,
} from '../sqs/queue-store';
import { requireString, ServiceError } from './protocol';

const NON_EXISTENT = 'AWS.SimpleQueueService.NonExistentQueue;Sender';

function systemAttributes(m: StoredMessage, wanted: string[]): Record<string, string> {
  const all: Record<string, string> = {
    SenderId: 'AIDALOCAL000000000000',
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
  };
  if (m.groupId) all.MessageGroupId = m.groupId;
  if (m.sequenceNumber) all.SequenceNumber = m.sequenceNumber;
  if (m.deadLetterSourceArn) all.DeadLetterQueueSourceArn = m.deadLetterSourceArn;
  if (wanted.includes('All')) return all;
  return Object.fromEntries(Object.entries(all).filter(([k]) => wanted.includes(k)));
}

function messageAttributes(m: StoredMessage, wanted: string[]): Record<string, MessageAttributeValue> | undefined {
  if (!wanted.length) return undefined;
  const all = wanted.includes('All') || wanted.includes('.*');
  const out = Object.fromEntries(
    Object.entries(m.messageAttributes).filter(
      ([name]) => all || wanted.some((w) => (w.endsWith('.*') ? name.startsWith(w.slice(0, -2)) : w === name)),
    ),
  );
  return Object.keys(out).length ? out : undefined;
}

export function sqsApi(queues: QueueStore) {
  const queueOf = (body: Record<string, unknown>) => {
    const url = requireString(body, 'QueueUrl');
    const queue = queues.find(url);
    if (!queue) throw new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.', 400, NON_EXISTENT);
    return queue;
  };
  const send = (body: Record<string, unknown>) => {
    const queue = queueOf(body);
    const text = requireString(body, 'MessageBody');
    if (queue.def.fifo && !body.MessageGroupId) {
      throw new ServiceError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
    }
    const m = queues.send(queue, {
      body: text,
      messageAttributes: (body.MessageAttributes ?? {}) as Record<string, MessageAttributeValue>,
      delaySeconds: body.DelaySeconds === undefined ? undefined : Number(body.DelaySeconds),
      groupId: body.MessageGroupId === undefined ? undefined : String(body.MessageGroupId),
      deduplicationId: body.MessageDeduplicationId === undefined ? undefined : String(body.MessageDeduplicationId),
    });
    return {
      MessageId: m.messageId,
      MD5OfMessageBody: m.md5OfBody,
      ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
      ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
    };
  };
  return async (operation: string, body: Record<string, unknown>): Promise<unknown> => {
    try {
      switch (operation) {
        case 'GetQueueUrl': {
          const queue = queues.find(requireString(body, 'QueueName'));
          if (!queue)
            throw new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.', 400, NON_EXISTENT);
          return { QueueUrl: queue.def.url };
        }
        case 'ListQueues': {
          const prefix = String(body.QueueNamePrefix ?? '');
          return {
            QueueUrls: queues
              .all()
              .filter((q) => q.def.name.startsWith(prefix))
              .map((q) => q.def.url),
          };
        }
        case 'SendMessage':
          return send(body);
        case 'SendMessageBatch': {
          const entries = (body.Entries ?? []) as Record<string, unknown>[];
          if (entries.length === 0 || entries.length > 10) {
            throw new ServiceError('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
          }
          const Successful: unknown[] = [];
          const Failed: unknown[] = [];
          for (const entry of entries) {
            try {
              Successful.push({ Id: entry.Id, ...send({ ...entry, QueueUrl: body.QueueUrl }) });
            } catch (error) {
              Failed.push({
                Id: entry.Id,
                SenderFault: true,
                Code: (error as ServiceError).code ?? 'InternalError',
                Message: (error as Error).message,
              });
            }
          }
          return { Successful, Failed };
        }
        case 'ReceiveMessage': {
          const queue = queueOf(body);
          const max = Math.min(Math.max(Number(body.MaxNumberOfMessages ?? 1), 1), 10);
          const wait = Math.min(Number(body.WaitTimeSeconds ?? 0), 20) * 1000;
          const messages = await queues.receive(
            queue,
            max,
            body.VisibilityTimeout === undefined ? undefined : Number(body.VisibilityTimeout),
            wait,
          );
          const wantedSystem = [
            ...((body.AttributeNames ?? []) as string[]),
            ...((body.MessageSystemAttributeNames ?? []) as string[]),
          ];
          const wantedAttributes = (body.MessageAttributeNames ?? []) as string[];
          return {
            Messages: messages.map((m) => {
              const attributes = systemAttributes(m, wantedSystem);
              const custom = messageAttributes(m, wantedAttributes);
              return {
                MessageId: m.messageId,
                ReceiptHandle: m.receiptHandle,
                MD5OfBody: m.md5OfBody,
                Body: m.body,
                ...(Object.keys(attributes).length ? { Attributes: attributes } : {}),
                ...(custom ? { MessageAttributes: custom, MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
              };
            }),
          };
        }
        case 'DeleteMessage': {
          const queue = queueOf(body);
          if (!queues.delete(queue, requireString(body, 'ReceiptHandle'))) {
            throw new ServiceError(
              'ReceiptHandleIsInvalid',
              'The input receipt handle is invalid.',
              400,
              'ReceiptHandleIsInvalid;Sender',
            );
          }
          return {};
        }
        case 'DeleteMessageBatch': {
          const queue = queueOf(body);
          const Successful: unknown[] = [];
          const Failed: unknown[] = [];
          for (const entry of (body.Entries ?? []) as { Id: string; ReceiptHandle: string }[]) {
            if (queues.delete(queue, entry.ReceiptHandle)) Successful.push({ Id: entry.Id });
            else
              Failed.push({
                Id: entry.Id,
                SenderFault: true,
                Code: 'ReceiptHandleIsInvalid',
                Message: 'The input receipt handle is invalid.',
              });
          }
          return { Successful, Failed };
        }
        case 'ChangeMessageVisibility': {
          const queue = queueOf(body);
          if (
            !queues.changeVisibility(queue, requireString(body, 'ReceiptHandle'), Number(body.VisibilityTimeout ?? 0))
          ) {
            throw new ServiceError(
              'ReceiptHandleIsInvalid',
              'The input receipt handle is invalid.',
              400,
              'ReceiptHandleIsInvalid;Sender',
            );
          }
          return {};
        }
        case 'PurgeQueue':
          queues.purge(queueOf(body));
          return {};
        case 'GetQueueAttributes': {
          const queue = queueOf(body);
          const counts = queues.counts(queue);
          const all: Record<string, string> = {
            QueueArn: queue.def.arn,
            ApproximateNumberOfMessages: String(counts.visible),
            ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
            ApproximateNumberOfMessagesDelayed: String(counts.delayed),
            VisibilityTimeout: String(queue.def.visibilityTimeoutSeconds),
            MessageRetentionPeriod: String(queue.def.retentionSeconds),
            DelaySeconds: String(queue.def.delaySeconds),
            FifoQueue: String(queue.def.fifo),
            ...(queue.def.redrive
              ? {
                  RedrivePolicy: JSON.stringify({
                    deadLetterTargetArn: queue.def.redrive.deadLetterTargetArn,
                    maxReceiveCount: queue.def.redrive.maxReceiveCount,
                  }),
                }
              : {}),
          };
          const wanted = (body.AttributeNames ?? ['All']) as string[];
          return {
            Attributes: wanted.includes('All')
              ? all
              : Object.fromEntries(Object.entries(all).filter(([k]) => wanted.includes(k))),
          };
        }
        default:
          throw new ServiceError(
            'UnsupportedOperation',
            `SQS ${operation} is not served by the local runtime`,
            400,
            'AWS.SimpleQueueService.UnsupportedOperation;Sender',
          );
      }
    } catch (error) {
      if (error instanceof QueueDoesNotExistError) {
        throw new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.', 400, NON_EXISTENT);
      }
      throw error;
    }
  };
}
