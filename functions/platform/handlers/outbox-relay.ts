/**
 * Outbox relay: DynamoDB stream (filtered to outbox inserts by the event source mapping) -> EventBridge bus.
 * Reports partial batch failures; the mapping bisects failing batches, retries a bounded number of times and sends
 * what still fails to its on-failure destination. Hand-batched (Powertools' batch processor handles records one by
 * one; PutEvents takes ten at a time).
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { OUTBOX_PAYLOAD_ATTRIBUTE } from '../../shared/ddb/outbox';
import { ENV, requireEnv } from '../../shared/runtime/config';
import { logger, METRIC, metrics } from '../../shared/runtime/powertools';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher';
import { SqsPoisonSink } from '../adapters/sqs-poison-sink';
import { type OutboxRecord, relay } from '../domain/relay';

const publisher = new EventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName));
const poisonSink = new SqsPoisonSink(new SQSClient({}), requireEnv(ENV.deadLetterQueueUrl));

export const handler = async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  logger.addContext(context);
  const records: OutboxRecord[] = event.Records.map((record) => ({
    id: record.dynamodb?.SequenceNumber ?? record.eventID ?? '',
    payload: record.dynamodb?.NewImage?.[OUTBOX_PAYLOAD_ATTRIBUTE]?.S,
  }));
  const report = await relay(records, publisher, poisonSink);
  metrics.addMetric(METRIC.eventsPublished, MetricUnit.Count, report.published);
  if (report.failed > 0) metrics.addMetric(METRIC.eventsFailed, MetricUnit.Count, report.failed);
  if (report.poison > 0) metrics.addMetric(METRIC.poisonRecords, MetricUnit.Count, report.poison);
  metrics.publishStoredMetrics();
  const log = report.failed > 0 || report.poison > 0 ? 'warn' : 'info';
  logger[log]('relay batch', {
    records: records.length,
    published: report.published,
    failed: report.failed,
    poison: report.poison,
  });
  return { batchItemFailures: report.failedRecordIds.map((itemIdentifier) => ({ itemIdentifier })) };
};
