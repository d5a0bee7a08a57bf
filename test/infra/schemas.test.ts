/**
 * The EventBridge schema registry (stateful stack): one registry per stage and one schema per type and version of the
 * event catalog, whose content is a valid OpenAPI 3.0 document describing the whole EventBridge event, with a `detail`
 * that has exactly the envelope fields and the catalog's data fields.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as z from 'zod';
import { type AnyEventDefinition, EVENT_CATALOG } from '../../functions/shared/events/catalog';
import { envelopeSchema } from '../../functions/shared/events/envelope';
import {
  detailComponentName,
  eventEnvelopeOf,
  eventSchemaName,
} from '../../lib/constructs/events/event-schema-content';
import { validateOpenApi } from '../helpers/openapi-validator';
import { type Found, pointsTo, resourcesOf } from './cfn';
import { logicalIdOf, synthStage } from './synth';

interface SchemaProps {
  readonly RegistryName: unknown;
  readonly SchemaName: string;
  readonly Type: string;
  readonly Description?: string;
  readonly Content: string;
}
interface ObjectSchema {
  readonly type?: string;
  readonly properties?: Record<string, ObjectSchema & { readonly enum?: unknown[]; readonly $ref?: string }>;
  readonly required?: string[];
}
interface RegistryDocument {
  readonly openapi: string;
  readonly components: { readonly schemas: Record<string, ObjectSchema & Record<string, unknown>> };
}

const { stage, stacks, stateful, stateless } = synthStage('dev');
const registryId = logicalIdOf(stacks.stateful.eventSchemas.registry);
const schemas = resourcesOf<SchemaProps>(stateful, 'AWS::EventSchemas::Schema');
const FIXTURES = join(__dirname, '..', 'fixtures', 'events');

function schemaOf(def: AnyEventDefinition): Found<SchemaProps> {
  const matching = schemas.filter((schema) => schema.props.SchemaName === eventSchemaName(def));
  expect(matching).toHaveLength(1);
  return matching[0] as Found<SchemaProps>;
}

const contentOf = (def: AnyEventDefinition): RegistryDocument =>
  JSON.parse(schemaOf(def).props.Content) as RegistryDocument;

/** The keys a zod object requires (not optional on output). */
const requiredKeys = (schema: z.ZodType): string[] =>
  Object.entries((schema as unknown as z.ZodObject).shape)
    .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
    .map(([key]) => key);

test('one registry per stage, in the stateful stack only, named after the bus', () => {
  stateful.resourceCountIs('AWS::EventSchemas::Registry', 1);
  stateful.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: `commerce-${stage.name}` });
  stateless.resourceCountIs('AWS::EventSchemas::Registry', 0);
  stateless.resourceCountIs('AWS::EventSchemas::Schema', 0);
});

test('one schema per type and version of the catalog, and nothing else', () => {
  expect(schemas.map((schema) => schema.props.SchemaName).sort()).toEqual(EVENT_CATALOG.map(eventSchemaName).sort());
});

test('every schema content is a valid OpenAPI 3.0 document', () => {
  const results = validateOpenApi(EVENT_CATALOG.map(contentOf));
  expect(results.map((result, i) => ({ event: EVENT_CATALOG[i]?.type, ...result }))).toEqual(
    EVENT_CATALOG.map((def) => ({ event: def.type, valid: true })),
  );
});

describe.each(EVENT_CATALOG.map((def) => [eventSchemaName(def), def] as const))('%s', (_name, def) => {
  const { props } = schemaOf(def);
  const content = contentOf(def);
  const awsEvent = content.components.schemas.AWSEvent;
  const detail = content.components.schemas[detailComponentName(def)];

  test('is an OpenApi3 schema of the stage registry, described like the catalog', () => {
    expect(props.Type).toBe('OpenApi3');
    expect(pointsTo(props.RegistryName, registryId, 'RegistryName')).toBe(true);
    expect(def.description.startsWith((props.Description ?? '').replace(/…$/, ''))).toBe(true);
    expect((props.Description ?? '').length).toBeLessThanOrEqual(256);
  });

  test('describes the whole EventBridge event with its source and detail-type', () => {
    expect(awsEvent?.['x-amazon-events-source']).toBe(def.source);
    expect(awsEvent?.['x-amazon-events-detail-type']).toBe(def.type);
    expect(awsEvent?.properties?.source?.enum).toEqual([def.source]);
    expect(awsEvent?.properties?.['detail-type']?.enum).toEqual([def.type]);
    expect(awsEvent?.required).toEqual(expect.arrayContaining(['source', 'detail-type', 'detail']));
    expect(awsEvent?.properties?.detail?.$ref).toBe(`#/components/schemas/${detailComponentName(def)}`);
  });

  test('has a detail with the envelope fields and the catalog data fields', () => {
    expect(Object.keys(detail?.properties ?? {}).sort()).toEqual(Object.keys(envelopeSchema.shape).sort());
    expect(detail?.required?.sort()).toEqual(Object.keys(envelopeSchema.shape).sort());
    expect(detail?.properties?.type?.enum).toEqual([def.type]);
    expect(detail?.properties?.source?.enum).toEqual([def.source]);
    expect(detail?.properties?.dataVersion?.enum).toEqual([def.version]);
    const data = detail?.properties?.data;
    expect(Object.keys(data?.properties ?? {}).sort()).toEqual(
      Object.keys((def.data as unknown as z.ZodObject).shape).sort(),
    );
    expect((data?.required ?? []).sort()).toEqual(requiredKeys(def.data).sort());
  });

  test('its envelope accepts the versioned fixture, as parseEvent does', () => {
    const fixture = JSON.parse(readFileSync(join(FIXTURES, `${def.type}.v${def.version}.json`), 'utf8'));
    expect(eventEnvelopeOf(def).safeParse(fixture).success).toBe(true);
    expect(eventEnvelopeOf(def).safeParse({ ...fixture, dataVersion: def.version + 1 }).success).toBe(false);
  });
});
