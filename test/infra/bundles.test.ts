/**
 * Bundle-size budget: every function, bundled exactly as the CDK bundles it (lib/constructs/app-function.ts
 * BUNDLING), stays under 300 KB minified, so a heavy import cannot slip in unnoticed.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLING, FUNCTIONS_DIR } from '../../lib/constructs/app-function';

const BUNDLE_BUDGET_BYTES = 300 * 1024;

function handlerFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return handlerFiles(path);
    return path.includes('/handlers/') && name.endsWith('.ts') ? [path] : [];
  });
}

const handlers = handlerFiles(FUNCTIONS_DIR).map((path) => relative(FUNCTIONS_DIR, path));

it('finds every handler', () => {
  expect(handlers.length).toBeGreaterThanOrEqual(20);
});

it.each(handlers)('%s bundles under the 300 KB budget', (handler) => {
  const result = buildSync({
    entryPoints: [join(FUNCTIONS_DIR, handler)],
    bundle: true,
    platform: 'node',
    write: false,
    minify: BUNDLING.minify,
    target: BUNDLING.target,
    format: 'cjs',
    mainFields: BUNDLING.mainFields,
    external: BUNDLING.externalModules,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0]?.contents.byteLength ?? 0;
  expect(bytes).toBeGreaterThan(1000);
  expect(bytes).toBeLessThan(BUNDLE_BUDGET_BYTES);
});
