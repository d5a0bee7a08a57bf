/**
 * One function's execution environments: a pool of worker threads, each with the function's own
 * environment variables and module state, each running one invocation at a time (as Lambda does).
 * The pool grows on demand up to its cap; a new worker is a cold start. Invocations beyond the cap wait.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { functionLogLine, LineSplitter, type LogSink } from '../logs';
import type { Metrics } from '../metrics';
import type { FunctionDef } from '../template/model';

export interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: string[];
}

export type InvokeOutcome =
  | { readonly ok: true; readonly payload: string; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly error: LambdaError;
      readonly durationMs: number;
      /** `handler`: the code threw; `timeout`: Timeout reached; `runtime`: init failed or the worker died. */
      readonly kind: 'handler' | 'timeout' | 'runtime';
    };

interface Pending {
  readonly id: string;
  readonly startedAt: number;
  readonly resolve: (outcome: InvokeOutcome) => void;
  timer?: NodeJS.Timeout;
}

interface WorkerSlot {
  readonly worker: Worker;
  readonly spawnedAt: number;
  loadMs: number;
  /** From creating the worker thread to the handler loaded. */
  startMs: number;
  invocations: number;
  pending: Pending | undefined;
  /** Resolves when the handler module is loaded (init done) or rejects with the init error. */
  readonly ready: Promise<void>;
  dead: boolean;
}

interface Waiter {
  resolve(slot: WorkerSlot): void;
  reject(error: LambdaError): void;
}

const BOOTSTRAP = join(__dirname, 'worker-bootstrap.cjs');

export interface FunctionPoolOptions {
  readonly maxWorkers: number;
  /** Environment of each worker: the function's variables plus the Lambda and endpoint variables. */
  readonly env: Readonly<Record<string, string>>;
  readonly log: LogSink;
  readonly metrics: Metrics;
}

export class FunctionPool {
  private readonly slots = new Set<WorkerSlot>();
  private readonly idle: WorkerSlot[] = [];
  private readonly waiters: Waiter[] = [];
  private stopped = false;
  private workerCount = 0;

  constructor(
    readonly def: FunctionDef,
    private readonly options: FunctionPoolOptions,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  stats(): { workers: number; busy: number; idle: number; waiting: number } {
    return {
      workers: this.slots.size,
      busy: this.slots.size - this.idle.length,
      idle: this.idle.length,
      waiting: this.waiters.length,
    };
  }

  /**
   * Runs one invocation. `eventJson` is the event as JSON text, the way Lambda receives it. When the handler returned
   * successfully, `exitAfter` may end the execution environment anyway (an injected crash after the commit): the
   * worker is ended and the invocation fails with `Runtime.ExitError`, as Lambda reports a runtime that died.
   */
  async invoke(
    eventJson: string,
    requestId: string,
    clientContext?: unknown,
    exitAfter?: () => Promise<boolean> | boolean,
  ): Promise<InvokeOutcome> {
    const queuedAt = performance.now();
    let slot: WorkerSlot;
    try {
      slot = await this.acquire();
    } catch (error) {
      return { ok: false, error: error as LambdaError, durationMs: performance.now() - queuedAt, kind: 'runtime' };
    }
    const firstInvocation = slot.invocations === 0;
    slot.invocations += 1;
    let outcome = await this.run(slot, eventJson, requestId, clientContext);
    if (outcome.ok && exitAfter && (await exitAfter())) {
      slot.dead = true;
      await slot.worker.terminate();
      const errorMessage = `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`;
      outcome = {
        ok: false,
        error: { errorType: 'Runtime.ExitError', errorMessage },
        durationMs: outcome.durationMs,
        kind: 'runtime',
      };
    }
    if (firstInvocation) {
      this.options.metrics.coldStart(this.def.name, {
        at: new Date().toISOString(),
        loadMs: Math.round(slot.loadMs * 100) / 100,
        startMs: Math.round(slot.startMs * 100) / 100,
        firstInvokeMs: Math.round(outcome.durationMs * 100) / 100,
      });
    }
    if (slot.dead) this.discard(slot);
    else this.release(slot);
    return outcome;
  }

  /** Terminates idle workers so that the next invocations are cold starts (benchmarks measure them). */
  async recycle(): Promise<void> {
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((slot) => this.kill(slot)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const waiter of this.waiters.splice(0)) {
      waiter.reject({ errorType: 'Runtime.Shutdown', errorMessage: 'The local runtime is shutting down' });
    }
    await Promise.all([...this.slots].map((slot) => this.kill(slot)));
  }

  private acquire(): Promise<WorkerSlot> {
    if (this.stopped) {
      return Promise.reject({ errorType: 'Runtime.Shutdown', errorMessage: 'The local runtime is shutting down' });
    }
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.slots.size < this.options.maxWorkers) return this.spawn();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(slot: WorkerSlot): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(slot);
    else this.idle.push(slot);
  }

  private discard(slot: WorkerSlot): void {
    this.slots.delete(slot);
    const index = this.idle.indexOf(slot);
    if (index >= 0) this.idle.splice(index, 1);
    // A waiter was counting on a worker being freed: give it a fresh one.
    const waiter = this.waiters.shift();
    if (waiter && !this.stopped) this.spawn().then(waiter.resolve, waiter.reject);
  }

  private async spawn(): Promise<WorkerSlot> {
    const def = this.def;
    if (!def.codeDir) {
      throw {
        errorType: 'Runtime.InvalidEntrypoint',
        errorMessage: `${def.name} cannot run locally: ${def.notRunnable}`,
      };
    }
    this.workerCount += 1;
    const streamName = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomUUID().replace(/-/g, '')}`;
    const worker = new Worker(BOOTSTRAP, {
      name: `${def.name}#${this.workerCount}`,
      env: { ...this.options.env, AWS_LAMBDA_LOG_STREAM_NAME: streamName },
      workerData: {
        taskRoot: def.codeDir,
        handler: def.handler,
        functionName: def.name,
        functionVersion: '$LATEST',
        memoryMb: def.memoryMb,
        logGroupName: this.options.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: streamName,
        invokedFunctionArn: def.arn,
      },
      stdout: true,
      stderr: true,
      execArgv: ['--enable-source-maps'],
    });
    let markReady: () => void = () => {};
    let markFailed: (error: LambdaError) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    const slot: WorkerSlot = {
      worker,
      spawnedAt: performance.now(),
      loadMs: 0,
      startMs: 0,
      invocations: 0,
      pending: undefined,
      ready,
      dead: false,
    };
    this.slots.add(slot);
    const out = new LineSplitter((line) => this.options.log(functionLogLine(def.name, line, 'stdout')));
    const err = new LineSplitter((line) => this.options.log(functionLogLine(def.name, line, 'stderr')));
    worker.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    worker.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') {
        slot.loadMs = message.loadMs;
        slot.startMs = performance.now() - slot.spawnedAt;
        markReady();
      } else if (message.type === 'init-error') {
        slot.dead = true;
        markFailed(message.error);
        void worker.terminate();
      } else if (message.type === 'result' && slot.pending?.id === message.id) {
        const pending = slot.pending;
        const durationMs = performance.now() - pending.startedAt;
        this.settle(
          slot,
          message.ok
            ? { ok: true, payload: message.payload, durationMs }
            : { ok: false, error: message.error, durationMs, kind: 'handler' },
        );
      } else if (message.type === 'crash') {
        slot.dead = true;
        if (slot.pending) {
          const durationMs = performance.now() - slot.pending.startedAt;
          this.settle(slot, { ok: false, error: message.error, durationMs, kind: 'runtime' });
        }
      }
    });
    const onGone = (reason: string) => {
      out.flush();
      err.flush();
      slot.dead = true;
      markFailed({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited before init completed: ${reason}` });
      if (slot.pending) {
        const durationMs = performance.now() - slot.pending.startedAt;
        this.settle(slot, {
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${slot.pending.id} Error: Runtime exited with error: ${reason}`,
          },
          durationMs,
          kind: 'runtime',
        });
      } else if (this.idle.includes(slot)) {
        this.discard(slot);
      }
    };
    worker.on('error', (e) => onGone(`${e.name}: ${e.message}`));
    worker.on('exit', (code) => onGone(`exit status ${code}`));
    try {
      await ready;
    } catch (error) {
      this.slots.delete(slot);
      throw error;
    }
    return slot;
  }

  private run(slot: WorkerSlot, eventJson: string, requestId: string, clientContext: unknown): Promise<InvokeOutcome> {
    const timeoutMs = this.def.timeoutSeconds * 1000;
    return new Promise((resolve) => {
      const startedAt = performance.now();
      const pending: Pending = { id: requestId, startedAt, resolve };
      slot.pending = pending;
      pending.timer = setTimeout(() => {
        slot.dead = true;
        this.settle(slot, {
          ok: false,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${this.def.timeoutSeconds.toFixed(2)} seconds`,
          },
          durationMs: performance.now() - startedAt,
          kind: 'timeout',
        });
        void slot.worker.terminate();
      }, timeoutMs);
      slot.worker.postMessage({
        type: 'invoke',
        id: requestId,
        requestId,
        event: eventJson,
        deadlineMs: Date.now() + timeoutMs,
        clientContext,
        traceId: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`,
      });
    });
  }

  private settle(slot: WorkerSlot, outcome: InvokeOutcome): void {
    const pending = slot.pending;
    if (!pending) return;
    slot.pending = undefined;
    if (pending.timer) clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  private async kill(slot: WorkerSlot): Promise<void> {
    slot.dead = true;
    this.slots.delete(slot);
    const index = this.idle.indexOf(slot);
    if (index >= 0) this.idle.splice(index, 1);
    if (slot.pending) {
      this.settle(slot, {
        ok: false,
        error: { errorType: 'Runtime.Shutdown', errorMessage: 'The execution environment was shut down' },
        durationMs: performance.now() - slot.pending.startedAt,
        kind: 'runtime',
      });
    }
    await slot.worker.terminate();
  }
}

type WorkerMessage =
  | { type: 'ready'; loadMs: number }
  | { type: 'init-error'; error: LambdaError }
  | { type: 'result'; id: string; ok: true; payload: string }
  | { type: 'result'; id: string; ok: false; error: LambdaError; payload?: undefined }
  | { type: 'crash'; id: string | null; error: LambdaError };
