/**
 * Validates values against schemas inside a generated contract document with ajv: the whole document is registered
 * under a name, so `$ref`s to its components resolve the way the document's readers resolve them.
 */
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';

export type Dialect = 'draft-2020-12' | 'draft-07';

export interface DocumentSchemas {
  /** Errors of `value` against `schema` (a schema found in the document), or [] when it is valid. */
  errors(schema: unknown, value: unknown): string[];
}

export function documentSchemas(document: object, dialect: Dialect): DocumentSchemas {
  // The document itself is not a schema: strict mode would reject its `openapi`/`paths` keys. Formats are not checked
  // (ajv needs a plugin for them); zod writes a pattern beside every format it emits, and the pattern is checked.
  const options = { strict: false, validateFormats: false, allErrors: true };
  const ajv = dialect === 'draft-2020-12' ? new Ajv2020(options) : new Ajv(options);
  const name = 'document.json';
  ajv.addSchema(document, name);
  return {
    errors(schema, value) {
      const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', `"$ref":"${name}#/`));
      const validate = ajv.compile(rebased);
      if (validate(value)) return [];
      return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}`);
    },
  };
}
