/**
 * The `npm start` CLI as a user runs it: start-up output, health, a clean stop on SIGINT with no DynamoDB Local
 * left behind, and clear failures (with their exit codes) for a port in use and a failing synth.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../local/dynamodb-local';
import { fixtureAssembly, PROJECT_DIR, waitFor } from './fixture';

const TSX = join(PROJECT_DIR, 'node_modules/tsx/dist/cli.mjs');

function startCli(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [TSX, 'local/main.ts', ...args], {
    cwd: PROJECT_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => {
    text += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('answers 503 while starting, reports what it started, and stops cleanly on SIGINT without leaving DynamoDB Local behind', async () => {
  const port = await freePort();
  const cli = startCli([
    '--cdk-out',
    fixtureAssembly(),
    '--synth',
    'never',
    '--port',
    String(port),
    '--logs',
    'silent',
  ]);
  try {
    // The API port is bound first: health answers 503 until everything is ready.
    const starting = await waitFor(
      () => fetch(`http://127.0.0.1:${port}/_local/health`).then((r) => r.status),
      'the API port to answer',
      60_000,
    );
    expect(starting).toBe(503);
    const ready = await waitFor(
      () => /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(cli.output()),
      'the start-up output',
      60_000,
    );
    const output = cli.output();
    expect(output).toMatch(/Local runtime ready in \d+\.\d s \(synth skipped: --synth never\)/);
    expect(output).toMatch(
      /6 functions, 7 routes, 4 rules, 2 state machines, 1 tables, 7 queues, 2 buses, 2 event source mappings/,
    );
    const pid = Number(/pid (\d+)/.exec(output)?.[1]);
    expect(alive(pid)).toBe(true);
    const health = await fetch(`${ready[1]}/_local/health`);
    expect(health.status).toBe(200);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/Stopped\./);
    await waitFor(() => !alive(pid), 'DynamoDB Local to exit', 5_000);
  } finally {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
  }
}, 90_000);

it('exits with code 3 and a clear message when the port is taken', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  const port = (blocker.address() as { port: number }).port;
  try {
    const cli = startCli(['--cdk-out', fixtureAssembly(), '--synth', 'never', '--port', String(port)]);
    expect(await cli.exited).toBe(3);
    expect(cli.output()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
  } finally {
    blocker.close();
  }
}, 60_000);

it('exits with code 4 and shows the synth error when the app fails', async () => {
  const out = mkdtempSync(join(tmpdir(), 'local-synth-fail-'));
  try {
    const cli = startCli([
      '--cdk-out',
      out,
      '--synth',
      'always',
      '--app',
      'node -e "console.error(\'boom from the app\'); process.exit(3)"',
    ]);
    expect(await cli.exited).toBe(4);
    expect(cli.output()).toContain('cdk synth failed');
    expect(cli.output()).toContain('boom from the app');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000);

it('exits with code 2 and says how to install Java when Java 17 is missing', async () => {
  const emptyPath = mkdtempSync(join(tmpdir(), 'no-java-'));
  try {
    const child = spawn(
      process.execPath,
      [TSX, 'local/main.ts', '--cdk-out', fixtureAssembly(), '--synth', 'never', '--port', '0'],
      {
        cwd: PROJECT_DIR,
        env: { ...process.env, PATH: emptyPath },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let text = '';
    child.stdout.on('data', (c: Buffer) => {
      text += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      text += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(text).toContain('DynamoDB Local needs Java 17 or newer');
  } finally {
    rmSync(emptyPath, { recursive: true, force: true });
  }
}, 60_000);
