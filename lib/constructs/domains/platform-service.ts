/**
 * Platform: the outbox relay (DynamoDB stream -> EventBridge). Its event source mapping takes only outbox inserts,
 * reports partial batch failures, bisects failing batches, retries a bounded number of times and sends what still
 * fails to its dead-letter queue; poison records are parked there by the relay itself.
 */
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_STREAM_FILTER } from '../../../functions/shared/ddb/outbox';
import { AppFunction } from '../app-function';

export interface PlatformServiceProps {
  readonly table: ITable;
  readonly bus: IEventBus;
  readonly relayDeadLetterQueue: IQueue;
}

/** Settings of the relay's stream mapping (exported for the infra tests and the README). */
export const RELAY_MAPPING = {
  batchSize: 100,
  maxBatchingWindow: Duration.millis(0),
  retryAttempts: 10,
  maxRecordAge: Duration.hours(24),
  parallelizationFactor: 4,
} as const;

export class PlatformService extends Construct {
  readonly outboxRelay: AppFunction;

  constructor(scope: Construct, id: string, props: PlatformServiceProps) {
    super(scope, id);
    this.outboxRelay = new AppFunction(this, 'OutboxRelay', {
      entry: 'platform/handlers/outbox-relay.ts',
      domain: 'platform',
      description: 'Publishes outbox items from the table stream to the event bus',
      timeout: Duration.seconds(30),
    })
      .bindEventBus(props.bus)
      .bindDeadLetterQueue(props.relayDeadLetterQueue);
    // The relay reads records from the stream only; it needs no table data access (the mapping grants stream reads).
    this.outboxRelay.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: RELAY_MAPPING.batchSize,
        maxBatchingWindow: RELAY_MAPPING.maxBatchingWindow,
        bisectBatchOnError: true,
        retryAttempts: RELAY_MAPPING.retryAttempts,
        maxRecordAge: RELAY_MAPPING.maxRecordAge,
        parallelizationFactor: RELAY_MAPPING.parallelizationFactor,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(props.relayDeadLetterQueue),
        filters: [FilterCriteria.filter(OUTBOX_STREAM_FILTER)],
      }),
    );
  }
}
