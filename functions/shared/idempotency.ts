/**
 * Powertools idempotency, stored in the single table.
 *
 * Powertools' sort-key mode would put every record of a function under ONE partition key
 * (`idempotency#<function>`): a hot key once a consumer is busy. This persistence layer keeps Powertools' logic
 * (conditional put, in-progress expiry, cached results) but gives each record its own partition key
 * (`<function>#<hash>` / `IDEMPOTENCY`), so records spread over the table like any other item.
 */

import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { dynamoDbClient } from './ddb/client';
import { keys, TABLE } from './table/layout';

export class SingleTablePersistenceLayer extends DynamoDBPersistenceLayer {
  constructor(tableName: string) {
    super({
      tableName,
      keyAttr: TABLE.partitionKey,
      sortKeyAttr: TABLE.sortKey,
      expiryAttr: TABLE.ttlAttribute,
      awsSdkV3Client: dynamoDbClient,
    });
  }

  protected override getKey(idempotencyKey: string): Record<string, AttributeValue> {
    const key = keys.idempotencyRecord(idempotencyKey);
    return { [TABLE.partitionKey]: { S: key.pk }, [TABLE.sortKey]: { S: key.sk } };
  }
}

/** How long a processed event or saga step is remembered (longer than any retry window of the platform). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
