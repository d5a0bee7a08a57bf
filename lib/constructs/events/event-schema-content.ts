/**
 * What one catalog event looks like on the bus, as JSON Schema: the envelope with that event's `data` (exactly what
 * `parseEvent` accepts), and the whole EventBridge event around it for the EventBridge schema registry. Pure (no CDK
 * import), so the AsyncAPI generator (scripts/contracts/asyncapi.ts) derives its payloads from the same function.
 */
import * as z from 'zod';
import type { EventDefinition } from '../../../functions/shared/events/catalog';
import { envelopeSchema } from '../../../functions/shared/events/envelope';

/** What each envelope field means: the descriptions in functions/shared/events/envelope.ts. */
export const ENVELOPE_FIELD_TEXT = Object.fromEntries(
  Object.entries(envelopeSchema.shape).map(([name, schema]) => [name, schema.description ?? name]),
) as Readonly<Record<keyof typeof envelopeSchema.shape, string>>;

/** The envelope of one event type and version: the checks `parseEvent` makes, with every field described. */
export function eventEnvelopeOf(def: EventDefinition): z.ZodObject {
  const { shape } = envelopeSchema;
  const text = ENVELOPE_FIELD_TEXT;
  return z.object({
    id: shape.id.describe(text.id),
    source: z.literal(def.source).describe(text.source),
    type: z.literal(def.type).describe(text.type),
    time: shape.time.describe(text.time),
    subject: shape.subject.describe(text.subject),
    sequence: shape.sequence.describe(text.sequence),
    correlationId: shape.correlationId.describe(text.correlationId),
    causationId: shape.causationId.describe(text.causationId),
    dataVersion: z.literal(def.version).describe(text.dataVersion),
    data: def.data.describe(`${text.data} ${def.description}`),
  });
}

/**
 * Registry schema names follow EventBridge's discovered schemas (`<source>@<detail-type>`) plus the data version,
 * because two versions of one type can be on the bus at once: `commerce.orders@OrderPlaced-v1`.
 */
export const eventSchemaName = (def: EventDefinition): string => `${def.source}@${def.type}-v${def.version}`;

/** The name of the envelope's component in the registry document (also the class name of generated code bindings). */
export const detailComponentName = (def: EventDefinition): string => `${def.type}V${def.version}`;

/** The attributes EventBridge puts around every `detail`, as it delivers the event to a target. */
const EVENTBRIDGE_ATTRIBUTES = ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources'];

/**
 * The whole EventBridge event of one catalog event as an OpenAPI 3.0 document, the shape EventBridge itself uses for
 * discovered and AWS schemas (`components.schemas.AWSEvent` with `x-amazon-events-source`/`-detail-type`), so the
 * console and code bindings treat ours like theirs. OpenAPI 3.0 rather than JSON Schema draft 4 because zod writes
 * it faithfully (`nullable`, boolean `exclusiveMinimum`), and the document can be validated as OpenAPI.
 */
export function eventBridgeSchemaOf(def: EventDefinition): Record<string, unknown> {
  const detail = detailComponentName(def);
  const { $schema: _dialect, ...envelope } = z.toJSONSchema(eventEnvelopeOf(def), {
    target: 'openapi-3.0',
    // What consumers accept (parseEvent ignores unknown keys), not zod's output, which closes every object.
    io: 'input',
    unrepresentable: 'throw',
  }) as Record<string, unknown>;
  return {
    openapi: '3.0.0',
    info: { version: `${def.version}.0.0`, title: def.type, description: def.description },
    paths: {},
    components: {
      schemas: {
        AWSEvent: {
          type: 'object',
          required: [...EVENTBRIDGE_ATTRIBUTES, 'detail'],
          'x-amazon-events-detail-type': def.type,
          'x-amazon-events-source': def.source,
          properties: {
            version: { type: 'string' },
            id: {
              type: 'string',
              description: "EventBridge's id of this delivery (the envelope has the event's own).",
            },
            'detail-type': { type: 'string', enum: [def.type] },
            source: { type: 'string', enum: [def.source] },
            account: { type: 'string' },
            time: { type: 'string', format: 'date-time' },
            region: { type: 'string' },
            resources: { type: 'array', items: { type: 'string' } },
            detail: { $ref: `#/components/schemas/${detail}` },
          },
        },
        [detail]: envelope,
      },
    },
  };
}
