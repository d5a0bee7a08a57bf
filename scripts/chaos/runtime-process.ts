/**
 * The local runtime as a child process (`node --import tsx local/main.ts`), so that a scenario can kill it with
 * SIGKILL in the middle of a burst and start it again on the same on-disk data, exactly as a crash would. Every
 * scenario runs this way, so they all see the same runtime.
 *
 * The crash kills the runtime (the compute: functions, Step Functions, EventBridge deliveries, stream pollers) with
 * SIGKILL, and then stops DynamoDB Local (the database) cleanly before the restart. DynamoDB keeps what it
 * acknowledged, whatever happens to the compute; DynamoDB Local does not: measured here, it answers a
 * TransactWriteItems a few milliseconds before the write is on disk, and a SIGKILL in that window loses it (4 runs
 * out of 5 lost the last acknowledged transaction). Killing it too would test the emulator, not the platform.
 *
 * The child leads its own process group, so that a runner that dies can end everything it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface RuntimeHealth {
  readonly apiUrl: string;
  readonly servicesEndpoint: string;
  readonly dynamodbEndpoint: string;
}

export interface RuntimeProcessOptions {
  readonly projectDir: string;
  /** Where DynamoDB data, queues, checkpoints and executions live (kept across a restart). */
  readonly persistDir: string;
  readonly faultsFile?: string;
  /** Everything the child prints goes here (function logs included). */
  readonly logFile: string;
  /** @default 60 s */
  readonly readyTimeoutMs?: number;
}

/** A free loopback port (the runtime binds it right after; a race with another process is unlikely). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The runner's environment without what a test runner sets for itself (jest silences Powertools), so that
 * `npm run chaos` and the jest project run the same runtime, with its function logs in the scenario's log file.
 */
function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { TZ: 'UTC', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('POWERTOOLS_') && !name.startsWith('JEST_') && name !== 'NODE_ENV') env[name] ??= value;
  }
  return env;
}

const running = new Set<ChildProcess>();
// A runner that dies (Ctrl-C, a failed assertion) must not leave runtimes behind: end the groups it started.
process.once('exit', () => {
  for (const child of running) if (child.pid) killGroup(child.pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export class RuntimeProcess {
  private readonly lines: string[] = [];
  private readonly waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly log: WriteStream,
    readonly health: RuntimeHealth,
    private readonly javaPid: () => number | undefined,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get apiUrl(): string {
    return this.health.apiUrl;
  }

  /** Starts the runtime and resolves once `/_local/health` answers ok. */
  static async start(options: RuntimeProcessOptions): Promise<RuntimeProcess> {
    const port = await freePort();
    const args = ['--import', 'tsx', join(options.projectDir, 'local', 'main.ts')];
    args.push('--port', String(port), '--persist', options.persistDir, '--synth', 'never', '--logs', 'console');
    if (options.faultsFile) args.push('--faults', options.faultsFile);
    const log = createWriteStream(options.logFile, { flags: 'a' });
    log.write(`\n=== start ${new Date().toISOString()} port ${port}\n`);
    const child = spawn(process.execPath, args, {
      cwd: options.projectDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnvironment(),
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const apiUrl = `http://127.0.0.1:${port}`;
    const pending: string[] = [];
    let self: RuntimeProcess | undefined;
    let partial = '';
    let javaPid: number | undefined;
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const java = /DynamoDB Local \S+, pid (\d+)/.exec(line);
        if (java?.[1]) javaPid = Number(java[1]);
        if (!line.startsWith('faults:')) continue;
        if (self) self.onLine(line);
        else pending.push(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
    const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
    let exitCode: number | null | undefined;
    child.once('exit', (code) => {
      exitCode = code;
    });
    for (;;) {
      if (exitCode !== undefined)
        throw new Error(`the runtime exited with ${exitCode} before it was ready (log: ${options.logFile})`);
      if (Date.now() > deadline) {
        if (child.pid) killGroup(child.pid, 'SIGKILL');
        throw new Error(
          `the runtime was not ready within ${options.readyTimeoutMs ?? 60_000} ms (log: ${options.logFile})`,
        );
      }
      try {
        const response = await fetch(`${apiUrl}/_local/health`);
        if (response.ok) {
          const body = (await response.json()) as RuntimeHealth;
          self = new RuntimeProcess(child, log, body, () => javaPid);
          for (const line of pending.splice(0)) self.onLine(line);
          return self;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private onLine(line: string): void {
    this.lines.push(line);
    for (const waiter of this.waiters) {
      if (waiter.pattern.test(line)) {
        this.waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  }

  /** The `faults:` lines printed so far (poison copies made, reloads). */
  faultLines(): readonly string[] {
    return this.lines;
  }

  /** Waits for a `faults:` line matching the pattern (e.g. the reload of the fault file). */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { pattern, resolve };
      this.waiters.add(waiter);
      setTimeout(() => {
        if (this.waiters.delete(waiter)) reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs).unref();
    });
  }

  /**
   * A crash: SIGKILL to the runtime, nothing in it gets to clean up (workers, executions, deliveries, pollers,
   * queues and journals are cut where they are). Then DynamoDB Local, orphaned, is stopped cleanly (see above).
   */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
    this.log.write(`\n=== SIGKILL ${new Date().toISOString()}\n`);
    const javaPid = this.javaPid();
    if (javaPid === undefined) throw new Error('the pid of DynamoDB Local was not in the runtime output');
    try {
      process.kill(javaPid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    await this.waitUntilGone(javaPid, 20_000);
  }

  /** A clean stop (SIGTERM), then SIGKILL to the group if it takes too long. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.child.exitCode === null && this.child.pid) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.pid && killGroup(this.child.pid, 'SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
      // Whatever is left of the group (nothing, normally).
      if (this.child.pid) killGroup(this.child.pid, 'SIGKILL');
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  private async waitUntilGone(pid: number | undefined, timeoutMs: number): Promise<void> {
    if (pid === undefined) return;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    process.kill(pid, 'SIGKILL');
    throw new Error(`DynamoDB Local (pid ${pid}) did not stop within ${timeoutMs} ms of SIGTERM`);
  }
}
