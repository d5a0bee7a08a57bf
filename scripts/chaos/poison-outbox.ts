/**
 * Poison outbox items: written straight into the table (as a buggy producer or a bad migration would), so the
 * stream carries them to the relay, which must park each in its DLQ with the reason and keep relaying the rest.
 * Each payload carries a marker, so the check can find it in the DLQ.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { OUTBOX_PAYLOAD_ATTRIBUTE, OUTBOX_TYPE_ATTRIBUTE } from '../../functions/shared/ddb/outbox';
import { ENTITY, keys, TABLE, ttlFromNow } from '../../functions/shared/table/layout';

const VARIANTS = [
  (marker: string) => `not JSON at all (${marker})`,
  (marker: string) => JSON.stringify({ marker, note: 'JSON, but not an event envelope' }),
  (marker: string) =>
    JSON.stringify({
      id: marker,
      source: 'commerce.orders',
      type: 'OrderTeleported',
      time: new Date().toISOString(),
      subject: marker,
      sequence: 1,
      correlationId: marker,
      causationId: null,
      dataVersion: 1,
      data: {},
    }),
  (marker: string) =>
    JSON.stringify({
      id: marker,
      source: 'commerce.orders',
      type: 'OrderPlaced',
      time: new Date().toISOString(),
      subject: marker,
      sequence: 1,
      correlationId: marker,
      causationId: null,
      dataVersion: 1,
      data: { orderId: 42, note: 'OrderPlaced with invalid data' },
    }),
];

export class PoisonOutboxWriter {
  readonly markers: string[] = [];
  private client: { endpoint: string; doc: DynamoDBDocumentClient } | undefined;

  /** `endpoint` is asked each time: after a restart the runtime's DynamoDB endpoint is another one. */
  constructor(
    private readonly endpoint: () => string,
    private readonly tableName: string,
    private readonly runId: string,
  ) {}

  private documentClient(): DynamoDBDocumentClient {
    const endpoint = this.endpoint();
    if (this.client?.endpoint !== endpoint) {
      this.client?.doc.destroy();
      const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
      this.client = {
        endpoint,
        doc: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials })),
      };
    }
    return this.client.doc;
  }

  async write(): Promise<void> {
    const n = this.markers.length;
    const marker = `poison-outbox-${this.runId}-${n}`;
    const variant = VARIANTS[n % VARIANTS.length] ?? VARIANTS[0];
    if (!variant) return;
    await this.documentClient().send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.outbox(marker),
          entity: ENTITY.outbox,
          [OUTBOX_TYPE_ATTRIBUTE]: 'Unknown',
          subject: marker,
          [OUTBOX_PAYLOAD_ATTRIBUTE]: variant(marker),
          [TABLE.ttlAttribute]: ttlFromNow(3600),
        },
      }),
    );
    this.markers.push(marker);
  }

  close(): void {
    this.client?.doc.destroy();
    this.client = undefined;
  }
}
