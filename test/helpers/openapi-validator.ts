/**
 * Validates OpenAPI documents (2.0, 3.0, 3.1) with @seriousme/openapi-schema-validator. The package is ESM only and
 * reads its own files through `import.meta.url`, which jest's CommonJS runtime cannot load on Node 20, so it runs in
 * a child Node process: all documents in, one result per document out.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface OpenApiValidation {
  readonly valid: boolean;
  readonly errors?: unknown;
}

const SCRIPT = `
import { Validator } from '@seriousme/openapi-schema-validator';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const document of JSON.parse(input)) results.push(await new Validator().validate(document));
process.stdout.write(JSON.stringify(results));
`;

export function validateOpenApi(documents: readonly object[]): OpenApiValidation[] {
  const output = execFileSync(process.execPath, ['--input-type=module', '--eval', SCRIPT], {
    cwd: join(__dirname, '..', '..'),
    input: JSON.stringify(documents),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output) as OpenApiValidation[];
}
