/**
 * zod -> JSON Schema for the contract documents. The documents are generated from the very schemas the handlers and
 * consumers validate with; this module only decides which of them become named components (so a shared schema such
 * as a sku is written once and referenced), and folds the long ISO timestamp pattern zod emits into one component.
 */
import * as z from 'zod';

export type JsonSchema = { [key: string]: unknown };

export type JsonSchemaTarget = 'draft-2020-12' | 'draft-07';

export interface ConvertOptions {
  readonly target: JsonSchemaTarget;
  /** Requests are documented as the input a client may send (defaults optional), responses as the output. */
  readonly io: 'input' | 'output';
  /** Where components live, e.g. `#/components/schemas/`. */
  readonly refBase: string;
}

/** Name of the component every `z.iso.datetime()` (default options) is written as. */
export const TIMESTAMP_COMPONENT = 'Timestamp';

/**
 * Assigns component names to zod schemas by identity: the first name given to a schema object sticks, so a schema
 * used by several routes or events is one component. Two different schemas asking for the same name is a bug in the
 * caller's naming, reported with both uses.
 */
export class SchemaNames {
  private readonly byName = new Map<string, z.ZodType>();
  private readonly bySchema = new Map<z.ZodType, string>();

  name(schema: z.ZodType, preferred: string): string {
    const existing = this.bySchema.get(schema);
    if (existing !== undefined) return existing;
    const taken = this.byName.get(preferred);
    if (taken !== undefined && taken !== schema) {
      throw new Error(`Component name '${preferred}' is already used by another schema; give one of them another name`);
    }
    this.byName.set(preferred, schema);
    this.bySchema.set(schema, preferred);
    return preferred;
  }

  nameOf(schema: z.ZodType): string {
    const name = this.bySchema.get(schema);
    if (name === undefined) throw new Error('Schema has no component name; name it before converting');
    return name;
  }

  entries(): [string, z.ZodType][] {
    return [...this.byName.entries()];
  }
}

/** The JSON Schema zod writes for `z.iso.datetime()`: `format: date-time` plus a pattern (UTC `Z` only). */
export function timestampSchema(target: JsonSchemaTarget): JsonSchema {
  return stripRoot(z.toJSONSchema(z.iso.datetime(), { target }) as JsonSchema);
}

/**
 * Converts the named schemas, each referencing the others by `$ref` (`refBase` + name). A timestamp with exactly
 * zod's default datetime schema is replaced by a `$ref` to TIMESTAMP_COMPONENT (same pattern, so nothing is lost).
 * Descriptions set with `.describe()`/`.meta()` in zod's global registry are kept.
 */
export function convertNamed(names: SchemaNames, options: ConvertOptions): Map<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of names.entries()) registry.add(schema, { id: name });
  const timestamp = timestampSchema(options.target);
  const converted = z.toJSONSchema(registry, {
    target: options.target,
    io: options.io,
    unrepresentable: 'throw',
    uri: (id) => `${options.refBase}${id}`,
    override: ({ zodSchema, jsonSchema }) => {
      const schema = jsonSchema as JsonSchema;
      copyGlobalDescription(zodSchema, schema);
      const timestampRef = `${options.refBase}${TIMESTAMP_COMPONENT}`;
      if (isSameTimestamp(schema, timestamp, timestampRef)) foldIntoRef(schema, timestampRef);
    },
  });
  const out = new Map<string, JsonSchema>();
  for (const [name, schema] of Object.entries(converted.schemas)) out.set(name, stripRoot(schema as JsonSchema));
  return out;
}

/** Registry conversion writes `$id`/`$schema` on each root; inside a document they would change how refs resolve. */
function stripRoot(schema: JsonSchema): JsonSchema {
  const { $id: _id, $schema: _schema, ...rest } = schema;
  return rest;
}

function copyGlobalDescription(zodSchema: unknown, schema: JsonSchema): void {
  const meta = z.globalRegistry.get(zodSchema as z.ZodType);
  if (meta?.description !== undefined && schema.description === undefined) schema.description = meta.description;
}

/**
 * True for zod's default datetime schema, also when zod wrote a described copy of a shared one as the copy's keys
 * plus `allOf: [{ $ref }]` to the original (which this override has already folded into the timestamp ref).
 */
function isSameTimestamp(schema: JsonSchema, timestamp: JsonSchema, timestampRef: string): boolean {
  const refsTimestamp = (value: unknown) =>
    Array.isArray(value) && value.length === 1 && (value[0] as JsonSchema | undefined)?.$ref === timestampRef;
  return (
    schema.format === timestamp.format &&
    schema.pattern === timestamp.pattern &&
    Object.entries(schema).every(
      ([key, value]) => key in timestamp || key === 'description' || (key === 'allOf' && refsTimestamp(value)),
    )
  );
}

function foldIntoRef(schema: JsonSchema, ref: string): void {
  const description = schema.description;
  for (const key of Object.keys(schema)) Reflect.deleteProperty(schema, key);
  schema.$ref = ref;
  if (description !== undefined) schema.description = description;
}
