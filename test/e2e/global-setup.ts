/**
 * Starts the local runtime once for the whole e2e run (synthesizing the CDK app if cdk.out is stale) and hands its
 * address to the test workers. The tests drive only the public HTTP API (plus the runtime's /_local inspection).
 */
import { startLocalRuntime } from '../../local/runtime';

declare global {
  var __E2E_RUNTIME__: { stop(): Promise<void> } | undefined;
}

export default async function setup(): Promise<void> {
  const runtime = await startLocalRuntime({
    port: 0,
    synth: 'auto',
    logs: process.env.E2E_LOGS === 'console' ? 'console' : 'silent',
  });
  globalThis.__E2E_RUNTIME__ = runtime;
  process.env.E2E_API_URL = runtime.apiUrl;
}
