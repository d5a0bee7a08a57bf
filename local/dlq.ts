/**
 * Dead letters: every queue the template uses as a DLQ or on-failure destination, listed with its messages,
 * and redriven by what the message is — a Lambda destination record (invoked again asynchronously), an
 * EventBridge dead letter (delivered to its rule target again), a stream on-failure record (the records are
 * read again from the stream and the function invoked). A message is removed only when its redrive worked.
 */
import { functionNameFrom } from './arn';
import type { AwsEvent, EventBridgeEngine } from './eventbridge/engine';
import type { LambdaHost } from './lambda/host';
import type { LocalQueue, QueueStore, StoredMessage } from './sqs/queue-store';
import type { LocalModel } from './template/model';

export interface StreamRedriver {
  readonly streamArn: string;
  readonly functionName: string;
  redrive(info: { shardId: string; startSequenceNumber: string; endSequenceNumber: string }): Promise<void>;
}

export interface RedriveReport {
  readonly queue: string;
  readonly redriven: string[];
  readonly failed: { messageId: string; error: string }[];
  readonly skipped: { messageId: string; reason: string }[];
}

/** Queue ARN → what uses it as a dead-letter queue or failure destination. */
export function deadLetterUsage(model: LocalModel): Map<string, string[]> {
  const usage = new Map<string, string[]>();
  const add = (arn: string | undefined, what: string) => {
    if (!arn?.includes(':sqs:')) return;
    usage.set(arn, [...(usage.get(arn) ?? []), what]);
  };
  for (const rule of model.rules)
    for (const t of rule.targets) add(t.deadLetterArn, `DLQ of rule ${rule.name} target ${t.id}`);
  for (const c of model.eventInvokeConfigs) add(c.onFailureArn, `on-failure destination of ${c.functionName}`);
  for (const f of model.functions) add(f.deadLetterArn, `dead-letter queue of ${f.name}`);
  for (const m of model.eventSourceMappings)
    add(m.onFailureArn, `on-failure destination of ${m.functionName} (${m.kind} mapping)`);
  for (const q of model.queues) add(q.redrive?.deadLetterTargetArn, `dead-letter queue of queue ${q.name}`);
  return usage;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class DeadLetters {
  constructor(
    private readonly queues: QueueStore,
    private readonly usage: Map<string, string[]>,
    private readonly lambda: LambdaHost,
    private readonly events: EventBridgeEngine,
    private readonly streams: readonly StreamRedriver[],
  ) {}

  list(): {
    queue: string;
    arn: string;
    url: string;
    usedBy: string[];
    messages: {
      messageId: string;
      body: unknown;
      attributes: Record<string, string>;
      sentAt: string;
      receiveCount: number;
    }[];
  }[] {
    return this.dlqs().map((queue) => ({
      queue: queue.def.name,
      arn: queue.def.arn,
      url: queue.def.url,
      usedBy: this.usage.get(queue.def.arn) ?? [],
      messages: queue.messages.map((m) => ({
        messageId: m.messageId,
        body: parse(m.body),
        attributes: Object.fromEntries(
          Object.entries(m.messageAttributes).map(([k, v]) => [k, v.StringValue ?? v.BinaryValue ?? '']),
        ),
        sentAt: new Date(m.sentAt).toISOString(),
        receiveCount: m.receiveCount,
      })),
    }));
  }

  private dlqs(): LocalQueue[] {
    return this.queues.all().filter((q) => this.usage.has(q.def.arn));
  }

  async redrive(queueName: string): Promise<RedriveReport | undefined> {
    const queue = this.queues.find(queueName);
    if (!queue) return undefined;
    const report: RedriveReport = { queue: queue.def.name, redriven: [], failed: [], skipped: [] };
    for (const message of [...queue.messages]) {
      try {
        const handled = await this.redriveOne(message);
        if (handled === 'skipped') {
          report.skipped.push({
            messageId: message.messageId,
            reason: 'not a Lambda destination record, EventBridge dead letter or stream on-failure record',
          });
          continue;
        }
        this.queues.removeById(queue, message.messageId);
        report.redriven.push(message.messageId);
      } catch (error) {
        report.failed.push({ messageId: message.messageId, error: (error as Error).message ?? String(error) });
      }
    }
    return report;
  }

  private async redriveOne(message: StoredMessage): Promise<'done' | 'skipped'> {
    const body = parse(message.body) as Record<string, unknown> | string;
    const ruleArn = message.messageAttributes.RULE_ARN?.StringValue;
    const targetArn = message.messageAttributes.TARGET_ARN?.StringValue;
    if (ruleArn && targetArn && typeof body === 'object' && body) {
      await this.events.redeliver(ruleArn, targetArn, body as AwsEvent);
      return 'done';
    }
    if (typeof body !== 'object' || body === null) return 'skipped';
    const context = body.requestContext as { functionArn?: string; condition?: string } | undefined;
    const batch = body.DDBStreamBatchInfo as
      | { shardId: string; startSequenceNumber: string; endSequenceNumber: string; streamArn: string }
      | undefined;
    if (batch && context?.functionArn) {
      const functionName = functionNameFrom(context.functionArn);
      const mapping = this.streams.find((s) => s.streamArn === batch.streamArn && s.functionName === functionName);
      if (!mapping) throw new Error(`no stream mapping of ${functionName} on ${batch.streamArn}`);
      await mapping.redrive(batch);
      return 'done';
    }
    if (context?.functionArn && context.condition && 'requestPayload' in body) {
      const result = await this.lambda.redriveAsync(context.functionArn, JSON.stringify(body.requestPayload));
      if (!result.ok) throw new Error(`${result.error?.errorType}: ${result.error?.errorMessage}`);
      return 'done';
    }
    return 'skipped';
  }
}
