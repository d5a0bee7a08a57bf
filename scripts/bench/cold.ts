/**
 * `npm run bench:cold`: only the bundle sizes and cold starts (the full `npm run bench` measures them too).
 * Writes bench-results/cold-latest.json and prints the table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalRuntime } from '../../local/runtime';
import { ApiClient } from './api-client';
import { measureColdStarts } from './cold-start';
import { FinalWatcher } from './final-watcher';
import { machineInfo } from './machine';
import { note } from './progress';
import { coldStartTable } from './report';

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { samples: { type: 'string', default: '7' } },
    strict: true,
  });
  const samples = Number(values.samples);
  if (!Number.isInteger(samples) || samples < 1)
    throw new Error(`--samples must be a positive integer (got ${values.samples})`);
  const watcher = new FinalWatcher();
  note('starting the local runtime ...');
  const runtime = await startLocalRuntime({ port: 0, logs: 'silent', onExecutionStatusChange: watcher.onStatusChange });
  try {
    const coldStarts = await measureColdStarts({ runtime, api: new ApiClient(runtime.apiUrl), watcher, samples });
    const dir = resolve('bench-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'cold-latest.json'),
      `${JSON.stringify({ at: new Date().toISOString(), machine: machineInfo(), samples, coldStarts }, null, 2)}\n`,
    );
    process.stdout.write(`\n${coldStartTable(coldStarts)}\n`);
  } finally {
    await runtime.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:cold failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
