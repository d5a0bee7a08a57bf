/**
 * The EventBridge schema registry of the platform: one schema per event type and version of the catalog, generated
 * from its zod schema, so teams on AWS can browse the events and download code bindings from the console.
 */
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { EVENT_CATALOG, type EventDefinition } from '../../../functions/shared/events/catalog';
import { eventBridgeSchemaOf, eventSchemaName } from './event-schema-content';

export interface EventSchemasProps {
  /** The registry's name, e.g. `commerce-dev` (one registry per stage). */
  readonly registryName: string;
  /** @default every definition of EVENT_CATALOG */
  readonly events?: readonly EventDefinition[];
}

/** The registry API accepts descriptions of at most 256 characters. */
const MAX_DESCRIPTION = 256;
const describe = (text: string) => (text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`);

export class EventSchemas extends Construct {
  readonly registry: CfnRegistry;
  /** The schema of each event, by registry schema name (`commerce.orders@OrderPlaced-v1`). */
  readonly schemas: ReadonlyMap<string, CfnSchema>;

  constructor(scope: Construct, id: string, props: EventSchemasProps) {
    super(scope, id);
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: props.registryName,
      description: 'Events of the commerce platform, generated from functions/shared/events/catalog.ts',
    });
    const schemas = new Map<string, CfnSchema>();
    for (const def of props.events ?? EVENT_CATALOG) {
      const schemaName = eventSchemaName(def);
      // Construct id = type + version: renaming it would replace the schema (and drop its version history).
      const schema = new CfnSchema(this, `${def.type}V${def.version}`, {
        registryName: this.registry.attrRegistryName,
        schemaName,
        type: 'OpenApi3',
        description: describe(def.description),
        content: JSON.stringify(eventBridgeSchemaOf(def)),
      });
      schemas.set(schemaName, schema);
    }
    this.schemas = schemas;
  }
}
