/**
 * Jest global setup for the integration project: one DynamoDB Local (in memory) for the whole run.
 * Its endpoint reaches the test workers through AWS_ENDPOINT_URL_DYNAMODB, the same variable the handlers read.
 */
import { startDynamoDbLocal } from '../../local/dynamodb-local';

declare global {
  var __DDB_LOCAL__: { stop(): Promise<void> } | undefined;
}

export default async function setup(): Promise<void> {
  const ddb = await startDynamoDbLocal();
  globalThis.__DDB_LOCAL__ = ddb;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint;
  process.env.AWS_REGION = process.env.AWS_REGION ?? 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
}
