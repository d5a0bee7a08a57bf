/**
 * Shared by the local-runtime integration tests: the fixture app (test/fixtures/local-app) synthesized once
 * per content of its sources into a cache directory, a runtime started on it, and a deadline-based wait.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LogLine } from '../../../local/logs';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../../local/runtime';

export const PROJECT_DIR = resolve(__dirname, '../../..');
const FIXTURE_DIR = join(PROJECT_DIR, 'test/fixtures/local-app');

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  walk(FIXTURE_DIR);
  for (const file of ['cdk.json', 'package-lock.json']) hash.update(readFileSync(join(PROJECT_DIR, file)));
  return hash.digest('hex').slice(0, 16);
}

/** The fixture's cloud assembly, synthesized on first use (a lock keeps parallel test files from racing). */
export function fixtureAssembly(): string {
  const out = join(tmpdir(), `local-fixture-cdk-out-${sourceHash()}`);
  if (existsSync(join(out, 'manifest.json'))) return out;
  const lock = `${out}.lock`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(join(out, 'manifest.json'))) return out;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      const lockAge = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (lockAge > 300_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    const staging = `${out}.staging`;
    rmSync(staging, { recursive: true, force: true });
    const result = spawnSync(
      join(PROJECT_DIR, 'node_modules/.bin/cdk'),
      ['synth', '--quiet', '--no-notices', '--app', 'npx tsx test/fixtures/local-app/app.ts', '--output', staging],
      { cwd: PROJECT_DIR, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' } },
    );
    if (result.status !== 0) throw new Error(`fixture synth failed:\n${result.stdout}\n${result.stderr}`);
    renameSync(staging, out);
    return out;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface FixtureRuntime {
  readonly runtime: LocalRuntime;
  /** Every log line the runtime produced (function logs and runtime notices). */
  readonly logs: LogLine[];
}

export async function startFixtureRuntime(options: LocalRuntimeOptions = {}): Promise<FixtureRuntime> {
  const logs: LogLine[] = [];
  const runtime = await startLocalRuntime({
    cdkOut: fixtureAssembly(),
    projectDir: PROJECT_DIR,
    synth: 'never',
    port: 0,
    logs: (line) => logs.push(line),
    ...options,
  });
  return { runtime, logs };
}

/** Polls `probe` until it returns a value that is not undefined, null or false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Credentials and region for SDK clients pointed at the runtime. */
export const CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;
