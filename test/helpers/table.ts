/**
 * Integration-test tables in DynamoDB Local, created from the same layout the CDK table is derived from.
 * Each test file gets its own table, so files can run in parallel against one DynamoDB Local.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../functions/shared/table/layout';

export const ddb = new DynamoDBClient({});
export const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });

let counter = 0;

export async function createTable(prefix = 'test'): Promise<string> {
  counter += 1;
  const name = `${prefix}-${process.pid}-${Date.now()}-${counter}`;
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE.sortKey, AttributeType: 'S' },
        { AttributeName: TABLE.gsi1.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE.gsi1.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: TABLE.gsi1.indexName,
          KeySchema: [
            { AttributeName: TABLE.gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE.gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { Enabled: true, AttributeName: TABLE.ttlAttribute },
    }),
  );
  return name;
}

export async function deleteTable(name: string): Promise<void> {
  await ddb.send(new DeleteTableCommand({ TableName: name }));
}

export async function scanAll(tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The events waiting in the outbox, parsed, oldest first. */
export async function outboxEvents(
  tableName: string,
): Promise<{ type: string; subject: string; sequence: number; data: Record<string, unknown> }[]> {
  const items = await scanAll(tableName);
  return items
    .filter((item) => String(item.pk).startsWith('OUTBOX#'))
    .map((item) => JSON.parse(String(item.payload)))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}
