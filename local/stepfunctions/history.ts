/**
 * Execution history in the shape of Step Functions' GetExecutionHistory, built from the events of
 * `aws-local-stepfunctions` plus the Task attempts the local task handlers record; and, derived from it,
 * the per-state view of `GET /_local/executions/{name}` (entered/exited, input, output, error, retries).
 */
import type { TaskAttempt, TaskRecorder } from './tasks';

export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly type: string;
  /** The state the event belongs to (local bookkeeping; not part of the AWS event). */
  readonly stateName?: string;
  readonly detailsKey?: string;
  readonly details?: Record<string, unknown>;
}

interface LibraryEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  index?: number;
  parentState?: { name: string; type: string };
}

interface Attempt {
  readonly scheduledAt: number;
  readonly resourceType: string;
  readonly resource: string;
  readonly parameters: unknown;
  emitted: boolean;
  result?: { ok: true; output: unknown; at: number } | { ok: false; error: string; cause: string; at: number };
}

const json = (value: unknown) => JSON.stringify(value ?? null);
const causeText = (cause: unknown) => (typeof cause === 'string' ? cause : JSON.stringify(cause ?? ''));

/** Converts a state type to its history prefix (`Task` → `TaskStateEntered`). */
const stateEvent = (type: string, suffix: 'Entered' | 'Exited') => `${type}State${suffix}`;

export class HistoryBuilder implements TaskRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly attempts = new Map<string, Attempt[]>();
  private readonly current = new Map<string, Attempt>();
  private readonly lastEventByState = new Map<string, number>();

  constructor(
    private readonly region: string,
    private readonly roleArn: string,
  ) {}

  scheduled(stateName: string, resourceType: string, resource: string, parameters: unknown): TaskAttempt {
    const attempt: Attempt = { scheduledAt: Date.now(), resourceType, resource, parameters, emitted: false };
    const list = this.attempts.get(stateName) ?? [];
    list.push(attempt);
    this.attempts.set(stateName, list);
    return {
      succeeded: (output) => {
        attempt.result ??= { ok: true, output, at: Date.now() };
      },
      failed: (error, cause) => {
        attempt.result ??= { ok: false, error, cause, at: Date.now() };
      },
    };
  }

  /** A note from the runtime (e.g. a restart after a crash) is kept beside the history, not in it. */
  add(
    type: string,
    details?: Record<string, unknown>,
    detailsKey?: string,
    stateName?: string,
    timestamp = Date.now(),
  ): HistoryEvent {
    const id = this.events.length + 1;
    const previousEventId = stateName !== undefined ? (this.lastEventByState.get(stateName) ?? id - 1) : id - 1;
    const event: HistoryEvent = { id, previousEventId, timestamp, type, stateName, detailsKey, details };
    this.events.push(event);
    if (stateName !== undefined) this.lastEventByState.set(stateName, id);
    return event;
  }

  onLibraryEvent(e: LibraryEvent): void {
    const state = e.state;
    switch (e.type) {
      case 'ExecutionStarted':
        this.add(
          'ExecutionStarted',
          { input: json(e.input), inputDetails: { truncated: false }, roleArn: this.roleArn },
          'executionStartedEventDetails',
          undefined,
          e.timestamp,
        );
        return;
      case 'ExecutionSucceeded':
        this.add(
          'ExecutionSucceeded',
          { output: json(e.output), outputDetails: { truncated: false } },
          'executionSucceededEventDetails',
          undefined,
          e.timestamp,
        );
        return;
      case 'ExecutionFailed':
        this.add(
          'ExecutionFailed',
          { error: e.Error, cause: causeText(e.Cause) },
          'executionFailedEventDetails',
          undefined,
          e.timestamp,
        );
        return;
      case 'ExecutionAborted':
        this.add('ExecutionAborted', {}, 'executionAbortedEventDetails', undefined, e.timestamp);
        return;
      case 'ExecutionTimeout':
        this.add(
          'ExecutionTimedOut',
          { error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds).' },
          'executionTimedOutEventDetails',
          undefined,
          e.timestamp,
        );
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.add(
          e.type,
          { name: e.parentState?.name, index: e.index },
          `${e.type.charAt(0).toLowerCase()}${e.type.slice(1)}EventDetails`,
          e.parentState?.name,
          e.timestamp,
        );
        return;
    }
    if (!state) return;
    const name = state.name;
    switch (e.type) {
      case 'StateEntered':
        this.add(
          stateEvent(state.type, 'Entered'),
          { name, input: json(state.input), inputDetails: { truncated: false } },
          'stateEnteredEventDetails',
          name,
          e.timestamp,
        );
        if (state.type === 'Task') this.startAttempt(name);
        if (state.type === 'Parallel' || state.type === 'Map')
          this.add(`${state.type}StateStarted`, undefined, undefined, name, e.timestamp);
        return;
      case 'StateRetried':
        if (state.type === 'Task') this.startAttempt(name);
        return;
      case 'StateFailed': {
        if (state.type === 'Task') {
          const attempt = this.current.get(name);
          const base = { resourceType: attempt?.resourceType ?? 'unknown', resource: attempt?.resource ?? 'unknown' };
          if (e.Error === 'States.Timeout' && attempt?.result === undefined) {
            this.add(
              'TaskTimedOut',
              { ...base, error: 'States.Timeout', cause: '' },
              'taskTimedOutEventDetails',
              name,
              e.timestamp,
            );
          } else {
            const error =
              attempt?.result && !attempt.result.ok ? attempt.result.error : (e.Error ?? 'States.TaskFailed');
            const cause = attempt?.result && !attempt.result.ok ? attempt.result.cause : causeText(e.Cause);
            this.add(
              'TaskFailed',
              { ...base, error, cause },
              'taskFailedEventDetails',
              name,
              attempt?.result?.at ?? e.timestamp,
            );
          }
        } else if (state.type === 'Parallel' || state.type === 'Map') {
          this.add(
            `${state.type}StateFailed`,
            { error: e.Error, cause: causeText(e.Cause) },
            undefined,
            name,
            e.timestamp,
          );
        } else {
          // Pass/Choice/Wait failures (a bad path): keep the error for the per-state view.
          this.add('StateFailedLocal', { error: e.Error, cause: causeText(e.Cause) }, undefined, name, e.timestamp);
        }
        return;
      }
      case 'StateExited': {
        if (state.type === 'Task') {
          const attempt = this.current.get(name);
          if (attempt?.result?.ok) {
            this.add(
              'TaskSucceeded',
              {
                resourceType: attempt.resourceType,
                resource: attempt.resource,
                output: json(attempt.result.output),
                outputDetails: { truncated: false },
              },
              'taskSucceededEventDetails',
              name,
              attempt.result.at,
            );
          }
          this.current.delete(name);
        }
        if (state.type === 'Parallel' || state.type === 'Map') {
          const last = this.events[this.events.length - 1];
          if (!(last?.stateName === name && last.type.endsWith('StateFailed')))
            this.add(`${state.type}StateSucceeded`, undefined, undefined, name, e.timestamp);
        }
        this.add(
          stateEvent(state.type, 'Exited'),
          { name, output: json(state.output), outputDetails: { truncated: false } },
          'stateExitedEventDetails',
          name,
          e.timestamp,
        );
        return;
      }
    }
  }

  private startAttempt(stateName: string): void {
    const attempt = this.attempts.get(stateName)?.find((a) => !a.emitted);
    if (!attempt) return;
    attempt.emitted = true;
    this.current.set(stateName, attempt);
    const base = { resourceType: attempt.resourceType, resource: attempt.resource };
    this.add(
      'TaskScheduled',
      { ...base, region: this.region, parameters: json(attempt.parameters) },
      'taskScheduledEventDetails',
      stateName,
      attempt.scheduledAt,
    );
    this.add('TaskStarted', base, 'taskStartedEventDetails', stateName, attempt.scheduledAt);
  }
}

/**
 * The AWS GetExecutionHistory form (timestamps in epoch seconds, as the JSON protocol sends them). Local-only
 * bookkeeping events are left out and the ids renumbered, so ids stay consecutive as in AWS.
 */
export function toAwsHistory(events: readonly HistoryEvent[]): Record<string, unknown>[] {
  const ids = new Map<number, number>();
  const out: Record<string, unknown>[] = [];
  for (const event of events) {
    if (event.type === 'StateFailedLocal') {
      ids.set(event.id, ids.get(event.previousEventId) ?? 0);
      continue;
    }
    const id = out.length + 1;
    ids.set(event.id, id);
    const item: Record<string, unknown> = {
      timestamp: event.timestamp / 1000,
      type: event.type,
      id,
      previousEventId: ids.get(event.previousEventId) ?? 0,
    };
    if (event.detailsKey && event.details) item[event.detailsKey] = event.details;
    out.push(item);
  }
  return out;
}

export interface StateView {
  name: string;
  type: string;
  status: 'running' | 'succeeded' | 'caught' | 'failed' | 'aborted';
  enteredAt: string;
  exitedAt?: string;
  durationMs?: number;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  retries: { attempt: number; error: string; cause: string; failedAt: string }[];
}

const parse = (text: unknown) => {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/** The ordered per-state view: each state entered, with its input, output, error, cause and retries. */
export function stateViews(events: readonly HistoryEvent[]): StateView[] {
  const views: StateView[] = [];
  const open = new Map<
    string,
    { view: StateView; enteredMs: number; failure?: { error: string; cause: string; at: number } }
  >();
  for (const event of events) {
    const d = (event.details ?? {}) as Record<string, unknown>;
    const name = event.stateName;
    if (event.type.endsWith('StateEntered') && name) {
      const view: StateView = {
        name,
        type: event.type.replace(/StateEntered$/, ''),
        status: 'running',
        enteredAt: new Date(event.timestamp).toISOString(),
        input: parse(d.input),
        retries: [],
      };
      views.push(view);
      open.set(name, { view, enteredMs: event.timestamp });
      continue;
    }
    const current = name ? open.get(name) : undefined;
    if (
      current &&
      ['TaskFailed', 'TaskTimedOut', 'ParallelStateFailed', 'MapStateFailed', 'StateFailedLocal'].includes(event.type)
    ) {
      current.failure = { error: String(d.error ?? ''), cause: String(d.cause ?? ''), at: event.timestamp };
    } else if (current && event.type === 'TaskScheduled' && current.failure) {
      current.view.retries.push({
        attempt: current.view.retries.length + 1,
        error: current.failure.error,
        cause: current.failure.cause,
        failedAt: new Date(current.failure.at).toISOString(),
      });
      current.failure = undefined;
    } else if (current && event.type.endsWith('StateExited') && name) {
      const view = current.view;
      view.exitedAt = new Date(event.timestamp).toISOString();
      view.durationMs = event.timestamp - current.enteredMs;
      view.output = parse(d.output);
      view.status = current.failure ? 'caught' : 'succeeded';
      if (current.failure) {
        view.error = current.failure.error;
        view.cause = current.failure.cause;
      }
      open.delete(name);
    } else if (['ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut'].includes(event.type)) {
      for (const [key, still] of open) {
        const view = still.view;
        view.exitedAt = new Date(event.timestamp).toISOString();
        view.durationMs = event.timestamp - still.enteredMs;
        view.status = event.type === 'ExecutionFailed' ? 'failed' : 'aborted';
        view.error = still.failure?.error ?? (d.error as string | undefined);
        view.cause = still.failure?.cause ?? (d.cause as string | undefined);
        open.delete(key);
      }
    }
  }
  return views;
}
