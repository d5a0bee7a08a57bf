/**
 * The `/_local/*` endpoints on the API port: health, executions with their ordered history, state machine
 * definitions, the event log, dead letters and their redrive, metrics, resources, running a scheduled rule on demand,
 * a server-sent event stream of changes, and the inspector page (`/_local/`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeadLetters } from '../dlq';
import type { EventBridgeEngine } from '../eventbridge/engine';
import type { EventLog } from '../eventbridge/event-log';
import type { Metrics } from '../metrics';
import type { Execution, StepFunctionsEngine } from '../stepfunctions/engine';
import { stateViews } from '../stepfunctions/history';
import type { StateMachineDef } from '../template/model';
import type { ChangeFeed } from './change-feed';
import { handleStatic } from './static';

export interface InspectDeps {
  readonly ready: () => boolean;
  readonly health: () => Record<string, unknown>;
  readonly stepFunctions?: StepFunctionsEngine;
  readonly eventLog?: EventLog;
  readonly events?: EventBridgeEngine;
  readonly deadLetters?: DeadLetters;
  readonly metrics?: Metrics;
  readonly resources?: () => unknown;
  /** Feeds `GET /_local/stream`. */
  readonly feed?: ChangeFeed;
}

/** Keeps an SSE connection alive through proxies and lets the client notice a dead server. */
const HEARTBEAT_MS = 15_000;

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

function stateMachineSummary(def: StateMachineDef): Record<string, unknown> {
  const states = def.definition.States;
  return {
    name: def.name,
    arn: def.arn,
    type: def.type,
    startAt: def.definition.StartAt ?? null,
    stateCount: states && typeof states === 'object' ? Object.keys(states).length : 0,
  };
}

/** `GET /_local/stream`: `event: changes` with `{ changes: Change[] }` as things change, and a heartbeat comment. */
function streamChanges(res: ServerResponse, feed: ChangeFeed): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.write(`retry: 2000\n\nevent: ready\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`);
  const unsubscribe = feed.subscribe((changes) => {
    res.write(`event: changes\ndata: ${JSON.stringify({ changes })}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  res.on('close', () => {
    unsubscribe();
    clearInterval(heartbeat);
  });
}

/** Handles `/_local/...`; returns false when the path is not one of them. */
export async function handleInspect(req: IncomingMessage, res: ServerResponse, deps: InspectDeps): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://local');
  const path = url.pathname.replace(/\/+$/, '');
  const method = req.method ?? 'GET';
  if (!path.startsWith('/_local')) return false;
  if (await handleStatic(method, url.pathname, res)) return true;
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
    // `name` may repeat (an order's executions: `<orderId>`, `<orderId>-cancel`); `limit` keeps the newest.
    const names = url.searchParams.getAll('name');
    const limit = Number(url.searchParams.get('limit') ?? Number.POSITIVE_INFINITY);
    const executions = sfn
      .list({ status })
      .filter((e) => names.length === 0 || names.includes(e.name))
      .slice(0, limit > 0 ? limit : undefined);
    json(res, 200, { executions: executions.map(executionSummary) });
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
  if (method === 'GET' && path === '/_local/stream' && deps.feed) {
    streamChanges(res, deps.feed);
    return true;
  }
  if (method === 'GET' && path === '/_local/state-machines' && sfn) {
    json(res, 200, { stateMachines: sfn.stateMachines.map(stateMachineSummary) });
    return true;
  }
  const machineMatch = /^\/_local\/state-machines\/([^/]+)(\/definition)?$/.exec(path);
  if (method === 'GET' && machineMatch?.[1] && sfn) {
    const key = decodeURIComponent(machineMatch[1]);
    const def = sfn.stateMachines.find((m) => m.name === key || m.arn === key);
    if (!def) json(res, 404, { message: `No state machine named ${key}` });
    else if (machineMatch[2]) json(res, 200, def.definition);
    else json(res, 200, { ...stateMachineSummary(def), definition: def.definition });
    return true;
  }
  if (method === 'GET' && path === '/_local/events' && deps.eventLog) {
    const limitParam = url.searchParams.get('limit');
    const limit = limitParam ? Number(limitParam) : undefined;
    // `subject`, `subjectPrefix` and `resource` may repeat: an event matching any of them is listed (an order's story
    // spans several subjects). One plain `subject` is the log's own filter.
    const subjects = url.searchParams.getAll('subject');
    const prefixes = url.searchParams.getAll('subjectPrefix');
    const resources = url.searchParams.getAll('resource');
    const anyOf = subjects.length > 1 || prefixes.length > 0 || resources.length > 0;
    let events = deps.eventLog.query({
      subject: anyOf ? undefined : subjects[0],
      type: url.searchParams.get('type') ?? undefined,
      source: url.searchParams.get('source') ?? undefined,
      bus: url.searchParams.get('bus') ?? undefined,
      limit: anyOf ? undefined : limit,
    });
    if (anyOf) {
      events = events.filter(
        (e) =>
          (e.subject !== undefined &&
            (subjects.includes(e.subject) || prefixes.some((p) => e.subject?.startsWith(p)))) ||
          resources.some((r) => e.resources.includes(r)),
      );
      if (limit !== undefined) events = events.slice(-limit);
    }
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
