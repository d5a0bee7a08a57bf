/**
 * Makes sure `cdk.out` holds a cloud assembly of the current sources: synthesizes with the project's own
 * CDK CLI (offline; NodejsFunction bundles with the local esbuild) or reuses an assembly that is newer than
 * every file in bin/, lib/, functions/, cdk.json and package-lock.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type SynthMode = 'auto' | 'always' | 'never';

export interface SynthOptions {
  readonly projectDir: string;
  readonly cdkOut: string;
  readonly mode: SynthMode;
  /** Overrides the `app` of cdk.json (e.g. a test fixture app). */
  readonly app?: string;
}

export interface SynthResult {
  readonly synthesized: boolean;
  readonly durationMs: number;
  readonly reason: string;
}

export class SynthError extends Error {
  override name = 'SynthError';
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

const WATCHED_DIRS = ['bin', 'lib', 'functions'];
const WATCHED_FILES = ['cdk.json', 'package-lock.json'];

/** The newest modification time (ms) among the sources a synth depends on, with the file that has it. */
export function newestSource(projectDir: string): { mtimeMs: number; file: string | undefined } {
  let newest = { mtimeMs: 0, file: undefined as string | undefined };
  const consider = (file: string) => {
    const mtimeMs = statSync(file).mtimeMs;
    if (mtimeMs > newest.mtimeMs) newest = { mtimeMs, file };
  };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else consider(path);
    }
  };
  for (const dir of WATCHED_DIRS) if (existsSync(join(projectDir, dir))) walk(join(projectDir, dir));
  for (const file of WATCHED_FILES) if (existsSync(join(projectDir, file))) consider(join(projectDir, file));
  return newest;
}

function decide(options: SynthOptions): { synth: boolean; reason: string } {
  const manifest = join(options.cdkOut, 'manifest.json');
  if (options.mode === 'always') return { synth: true, reason: '--synth always' };
  if (!existsSync(manifest)) {
    if (options.mode === 'never')
      throw new SynthError(`--synth never, but ${options.cdkOut} holds no cloud assembly`, '');
    return { synth: true, reason: `${options.cdkOut} has no cloud assembly` };
  }
  if (options.mode === 'never') return { synth: false, reason: '--synth never' };
  const newest = newestSource(options.projectDir);
  if (newest.mtimeMs > statSync(manifest).mtimeMs)
    return { synth: true, reason: `${newest.file} changed since the last synth` };
  return { synth: false, reason: 'cdk.out is newer than the sources' };
}

export async function ensureCloudAssembly(options: SynthOptions): Promise<SynthResult> {
  const started = performance.now();
  const { synth, reason } = decide(options);
  if (!synth) return { synthesized: false, durationMs: 0, reason };
  const localCli = join(options.projectDir, 'node_modules', '.bin', 'cdk');
  const command = existsSync(localCli) ? localCli : 'npx';
  const args = [
    ...(command === 'npx' ? ['cdk'] : []),
    'synth',
    '--quiet',
    '--no-notices',
    '--output',
    options.cdkOut,
    ...(options.app ? ['--app', options.app] : []),
  ];
  await new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.projectDir,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on('error', (error) =>
      reject(new SynthError(`Could not run the CDK CLI (${command}): ${error.message}`, text)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(text);
      else reject(new SynthError(`cdk synth failed with exit code ${code}`, text));
    });
  });
  return { synthesized: true, durationMs: performance.now() - started, reason };
}
