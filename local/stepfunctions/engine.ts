/**
 * The local Step Functions: each state machine of the template runs on `aws-local-stepfunctions`, with
 * StartExecution semantics of a STANDARD workflow (unique names, idempotent restart of a running name),
 * the definition's TimeoutSeconds, an AWS-shaped history, status-change events, and (with `--persist`)
 * executions kept on disk; a RUNNING execution is restarted from its beginning after a crash.
 */
import { randomUUID } from 'node:crypto';
import type { StateMachine } from 'aws-local-stepfunctions';
import { type LogSink, runtimeLine } from '../logs';
import type { Metrics } from '../metrics';
import { type JsonStore, safeFileName } from '../persist/json-store';
import type { StateMachineDef } from '../template/model';
import { HistoryBuilder, type HistoryEvent } from './history';
import { loadStepFunctionsLibrary } from './library';
import { planTasks, type TaskServices, taskHandlers } from './tasks';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly name: string;
  status: ExecutionStatus;
  /** Epoch milliseconds. */
  readonly startDate: number;
  stopDate?: number;
  readonly input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** Notes from the local runtime, e.g. that the execution was restarted after the runtime stopped. */
  notes: string[];
}

export class StepFunctionsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface StepFunctionsOptions {
  readonly machines: readonly StateMachineDef[];
  readonly services: TaskServices;
  readonly log: LogSink;
  readonly metrics: Metrics;
  readonly store: JsonStore;
  /** Factor applied to Retry intervals and Wait seconds (AWS: 1). */
  readonly timeScale: number;
  readonly region: string;
  readonly account: string;
  /** Called on every status change (RUNNING at start, then the final status). */
  readonly onStatusChange: (execution: Execution) => void;
  /** Called after each state event (entered, exited, failed, retried) of a running execution. */
  readonly onTransition?: (execution: Execution) => void;
  /** Closed executions kept in memory (the oldest closed ones are dropped beyond this). */
  readonly maxClosedExecutions: number;
}

interface Machine {
  readonly def: StateMachineDef;
  readonly runner: StateMachine;
  readonly plan: ReturnType<typeof planTasks>;
  readonly waitOverrides: Record<string, number>;
}

interface Running {
  readonly abort: () => void;
  readonly done: Promise<void>;
  stopRequest?: { error?: string; cause?: string };
}

/** No task timeout unless the definition sets one (the library would default to 60 s). */
const NO_TASK_TIMEOUT_SECONDS = 2_000_000;
const INVALID_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
/** Execution names may not contain whitespace, brackets, wildcards, these punctuation marks or control characters. */
function invalidName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || INVALID_NAME_CHARACTERS.test(name)) return true;
  for (const c of name) {
    const code = c.charCodeAt(0);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

export class StepFunctionsEngine {
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, Execution>();
  private readonly running = new Map<string, Running>();
  private closedOrder: string[] = [];
  private shuttingDown = false;

  constructor(private readonly options: StepFunctionsOptions) {
    const { StateMachine } = loadStepFunctionsLibrary();
    for (const def of options.machines) {
      // Validate the definition as written, then run a copy with local timings (scaled retries, no task timeout).
      try {
        new StateMachine(def.definition as never);
      } catch (error) {
        throw new Error(`State machine ${def.name}: ${(error as Error).message}`);
      }
      const plan = planTasks(def.definition, def.name);
      const waitOverrides: Record<string, number> = {};
      const local = localDefinition(def.definition, options.timeScale, waitOverrides);
      const runner = new StateMachine(local as never, { validationOptions: { noValidate: true } });
      this.machines.set(def.arn, { def, runner, plan, waitOverrides });
    }
  }

  get stateMachines(): StateMachineDef[] {
    return [...this.machines.values()].map((m) => m.def);
  }

  machine(arn: string): StateMachineDef | undefined {
    return this.machines.get(arn)?.def;
  }

  /** StartExecution, with the STANDARD rules for names. */
  start(
    stateMachineArn: string,
    name: string | undefined,
    input: string | undefined,
  ): { execution: Execution; existing: boolean } {
    const machine = this.machines.get(stateMachineArn);
    if (!machine)
      throw new StepFunctionsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const executionName = name ?? randomUUID();
    if (invalidName(executionName)) {
      throw new StepFunctionsError('InvalidName', `Invalid Name: '${executionName}'`);
    }
    const inputText = input ?? '{}';
    try {
      JSON.parse(inputText);
    } catch {
      throw new StepFunctionsError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${inputText.slice(0, 100)}'`,
      );
    }
    const executionArn = `arn:aws:states:${this.options.region}:${this.options.account}:execution:${machine.def.name}:${executionName}`;
    const previous =
      this.executions.get(executionArn) ??
      this.options.store.read<Execution>(this.file(machine.def.name, executionName));
    if (previous && machine.def.type === 'STANDARD') {
      if (previous.status === 'RUNNING' && previous.input === inputText) return { execution: previous, existing: true };
      throw new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      stateMachineName: machine.def.name,
      name: executionName,
      status: 'RUNNING',
      startDate: Date.now(),
      input: inputText,
      history: [],
      notes: [],
    };
    this.executions.set(executionArn, execution);
    this.persist(execution);
    this.options.metrics.sm(machine.def.name).started += 1;
    this.launch(machine, execution);
    this.options.onStatusChange(execution);
    return { execution, existing: false };
  }

  /** StartSyncExecution (EXPRESS): resolves when the execution has closed. */
  async startSync(stateMachineArn: string, name: string | undefined, input: string | undefined): Promise<Execution> {
    const { execution } = this.start(stateMachineArn, name, input);
    await this.running.get(execution.executionArn)?.done;
    return execution;
  }

  get(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (!execution)
      throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  /** All executions, newest first; optionally of one state machine and status. */
  list(filter: { stateMachineArn?: string; status?: string; name?: string } = {}): Execution[] {
    return [...this.executions.values()]
      .filter(
        (e) =>
          (!filter.stateMachineArn || e.stateMachineArn === filter.stateMachineArn) &&
          (!filter.status || e.status === filter.status) &&
          (!filter.name || e.name === filter.name),
      )
      .sort((a, b) => b.startDate - a.startDate);
  }

  stop(executionArn: string, error?: string, cause?: string): number {
    const execution = this.get(executionArn);
    const run = this.running.get(executionArn);
    if (execution.status !== 'RUNNING' || !run) {
      throw new StepFunctionsError('ExecutionNotRunning', `Execution is not running: '${executionArn}'`);
    }
    run.stopRequest = { error, cause };
    run.abort();
    return Date.now();
  }

  /** Waits until an execution is closed (tests and scripts); resolves at once when it already is. */
  async waitFor(executionArn: string): Promise<Execution> {
    await this.running.get(executionArn)?.done;
    return this.get(executionArn);
  }

  /**
   * Loads persisted executions; the RUNNING ones are restarted from the beginning with their original
   * input (AWS would continue at the current state; the product's steps are idempotent, so this is safe).
   */
  restore(): { loaded: number; restarted: number } {
    let loaded = 0;
    let restarted = 0;
    const saved: Execution[] = [];
    for (const machine of this.machines.values()) {
      for (const file of this.options.store.list(`executions/${safeFileName(machine.def.name)}`)) {
        const execution = this.options.store.read<Execution>(`executions/${safeFileName(machine.def.name)}/${file}`);
        if (execution) saved.push(execution);
      }
    }
    saved.sort((a, b) => a.startDate - b.startDate);
    for (const execution of saved) {
      loaded += 1;
      execution.notes ??= [];
      this.executions.set(execution.executionArn, execution);
      const machine = this.machines.get(execution.stateMachineArn);
      if (execution.status !== 'RUNNING') {
        this.closedOrder.push(execution.executionArn);
        continue;
      }
      if (!machine) continue;
      restarted += 1;
      execution.notes.push(
        `${new Date().toISOString()}: restarted from the beginning with its original input, because the local runtime stopped while it was RUNNING (AWS would continue at its current state).`,
      );
      this.options.log(
        runtimeLine('INFO', `restarting execution ${execution.name} of ${machine.def.name} from its beginning`),
      );
      this.launch(machine, execution);
    }
    return { loaded, restarted };
  }

  /** Abandons running executions without closing them: with `--persist` they restart on the next start. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const runs = [...this.running.values()];
    for (const run of runs) run.abort();
    await Promise.allSettled(runs.map((r) => r.done));
  }

  private file(machineName: string, executionName: string): string {
    return `executions/${safeFileName(machineName)}/${safeFileName(executionName)}.json`;
  }

  private persist(execution: Execution): void {
    this.options.store.write(this.file(execution.stateMachineName, execution.name), execution);
  }

  private launch(machine: Machine, execution: Execution): void {
    const builder = new HistoryBuilder(
      this.options.region,
      `arn:aws:iam::${this.options.account}:role/${machine.def.name}-role`,
    );
    execution.history = builder.events;
    const counters = this.options.metrics.sm(machine.def.name);
    const run = machine.runner.run(JSON.parse(execution.input), {
      overrides: {
        taskResourceLocalHandlers: taskHandlers(
          machine.plan,
          this.options.services,
          { stateMachineName: machine.def.name, executionName: execution.name },
          builder,
        ) as never,
        waitTimeOverrides: machine.waitOverrides,
      },
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          RoleArn: `arn:aws:iam::${this.options.account}:role/${machine.def.name}-role`,
        },
        StateMachine: { Id: machine.def.arn, Name: machine.def.name },
      },
    });
    const consume = (async () => {
      for await (const event of run.eventLogs) {
        builder.onLibraryEvent(event as never);
        if (event.type === 'StateEntered' || event.type === 'StateRetried') counters.stateTransitions += 1;
        if (event.type.startsWith('State')) this.options.onTransition?.(execution);
      }
    })();
    const settled = run.result.then(
      (output) => ({ ok: true as const, output }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const entry: Running = {
      abort: run.abort,
      done: Promise.all([consume, settled]).then(([, outcome]) => this.finish(execution, outcome, entry)),
    };
    this.running.set(execution.executionArn, entry);
  }

  private finish(
    execution: Execution,
    outcome: { ok: true; output: unknown } | { ok: false; error: unknown },
    run: Running,
  ): void {
    this.running.delete(execution.executionArn);
    if (this.shuttingDown) return;
    const { ExecutionAbortedError, ExecutionTimeoutError } = loadStepFunctionsLibrary();
    const counters = this.options.metrics.sm(execution.stateMachineName);
    execution.stopDate = Date.now();
    if (outcome.ok) {
      execution.status = 'SUCCEEDED';
      execution.output = JSON.stringify(outcome.output ?? null);
      counters.succeeded += 1;
    } else if (outcome.error instanceof ExecutionAbortedError) {
      execution.status = 'ABORTED';
      execution.error = run.stopRequest?.error;
      execution.cause = run.stopRequest?.cause;
      const aborted = execution.history.find((e) => e.type === 'ExecutionAborted');
      if (aborted?.details) Object.assign(aborted.details, { error: execution.error, cause: execution.cause });
      counters.aborted += 1;
    } else if (outcome.error instanceof ExecutionTimeoutError) {
      execution.status = 'TIMED_OUT';
      execution.error = 'States.Timeout';
      counters.timedOut += 1;
    } else {
      execution.status = 'FAILED';
      const failed = execution.history.find((e) => e.type === 'ExecutionFailed')?.details ?? {};
      const cause = (outcome.error as { cause?: Error }).cause;
      execution.error = String(failed.error ?? cause?.name ?? 'States.Runtime');
      execution.cause = String(failed.cause ?? cause?.message ?? String(outcome.error));
      counters.failed += 1;
    }
    this.persist(execution);
    this.closedOrder.push(execution.executionArn);
    while (this.closedOrder.length > this.options.maxClosedExecutions) {
      const oldest = this.closedOrder.shift();
      if (oldest) this.executions.delete(oldest);
    }
    this.options.onStatusChange(execution);
  }
}

/** A copy of the definition with local timings: scaled Retry intervals and Wait seconds, no default task timeout. */
function localDefinition(
  definition: Record<string, unknown>,
  scale: number,
  waitOverrides: Record<string, number>,
): Record<string, unknown> {
  // A JSON copy (not structuredClone): under jest, structuredClone returns objects of another realm, which the
  // library does not recognise as plain objects.
  const copy = JSON.parse(JSON.stringify(definition)) as Record<string, unknown>;
  const visit = (machine: unknown) => {
    const states = (machine as { States?: Record<string, Record<string, unknown>> } | undefined)?.States ?? {};
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
        state.TimeoutSeconds = NO_TASK_TIMEOUT_SECONDS;
      }
      for (const retrier of (state.Retry as Record<string, unknown>[] | undefined) ?? []) {
        retrier.IntervalSeconds = Number(retrier.IntervalSeconds ?? 1) * scale;
        if (retrier.MaxDelaySeconds !== undefined) retrier.MaxDelaySeconds = Number(retrier.MaxDelaySeconds) * scale;
      }
      if (state.Type === 'Wait' && typeof state.Seconds === 'number')
        waitOverrides[name] = state.Seconds * 1000 * scale;
      if (state.Type === 'Parallel') for (const branch of (state.Branches as unknown[]) ?? []) visit(branch);
      if (state.Type === 'Map') visit(state.ItemProcessor ?? state.Iterator);
    }
  };
  visit(copy);
  return copy;
}

/** The AWS DescribeExecution shape (dates in epoch seconds for the JSON protocol). */
export function describeExecution(e: Execution): Record<string, unknown> {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate / 1000,
    ...(e.stopDate !== undefined ? { stopDate: e.stopDate / 1000 } : {}),
    input: e.input,
    inputDetails: { included: true },
    ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
  };
}

/** The detail of the "Step Functions Execution Status Change" event. */
export function statusChangeDetail(e: Execution): Record<string, unknown> {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate,
    stopDate: e.stopDate ?? null,
    input: e.input,
    output: e.output ?? null,
    inputDetails: { included: true },
    outputDetails: e.output !== undefined ? { included: true } : null,
    error: e.error ?? null,
    cause: e.cause ?? null,
  };
}
