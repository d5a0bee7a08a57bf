/**
 * Reading a dead-letter queue through the SQS API (the same calls on AWS and on the local runtime). SQS has no
 * "peek": a message is read by receiving it, which hides it for the visibility timeout. Listing therefore receives
 * everything with a short timeout and makes it visible again at once; a redrive keeps the messages hidden while it
 * works (so two operators cannot redrive the same message at the same time) and deletes each one only after its
 * redrive succeeded, releasing the others.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { RawDeadLetter } from './dead-letter';

export interface HeldMessage extends RawDeadLetter {
  readonly receiptHandle: string;
  /** How many times the dead letter itself has been received (by tools like this one). */
  readonly receiveCount: number | undefined;
}

export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

function toHeld(m: Message): HeldMessage | undefined {
  if (!m.MessageId || !m.ReceiptHandle) return undefined;
  const attributes = Object.fromEntries(
    Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
  );
  const sent = Number(m.Attributes?.SentTimestamp);
  const received = Number(m.Attributes?.ApproximateReceiveCount);
  return {
    messageId: m.MessageId,
    receiptHandle: m.ReceiptHandle,
    body: m.Body ?? '',
    attributes,
    sentAt: Number.isFinite(sent) && sent > 0 ? sent : undefined,
    receiveCount: Number.isFinite(received) ? received : undefined,
  };
}

/**
 * Receives up to `max` messages and keeps them hidden for `visibilitySeconds`. Stops when it has as many as the
 * queue said it held, when a receive comes back empty, or at `max`.
 */
export async function receiveAll(
  sqs: SQSClient,
  queueUrl: string,
  options: { visibilitySeconds: number; max: number },
): Promise<HeldMessage[]> {
  const { visible } = await queueDepth(sqs, queueUrl);
  const held = new Map<string, HeldMessage>();
  const wanted = Math.min(visible, options.max);
  while (held.size < wanted) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, wanted - held.size),
        VisibilityTimeout: options.visibilitySeconds,
        // Long polling asks every SQS server (short polling samples a few); 1 s keeps an empty end short.
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      }),
    );
    const messages = (out.Messages ?? []).map(toHeld).filter((m): m is HeldMessage => m !== undefined);
    if (messages.length === 0) break;
    for (const m of messages) held.set(m.messageId, m);
  }
  return [...held.values()];
}

/** Makes a held message visible again (best effort: if its timeout ran out, it already is). */
export async function release(sqs: SQSClient, queueUrl: string, message: HeldMessage): Promise<void> {
  try {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: message.receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  } catch {
    // The handle expired: the message is visible again anyway.
  }
}

export async function releaseAll(sqs: SQSClient, queueUrl: string, messages: readonly HeldMessage[]): Promise<void> {
  await Promise.all(messages.map((m) => release(sqs, queueUrl, m)));
}

export async function remove(sqs: SQSClient, queueUrl: string, message: HeldMessage): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.receiptHandle }));
}
