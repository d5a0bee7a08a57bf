/**
 * Where the operations tools act: the local runtime (`--local [apiUrl]`) or a deployed stage (`--stage <name>`).
 * Both are reached through the same AWS SDK clients, so listing, redriving, republishing and reconciling run the same
 * code: locally the clients point at the runtime's service endpoint (SQS, Lambda, Step Functions, EventBridge) and at
 * its DynamoDB endpoint (the table, Streams); on AWS they use the standard credential chain and the region of the
 * environment.
 * Only discovery differs: the runtime's `/_local` endpoints versus CloudFormation and Lambda's mapping list.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  paginateListStackResources,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient, paginateListEventSourceMappings } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { DLQ_IDS } from '../../lib/constructs/events/dead-letter-queues';
import { stackNames } from '../../lib/stage';

export interface QueueRef {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  /** The asynchronous hop the queue belongs to (a DLQ_IDS value, e.g. `OrderNotifier`). */
  readonly hop: string;
  /** What sends to it, when the target knows. */
  readonly usedBy: readonly string[];
}

export interface StreamMappingRef {
  readonly functionName: string;
  readonly eventSourceArn: string;
  /** `FilterCriteria.Filters[].Pattern`, JSON strings. */
  readonly filters: readonly string[];
  readonly batchSize: number;
  readonly onFailureArn: string | undefined;
}

export interface AwsClients {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  readonly streams: DynamoDBStreamsClient;
  /** The table itself (`npm run dlq -- republish` reads outbox items with it). */
  readonly dynamodb: DynamoDBClient;
  readonly sfn: SFNClient;
  readonly events: EventBridgeClient;
}

export interface OpsTarget extends AwsClients {
  /** `local http://127.0.0.1:3000` or `stage dev`. */
  readonly label: string;
  deadLetterQueues(): Promise<QueueRef[]>;
  streamMappings(): Promise<StreamMappingRef[]>;
  reconcilerFunctionName(): Promise<string>;
  /** The name of the app's event bus: the one the relay publishes to (its `EVENT_BUS_NAME`). */
  eventBusName(): Promise<string>;
  close(): void;
}

export const DEFAULT_LOCAL_API_URL = 'http://127.0.0.1:3000';

/** The hop of a queue, from its name or logical id (`…DeadLettersOrderNotifierDlq…` → `OrderNotifier`). */
export function hopOf(nameOrLogicalId: string): string | undefined {
  const ids = Object.values(DLQ_IDS).sort((a, b) => b.length - a.length);
  return ids.find((id) => nameOrLogicalId.includes(`${id}Dlq`));
}

/** Finds a queue by name, URL, ARN, hop (`OrderNotifier`) or DLQ_IDS key (`notifier`), case-insensitively. */
export function findQueue(queues: readonly QueueRef[], wanted: string): QueueRef {
  const lower = wanted.toLowerCase();
  const exact = queues.find((q) => q.name === wanted || q.url === wanted || q.arn === wanted);
  if (exact) return exact;
  const byKey = Object.entries(DLQ_IDS).find(([key]) => key.toLowerCase() === lower)?.[1];
  const byHop = queues.filter((q) => q.hop.toLowerCase() === lower || (byKey !== undefined && q.hop === byKey));
  if (byHop.length === 1 && byHop[0]) return byHop[0];
  const partial = queues.filter((q) => q.name.toLowerCase().includes(lower));
  if (partial.length === 1 && partial[0]) return partial[0];
  throw new UsageError(
    `No single dead-letter queue matches '${wanted}'. Use one of: ${queues.map((q) => q.hop).join(', ')} (or a full queue name).`,
  );
}

/** A mistake in the command line (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Fails with the stack/region named when the target cannot be reached (exit code 1). */
export class TargetError extends Error {
  override name = 'TargetError';
}

/** Local endpoints take the runtime's account, region and dummy credentials; AWS takes the environment's. */
function clients(local?: { servicesEndpoint: string; dynamodbEndpoint: string }): AwsClients {
  const config = (endpoint: string | undefined) =>
    local ? { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
  const services = config(local?.servicesEndpoint);
  return {
    sqs: new SQSClient(services),
    lambda: new LambdaClient(services),
    sfn: new SFNClient(services),
    events: new EventBridgeClient(services),
    streams: new DynamoDBStreamsClient(config(local?.dynamodbEndpoint)),
    dynamodb: new DynamoDBClient(config(local?.dynamodbEndpoint)),
  };
}

function closeAll(c: AwsClients): void {
  for (const client of [c.sqs, c.lambda, c.sfn, c.events, c.streams, c.dynamodb]) client.destroy();
}

/** The app has one bus besides `default`; anything else is a template this tool does not know. */
function theBus(names: readonly string[], where: string): string {
  const custom = names.filter((name) => name !== 'default');
  if (custom.length !== 1 || !custom[0]) {
    throw new TargetError(
      `Expected one event bus (besides default) in ${where}, found ${custom.length ? custom.join(', ') : 'none'}`,
    );
  }
  return custom[0];
}

// ----- local runtime -----------------------------------------------------------------------------------------

const health = z.looseObject({ status: z.string(), servicesEndpoint: z.string(), dynamodbEndpoint: z.string() });
const dlqList = z.looseObject({
  queues: z.array(z.looseObject({ queue: z.string(), arn: z.string(), url: z.string(), usedBy: z.array(z.string()) })),
});
const resources = z.looseObject({
  eventSourceMappings: z.array(
    z.looseObject({
      functionName: z.string(),
      eventSourceArn: z.string(),
      kind: z.string(),
      filters: z.array(z.string()),
      batchSize: z.number(),
      onFailureArn: z.string().optional().nullable(),
    }),
  ),
  rules: z.array(z.looseObject({ name: z.string(), targets: z.array(z.looseObject({ arn: z.string() })) })),
  buses: z.array(z.looseObject({ name: z.string(), arn: z.string() })),
  eventInvokeConfigs: z.array(
    z.looseObject({ functionName: z.string(), onFailureArn: z.string().optional().nullable() }),
  ),
});

async function getJson<T>(url: string, schema: z.ZodType<T>): Promise<T> {
  let response: globalThis.Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new TargetError(
      `The local runtime does not answer at ${new URL(url).origin} (${(error as Error).message}). Start it with npm start, or pass its URL: --local http://127.0.0.1:<port>`,
    );
  }
  if (!response.ok) throw new TargetError(`${url} answered ${response.status}: ${await response.text()}`);
  return schema.parse(await response.json());
}

export async function localTarget(apiUrl: string = DEFAULT_LOCAL_API_URL): Promise<OpsTarget> {
  const base = apiUrl.replace(/\/+$/, '');
  const h = await getJson(`${base}/_local/health`, health);
  const c = clients(h);
  const getResources = () => getJson(`${base}/_local/resources`, resources);
  return {
    ...c,
    label: `local ${base}`,
    async deadLetterQueues() {
      const list = await getJson(`${base}/_local/dlq`, dlqList);
      return list.queues.map((q) => ({
        name: q.queue,
        url: q.url,
        arn: q.arn,
        hop: hopOf(q.queue) ?? q.queue,
        usedBy: q.usedBy,
      }));
    },
    async streamMappings() {
      const r = await getResources();
      return r.eventSourceMappings
        .filter((m) => m.kind === 'dynamodb')
        .map((m) => ({
          functionName: m.functionName,
          eventSourceArn: m.eventSourceArn,
          filters: m.filters,
          batchSize: m.batchSize,
          onFailureArn: m.onFailureArn ?? undefined,
        }));
    },
    async reconcilerFunctionName() {
      const r = await getResources();
      // The schedule rule is named `<stack>-ReconcilerSchedule` on purpose (lib/constructs/domains/reconciler.ts).
      const arn = r.rules.find((rule) => rule.name.endsWith('-ReconcilerSchedule'))?.targets[0]?.arn;
      const name = arn ? /function:([^:]+)/.exec(arn)?.[1] : undefined;
      if (!name) throw new TargetError(`The local runtime at ${base} defines no reconciler schedule rule`);
      return name;
    },
    async eventBusName() {
      const r = await getResources();
      return theBus(
        r.buses.map((b) => b.name),
        `the local runtime at ${base}`,
      );
    },
    close: () => closeAll(c),
  };
}

/** Discovery calls are made once per run, on first use. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

// ----- a deployed stage --------------------------------------------------------------------------------------

export async function awsTarget(stage: string): Promise<OpsTarget> {
  const names = stackNames(stage);
  const c = clients();
  const cfn = new CloudFormationClient({});

  const loadStatefulResources = async (): Promise<StackResourceSummary[]> => {
    const out: StackResourceSummary[] = [];
    try {
      for await (const page of paginateListStackResources({ client: cfn }, { StackName: names.stateful })) {
        out.push(...(page.StackResourceSummaries ?? []));
      }
    } catch (error) {
      throw new TargetError(
        `Cannot list the resources of stack ${names.stateful} (${(error as Error).name}: ${(error as Error).message}). Check the stage name, AWS credentials and AWS_REGION.`,
      );
    }
    return out;
  };
  const statefulResources = once(loadStatefulResources);

  const loadQueues = async (): Promise<QueueRef[]> => {
    const out: QueueRef[] = [];
    for (const r of await statefulResources()) {
      const hop = hopOf(r.LogicalResourceId ?? '');
      // The physical id of an AWS::SQS::Queue is its URL.
      if (r.ResourceType !== 'AWS::SQS::Queue' || !hop || !r.PhysicalResourceId) continue;
      const url = r.PhysicalResourceId;
      try {
        const attributes = await c.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
        );
        out.push({
          name: url.split('/').pop() ?? url,
          url,
          arn: attributes.Attributes?.QueueArn ?? '',
          hop,
          usedBy: [],
        });
      } catch (error) {
        throw new TargetError(
          `Cannot read queue ${url} of stack ${names.stateful} (${(error as Error).name}: ${(error as Error).message}).`,
        );
      }
    }
    return out;
  };

  const loadMappings = async (): Promise<StreamMappingRef[]> => {
    const dlqArns = new Set((await queues()).map((q) => q.arn));
    const out: StreamMappingRef[] = [];
    // Only the mappings that dead-letter into this stage's queues: that is the relay's.
    for await (const page of paginateListEventSourceMappings({ client: c.lambda }, {})) {
      for (const m of page.EventSourceMappings ?? []) {
        const onFailure = m.DestinationConfig?.OnFailure?.Destination;
        if (!m.EventSourceArn?.includes(':dynamodb:') || !onFailure || !dlqArns.has(onFailure)) continue;
        out.push({
          functionName: /function:([^:]+)/.exec(m.FunctionArn ?? '')?.[1] ?? m.FunctionArn ?? '',
          eventSourceArn: m.EventSourceArn,
          filters: (m.FilterCriteria?.Filters ?? []).map((f) => f.Pattern ?? '{}'),
          batchSize: m.BatchSize ?? 100,
          onFailureArn: onFailure,
        });
      }
    }
    return out;
  };

  const queues = once(loadQueues);
  const mappings = once(loadMappings);
  return {
    ...c,
    label: `stage ${stage}`,
    async deadLetterQueues() {
      const list = await queues();
      const maps = await mappings();
      return list.map((q) => ({
        ...q,
        usedBy: maps.filter((m) => m.onFailureArn === q.arn).map((m) => `on-failure destination of ${m.functionName}`),
      }));
    },
    streamMappings: mappings,
    async reconcilerFunctionName() {
      try {
        const out = await cfn.send(new DescribeStacksCommand({ StackName: names.stateless }));
        const name = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'ReconcilerFunctionName')?.OutputValue;
        if (!name) throw new Error(`stack ${names.stateless} has no output ReconcilerFunctionName`);
        return name;
      } catch (error) {
        throw new TargetError(
          `Cannot read the reconciler's name from stack ${names.stateless} (${(error as Error).message}). Check the stage name, AWS credentials and AWS_REGION.`,
        );
      }
    },
    async eventBusName() {
      // The physical id of an AWS::Events::EventBus is its name (what the relay's EVENT_BUS_NAME holds).
      const buses = (await statefulResources())
        .filter((r) => r.ResourceType === 'AWS::Events::EventBus' && r.PhysicalResourceId)
        .map((r) => r.PhysicalResourceId ?? '');
      return theBus(buses, `stack ${names.stateful}`);
    },
    close: () => {
      closeAll(c);
      cfn.destroy();
    },
  };
}
