/**
 * Builds event envelopes from the catalog. Pure: ids and time are passed in, so domain code and tests decide them.
 * The data is validated against the definition's schema here (producer side) and again by every consumer.
 */
import type { z } from 'zod';
import type { EventDefinition, EventOf } from './catalog';

export interface EventContext {
  readonly correlationId: string;
  readonly causationId: string | null;
}

export interface NewEventInput<TDef extends EventDefinition> {
  readonly id: string;
  readonly time: string;
  readonly subject: string;
  readonly sequence: number;
  readonly data: z.input<TDef['data']>;
}

export function newEvent<TDef extends EventDefinition>(
  def: TDef,
  input: NewEventInput<TDef>,
  context: EventContext,
): EventOf<TDef> {
  return {
    id: input.id,
    source: def.source,
    type: def.type,
    time: input.time,
    subject: input.subject,
    sequence: input.sequence,
    correlationId: context.correlationId,
    causationId: context.causationId,
    dataVersion: def.version,
    data: def.data.parse(input.data),
  } as EventOf<TDef>;
}
