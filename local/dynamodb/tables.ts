/**
 * Creates each `AWS::DynamoDB::Table` of the template in DynamoDB Local: keys, attribute definitions,
 * secondary indexes with their projections, the stream and TTL. On a persisted restart the existing tables
 * are reused as they are.
 */
import type { TableDef } from '../template/model';
import { DynamoCallError, type DynamoRawClient } from './raw-client';

export interface CreatedTable {
  readonly def: TableDef;
  /** DynamoDB Local's stream ARN (region `ddblocal`), when the table has a stream. */
  readonly localStreamArn: string | undefined;
  readonly reused: boolean;
}

interface DescribeTableOutput {
  Table?: { LatestStreamArn?: string; StreamSpecification?: { StreamEnabled?: boolean } };
}

export async function createTables(client: DynamoRawClient, tables: readonly TableDef[]): Promise<CreatedTable[]> {
  return Promise.all(tables.map((def) => createTable(client, def)));
}

async function createTable(client: DynamoRawClient, def: TableDef): Promise<CreatedTable> {
  const index = (i: TableDef['globalSecondaryIndexes'][number]) => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema,
    Projection: i.Projection,
  });
  let reused = false;
  try {
    await client.call('DynamoDB_20120810.CreateTable', {
      TableName: def.name,
      KeySchema: def.keySchema,
      AttributeDefinitions: def.attributeDefinitions,
      // Capacity is not emulated: every table is on demand locally.
      BillingMode: 'PAY_PER_REQUEST',
      ...(def.globalSecondaryIndexes.length ? { GlobalSecondaryIndexes: def.globalSecondaryIndexes.map(index) } : {}),
      ...(def.localSecondaryIndexes.length ? { LocalSecondaryIndexes: def.localSecondaryIndexes.map(index) } : {}),
      ...(def.streamViewType
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: def.streamViewType } }
        : {}),
    });
  } catch (error) {
    if (!(error instanceof DynamoCallError && error.name === 'ResourceInUseException')) {
      throw new Error(
        `Could not create table ${def.name} (${def.ref.stack.stackName}/${def.ref.logicalId}): ${(error as Error).message}`,
      );
    }
    reused = true;
  }
  if (def.ttlAttribute) {
    try {
      await client.call('DynamoDB_20120810.UpdateTimeToLive', {
        TableName: def.name,
        TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true },
      });
    } catch (error) {
      // Already enabled on a reused table: fine.
      if (!(error instanceof DynamoCallError && error.name === 'ValidationException')) throw error;
    }
  }
  const described = await client.call<DescribeTableOutput>('DynamoDB_20120810.DescribeTable', { TableName: def.name });
  return { def, localStreamArn: described.Table?.LatestStreamArn, reused };
}

/** The stream ARN in AWS form (the local region instead of DynamoDB Local's `ddblocal`). */
export function awsStreamArn(localStreamArn: string, region: string): string {
  return localStreamArn.replace(':ddblocal:', `:${region}:`);
}
