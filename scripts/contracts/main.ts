/**
 * `npm run contracts`: writes the machine-readable contracts, docs/api/openapi.json (HTTP API) and
 * docs/api/asyncapi.json (events), from the route table and the event catalog. A unit test fails when they are stale.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ASYNCAPI_FILE, buildAsyncApi } from './asyncapi';
import { buildOpenApi, OPENAPI_FILE } from './openapi';
import { ROOT, writeContract } from './render';

/** Every generated contract: the file it is committed as and the function that builds it. */
export const CONTRACTS: readonly { readonly file: string; readonly build: () => Record<string, unknown> }[] = [
  { file: OPENAPI_FILE, build: buildOpenApi },
  { file: ASYNCAPI_FILE, build: buildAsyncApi },
];

if (require.main === module) {
  for (const { file, build } of CONTRACTS) {
    mkdirSync(dirname(join(ROOT, file)), { recursive: true });
    writeContract(file, build());
  }
}
