/**
 * One DynamoDB document client per execution environment (created at module load, reused by every invocation).
 * The SDK reads AWS_ENDPOINT_URL_DYNAMODB itself, which is how the same code runs on AWS, LocalStack or locally.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const dynamoDbClient = new DynamoDBClient({});
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
