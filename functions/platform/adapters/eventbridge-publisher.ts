import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher, PublishEntry, PublishResult } from '../domain/relay';

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(entries: readonly PublishEntry[]): Promise<PublishResult[]> {
    const response = await this.client.send(
      new PutEventsCommand({
        Entries: entries.map((entry) => ({
          EventBusName: this.eventBusName,
          Source: entry.envelope.source,
          DetailType: entry.envelope.type,
          Detail: entry.detail,
          Time: new Date(entry.envelope.time),
        })),
      }),
    );
    const results = response.Entries ?? [];
    // One result per entry, in order; an entry with an ErrorCode (or a missing result) did not reach the bus.
    return entries.map((_, i): PublishResult => {
      const result = results[i];
      if (result?.EventId && !result.ErrorCode) return { ok: true };
      return {
        ok: false,
        error: `${result?.ErrorCode ?? 'NoResult'}: ${result?.ErrorMessage ?? 'no result for this entry'}`,
      };
    });
  }
}
