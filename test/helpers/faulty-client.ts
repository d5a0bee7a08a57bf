/**
 * A document client on DynamoDB Local that answers chosen requests with the errors only AWS produces (throttled or
 * conflicting transactions, throttled requests), built with the SDK's own exception classes, so adapters are tested
 * against the exact errors they would see on AWS. Everything else reaches DynamoDB Local unchanged.
 * (The local runtime injects the same faults on the wire for the e2e and chaos suites: local/README.md.)
 */
import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type InjectedFault =
  | { readonly kind: 'cancel'; readonly reasons: (items: number) => string[] }
  | { readonly kind: 'throttling' }
  | { readonly kind: 'throughput' };

export interface FaultControl {
  /** Faults to answer the next requests of this operation with, one per request, in order. */
  inject(operation: string, ...faults: InjectedFault[]): void;
  /** Requests of this operation answered with a fault so far. */
  injected(operation: string): number;
  /** Forgets the faults not used yet. */
  clear(): void;
}

export interface FaultyClient extends FaultControl {
  readonly doc: DynamoDBDocumentClient;
}

const metadata = { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 };

function errorFor(fault: InjectedFault, input: { TransactItems?: unknown[] }): Error {
  switch (fault.kind) {
    case 'cancel': {
      const reasons = fault.reasons(input.TransactItems?.length ?? 0);
      return new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.join(', ')}]`,
        $metadata: metadata,
        CancellationReasons: reasons.map((Code) => ({ Code, ...(Code === 'None' ? {} : { Message: Code }) })),
      });
    }
    case 'throttling':
      return new ThrottlingException({
        message: 'Rate of requests exceeds the allowed throughput.',
        $metadata: metadata,
      });
    case 'throughput':
      return new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded.',
        $metadata: metadata,
      });
  }
}

/** Adds the injection to a client (the handlers' own module-level client, for handler tests). */
export function attachFaults(client: DynamoDBClient): FaultControl {
  const queued = new Map<string, InjectedFault[]>();
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const fault = queued.get(operation)?.shift();
      if (!fault) return next(args);
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      throw errorFor(fault, args.input as { TransactItems?: unknown[] });
    },
    { step: 'initialize', name: 'injectAwsOnlyFaults' },
  );
  return {
    inject: (operation, ...faults) => queued.set(operation, [...(queued.get(operation) ?? []), ...faults]),
    injected: (operation) => counts.get(operation) ?? 0,
    clear: () => queued.clear(),
  };
}

export function faultyClient(): FaultyClient {
  const client = new DynamoDBClient({ maxAttempts: 1 });
  return {
    ...attachFaults(client),
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
  };
}

/** Every item of the transaction gets `code` (DynamoDB gives each item a reason; `None` for the innocent ones). */
export const everyItem = (code: string) => (items: number) => Array.from({ length: items }, () => code);
/** The first item gets `code`, the others `None`. */
export const firstItem = (code: string) => (items: number) =>
  Array.from({ length: items }, (_, i) => (i === 0 ? code : 'None'));
