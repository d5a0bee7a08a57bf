/**
 * One DynamoDB document client per execution environment (created at module load, reused by every invocation).
 * The SDK reads AWS_ENDPOINT_URL_DYNAMODB itself, which is how the same code runs on AWS, LocalStack or locally.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const dynamoDbClient = new DynamoDBClient({});
// The SDK's logger middleware builds a log-safe copy of every request and answer (a walk of the whole item) even
// when no logger is configured; nothing here logs through the SDK (Powertools logs what matters), so it goes. The
// document client below and the Powertools idempotency layer share this client and its middleware stack.
// Measured before/after in docs/perf/changes.md.
dynamoDbClient.middlewareStack.remove('loggerMiddleware');
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
