/**
 * DynamoDB's error answers in the wire shape of its AWS JSON 1.0 protocol, as the SDK v3 parses them: HTTP 400 (500
 * for InternalServerError) with `{"__type":"com.amazonaws.dynamodb.v20120810#<Name>", ...members}`, the members named
 * as in the service model (`message` for most errors, `Message` and `CancellationReasons` for
 * TransactionCanceledException, `throttlingReasons` for ThrottlingException but `ThrottlingReasons` for
 * ProvisionedThroughputExceededException), an `x-amzn-requestid` and an `x-amz-crc32` of the body.
 *
 * The SDK retries ThrottlingException and ProvisionedThroughputExceededException (throttling errors) and HTTP 500
 * (transient), not TransactionCanceledException or TransactionConflictException.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';

export interface DynamoDbErrorAnswer {
  readonly status: number;
  /** The error's name (what the SDK's error `name` will be). */
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface ThrottlingReason {
  readonly reason: string;
  readonly resource: string;
}

export interface CancellationReason {
  readonly Code: string;
  readonly Message?: string;
}

const TYPE_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

/** What DynamoDB says when it throttles a request (on-demand tables, their indexes, provisioned tables). */
export const THROTTLING_MESSAGES = {
  onDemandTable:
    'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html',
  onDemandIndex:
    'Throughput exceeds the current capacity for one or more global secondary indexes. DynamoDB is automatically scaling your index so please try again shortly.',
  provisioned:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
} as const;

export const TRANSACTION_CONFLICT_MESSAGE = 'Transaction is ongoing for the item';

function answer(name: string, status: number, members: Record<string, unknown>): DynamoDbErrorAnswer {
  return { status, name, body: { __type: `${TYPE_PREFIX}${name}`, ...members } };
}

export function throttlingException(message: string, reasons: readonly ThrottlingReason[] = []): DynamoDbErrorAnswer {
  return answer('ThrottlingException', 400, { message, ...(reasons.length ? { throttlingReasons: reasons } : {}) });
}

export function provisionedThroughputExceeded(
  message: string,
  reasons: readonly ThrottlingReason[] = [],
): DynamoDbErrorAnswer {
  return answer('ProvisionedThroughputExceededException', 400, {
    message,
    ...(reasons.length ? { ThrottlingReasons: reasons } : {}),
  });
}

export function internalServerError(message = 'Internal server error'): DynamoDbErrorAnswer {
  return answer('InternalServerError', 500, { message });
}

export function transactionConflictException(message = TRANSACTION_CONFLICT_MESSAGE): DynamoDbErrorAnswer {
  return answer('TransactionConflictException', 400, { message });
}

/** A cancelled transaction of `count` items: the reasons at their positions, `None` for the others. */
export function transactionCanceled(
  count: number,
  reasons: ReadonlyMap<number, CancellationReason>,
): DynamoDbErrorAnswer {
  const list: CancellationReason[] = Array.from({ length: count }, (_, i) => reasons.get(i) ?? { Code: 'None' });
  return answer('TransactionCanceledException', 400, {
    CancellationReasons: list,
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${list.map((r) => r.Code).join(', ')}]`,
  });
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A request id as DynamoDB makes them: 52 upper-case letters and digits. */
export function dynamoDbRequestId(): string {
  return Array.from(randomBytes(52), (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

export function writeDynamoDbError(res: ServerResponse, error: DynamoDbErrorAnswer): void {
  const body = Buffer.from(JSON.stringify(error.body));
  res.writeHead(error.status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(body.length),
    'x-amzn-requestid': dynamoDbRequestId(),
    'x-amz-crc32': String(crc32(body)),
  });
  res.end(body);
}
