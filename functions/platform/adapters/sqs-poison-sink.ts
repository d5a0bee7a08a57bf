import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { OutboxRecord, PoisonSink } from '../domain/relay';

/** Parks a record that can never be published in the relay's dead-letter queue, with the reason. */
export class SqsPoisonSink implements PoisonSink {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async park(record: OutboxRecord, error: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({
          kind: 'PoisonOutboxRecord',
          error,
          sequenceNumber: record.id,
          payload: record.payload,
          parkedAt: new Date().toISOString(),
        }),
        MessageAttributes: {
          ERROR_MESSAGE: { DataType: 'String', StringValue: error.slice(0, 1000) },
          KIND: { DataType: 'String', StringValue: 'PoisonOutboxRecord' },
        },
      }),
    );
  }
}
