/**
 * An event source mapping on a local SQS queue: long-polls it, invokes the function with the SQS batch event,
 * deletes what succeeded (all, or all but the reported `batchItemFailures`), and leaves failures to become
 * visible again, so the queue's redrive policy moves poison messages to its dead-letter queue.
 */
import { compileEventPattern } from '../eventbridge/pattern';
import type { InvocationResult, InvokeOptions } from '../lambda/host';
import type { Metrics } from '../metrics';
import type { EventSourceMappingDef } from '../template/model';
import type { LocalQueue, QueueStore, StoredMessage } from './queue-store';

export interface QueueMappingDeps {
  readonly def: EventSourceMappingDef;
  readonly queue: LocalQueue;
  readonly queues: QueueStore;
  readonly region: string;
  readonly invoke: (functionName: string, eventJson: string, options: InvokeOptions) => Promise<InvocationResult>;
  readonly metrics: Metrics;
  readonly concurrency: number;
}

export class QueueMapping {
  private stopped = false;
  private loops: Promise<void>[] = [];
  private readonly matchers: ((record: unknown) => boolean)[];

  constructor(private readonly deps: QueueMappingDeps) {
    this.matchers = deps.def.filters.map((f) => compileEventPattern(f));
  }

  start(): void {
    this.loops = Array.from({ length: Math.max(1, this.deps.concurrency) }, () => this.poll());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.queue.notify();
    await Promise.allSettled(this.loops);
  }

  private record(m: StoredMessage): Record<string, unknown> {
    return {
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'AIDALOCAL000000000000',
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
        ...(m.groupId ? { MessageGroupId: m.groupId } : {}),
        ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.messageAttributes).map(([k, v]) => [
          k,
          {
            stringValue: v.StringValue,
            binaryValue: v.BinaryValue,
            stringListValues: [],
            binaryListValues: [],
            dataType: v.DataType,
          },
        ]),
      ),
      md5OfBody: m.md5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: this.deps.queue.def.arn,
      awsRegion: this.deps.region,
    };
  }

  private matches(record: Record<string, unknown>): boolean {
    if (!this.matchers.length) return true;
    let body: unknown = record.body;
    try {
      body = JSON.parse(String(record.body));
    } catch {
      // a plain-text body is matched as a string
    }
    const candidate = { ...record, body };
    return this.matchers.some((match) => match(candidate));
  }

  private async poll(): Promise<void> {
    const { def, queue, queues } = this.deps;
    while (!this.stopped) {
      const messages = await queues.receive(queue, Math.min(def.batchSize, 10_000), undefined, 1_000);
      if (this.stopped || messages.length === 0) continue;
      const records: Record<string, unknown>[] = [];
      for (const m of messages) {
        const record = this.record(m);
        if (this.matches(record)) records.push(record);
        else if (m.receiptHandle) queues.delete(queue, m.receiptHandle);
      }
      if (!records.length) continue;
      const result = await this.deps.invoke(def.functionName, JSON.stringify({ Records: records }), { trigger: 'sqs' });
      if (this.stopped) return;
      if (!result.ok) continue;
      let failed = new Set<string>();
      if (def.reportBatchItemFailures) {
        try {
          const response = JSON.parse(result.payload) as { batchItemFailures?: { itemIdentifier?: string }[] } | null;
          failed = new Set((response?.batchItemFailures ?? []).map((f) => String(f?.itemIdentifier)));
        } catch {
          continue;
        }
      }
      for (const record of records) {
        if (!failed.has(String(record.messageId)) && typeof record.receiptHandle === 'string')
          queues.delete(queue, record.receiptHandle);
      }
    }
  }
}
