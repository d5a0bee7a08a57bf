/** Table helpers for the local-runtime tests: outbox rows written the way the fixture's items function does. */
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { LocalRuntime } from '../../../local/runtime';
import { CLIENT_CONFIG } from './fixture';

export class FixtureTable {
  readonly client: DynamoDBClient;
  readonly name: string;

  constructor(runtime: LocalRuntime) {
    this.client = new DynamoDBClient({ ...CLIENT_CONFIG, endpoint: runtime.dynamodbLocalEndpoint });
    this.name = runtime.tables.TableCD117FA1 ?? '';
  }

  /** Outbox rows in one transaction, so that their stream records are adjacent. */
  async outbox(rows: { id: string; behavior?: string }[]): Promise<void> {
    await this.client.send(
      new TransactWriteItemsCommand({
        TransactItems: rows.map((r) => ({
          Put: {
            TableName: this.name,
            Item: {
              pk: { S: `outbox#${r.id}` },
              sk: { S: 'outbox' },
              kind: { S: 'outbox' },
              id: { S: r.id },
              behavior: { S: r.behavior ?? 'ok' },
            },
          },
        })),
      }),
    );
  }

  async count(pk: string): Promise<number | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.name, Key: { pk: { S: pk }, sk: { S: 'marker' } } }),
    );
    return out.Item?.count?.N === undefined ? undefined : Number(out.Item.count.N);
  }

  async fix(id: string): Promise<void> {
    await this.client.send(
      new PutItemCommand({ TableName: this.name, Item: { pk: { S: `fixed#${id}` }, sk: { S: 'marker' } } }),
    );
  }

  /** The record ids of each invocation of the stream handler (one row per invocation). */
  async invocations(): Promise<{ ids: string[]; sample: unknown; at: number }[]> {
    const out = await this.client.send(
      new ScanCommand({
        TableName: this.name,
        FilterExpression: 'kind = :k',
        ExpressionAttributeValues: { ':k': { S: 'invocation' } },
      }),
    );
    return (out.Items ?? [])
      .map((i) => ({
        ids: (i.ids?.S ?? '').split(','),
        sample: JSON.parse(i.sample?.S ?? 'null') as unknown,
        at: Number(i.invokedAt?.N ?? 0),
      }))
      .sort((a, b) => a.at - b.at);
  }

  destroy(): void {
    this.client.destroy();
  }
}
