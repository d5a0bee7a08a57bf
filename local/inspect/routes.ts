/**
 * The `/_local/*` endpoints on the API port: health, executions with their ordered history, the event log,
 * dead letters and their redrive, metrics, resources, and running a scheduled rule on demand.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeadLetters } from '../dlq';
import type { EventBridgeEngine } from '../eventbridge/engine';
import type { EventLog } from '../eventbridge/event-log';
import type { Metrics } from '../metrics';
import type { Execution, StepFunctionsEngine } from '../stepfunctions/engine';
import { stateViews } from '../stepfunctions/history';

export interface InspectDeps {
  readonly ready: () => boolean;
  readonly health: () => Record<string, unknown>;
  readonly stepFunctions?: StepFunctionsEngine;
  readonly eventLog?: EventLog;
  readonly events?: EventBridgeEngine;
  readonly deadLetters?: DeadLetters;
  readonly metrics?: Metrics;
  readonly resources?: () => unknown;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const parseJson = (text: string | undefined) => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

export function executionSummary(e: Execution): Record<string, unknown> {
  return {
    name: e.name,
    executionArn: e.executionArn,
    stateMachine: e.stateMachineName,
    status: e.status,
    startDate: new Date(e.startDate).toISOString(),
    stopDate: e.stopDate === undefined ? null : new Date(e.stopDate).toISOString(),
    durationMs: e.stopDate === undefined ? null : e.stopDate - e.startDate,
    error: e.error ?? null,
    cause: e.cause ?? null,
  };
}

export function executionDetail(e: Execution): Record<string, unknown> {
  return {
    ...executionSummary(e),
    input: parseJson(e.input),
    output: parseJson(e.output) ?? null,
    notes: e.notes,
    states: stateViews(e.history),
  };
}

/** Handles `/_local/...`; returns false when the path is not one of them. */
export async function handleInspect(req: IncomingMessage, res: ServerResponse, deps: InspectDeps): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://local');
  const path = url.pathname.replace(/\/+$/, '');
  const method = req.method ?? 'GET';
  if (!path.startsWith('/_local')) return false;
  if (path === '/_local/health') {
    json(res, deps.ready() ? 200 : 503, deps.health());
    return true;
  }
  if (!deps.ready()) {
    json(res, 503, { message: 'The local runtime is starting' });
    return true;
  }
  const sfn = deps.stepFunctions;
  if (method === 'GET' && path === '/_local/executions' && sfn) {
    const status = url.searchParams.get('status') ?? undefined;
    json(res, 200, { executions: sfn.list({ status }).map(executionSummary) });
    return true;
  }
  const executionMatch = /^\/_local\/executions\/(.+)$/.exec(path);
  if (method === 'GET' && executionMatch?.[1] && sfn) {
    const name = decodeURIComponent(executionMatch[1]);
    const found = name.startsWith('arn:') ? sfn.list().filter((e) => e.executionArn === name) : sfn.list({ name });
    const execution = found[0];
    if (!execution) json(res, 404, { message: `No execution named ${name}` });
    else json(res, 200, { ...executionDetail(execution), others: found.slice(1).map((e) => e.executionArn) });
    return true;
  }
  if (method === 'GET' && path === '/_local/events' && deps.eventLog) {
    const limit = url.searchParams.get('limit');
    const events = deps.eventLog.query({
      subject: url.searchParams.get('subject') ?? undefined,
      type: url.searchParams.get('type') ?? undefined,
      source: url.searchParams.get('source') ?? undefined,
      bus: url.searchParams.get('bus') ?? undefined,
      limit: limit ? Number(limit) : undefined,
    });
    json(res, 200, { count: events.length, events });
    return true;
  }
  if (method === 'GET' && path === '/_local/dlq' && deps.deadLetters) {
    json(res, 200, { queues: deps.deadLetters.list() });
    return true;
  }
  const redrive = /^\/_local\/dlq\/([^/]+)\/redrive$/.exec(path);
  if (method === 'POST' && redrive?.[1] && deps.deadLetters) {
    const report = await deps.deadLetters.redrive(decodeURIComponent(redrive[1]));
    if (!report) json(res, 404, { message: `No queue named ${redrive[1]}` });
    else json(res, 200, report);
    return true;
  }
  if (method === 'GET' && path === '/_local/metrics' && deps.metrics) {
    json(res, 200, deps.metrics.snapshot());
    return true;
  }
  if (method === 'POST' && path === '/_local/metrics/reset' && deps.metrics) {
    deps.metrics.reset();
    json(res, 200, { reset: true });
    return true;
  }
  if (method === 'GET' && path === '/_local/resources' && deps.resources) {
    json(res, 200, deps.resources());
    return true;
  }
  const schedule = /^\/_local\/schedules\/([^/]+)$/.exec(path);
  if (method === 'POST' && schedule?.[1] && deps.events) {
    const event = deps.events.triggerSchedule(decodeURIComponent(schedule[1]));
    if (!event) json(res, 404, { message: `No scheduled rule named ${schedule[1]}` });
    else json(res, 200, { eventId: event.id });
    return true;
  }
  json(res, 404, { message: `Unknown local endpoint ${method} ${path}` });
  return true;
}
