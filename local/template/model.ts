/**
 * The local runtime's view of the template: typed definitions of the resources it runs, derived from the
 * resolved CloudFormation properties. Nothing product-specific lives here: a route, rule or saga step added
 * in `lib/` appears in these lists after the next synth.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { functionNameFrom, lastSegment } from '../arn';
import type { ResourceRef, TemplateResolver } from './resolver';
import { UnsupportedTemplateError } from './resolver';

export interface FunctionDef {
  readonly logicalId: string;
  readonly stackName: string;
  readonly name: string;
  readonly arn: string;
  readonly handler: string;
  /** Directory holding the bundled code, or undefined when the function cannot run locally. */
  readonly codeDir: string | undefined;
  /** Why the function cannot run locally (non-Node runtime, no asset), when it cannot. */
  readonly notRunnable?: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly reservedConcurrency: number | undefined;
  readonly deadLetterArn: string | undefined;
}

export interface KeySchemaElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

export interface TableDef {
  readonly ref: ResourceRef;
  readonly name: string;
  readonly arn: string;
  readonly keySchema: KeySchemaElement[];
  readonly attributeDefinitions: { AttributeName: string; AttributeType: string }[];
  readonly globalSecondaryIndexes: {
    IndexName: string;
    KeySchema: KeySchemaElement[];
    Projection: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }[];
  readonly localSecondaryIndexes: TableDef['globalSecondaryIndexes'];
  readonly streamViewType: string | undefined;
  readonly ttlAttribute: string | undefined;
  /** `BillingMode: PAY_PER_REQUEST` (CloudFormation's default is provisioned). */
  readonly onDemand: boolean;
}

export interface QueueDef {
  readonly name: string;
  readonly arn: string;
  readonly url: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly delaySeconds: number;
  readonly redrive: { deadLetterTargetArn: string; maxReceiveCount: number } | undefined;
}

export interface BusDef {
  readonly name: string;
  readonly arn: string;
}

export interface TargetDef {
  readonly id: string;
  readonly arn: string;
  readonly input: string | undefined;
  readonly inputPath: string | undefined;
  readonly inputTransformer: { inputPathsMap: Record<string, string>; inputTemplate: string } | undefined;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly deadLetterArn: string | undefined;
  readonly messageGroupId: string | undefined;
}

export interface RuleDef {
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly pattern: Record<string, unknown> | undefined;
  readonly schedule: string | undefined;
  readonly enabled: boolean;
  readonly targets: TargetDef[];
}

export interface ArchiveDef {
  readonly name: string;
  readonly sourceArn: string;
  readonly pattern: unknown;
}

export interface EventSourceMappingDef {
  readonly id: string;
  readonly functionName: string;
  readonly eventSourceArn: string;
  readonly kind: 'dynamodb' | 'sqs' | 'unsupported';
  readonly enabled: boolean;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly startingPosition: 'LATEST' | 'TRIM_HORIZON';
  readonly filters: string[];
  readonly reportBatchItemFailures: boolean;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1 = retry until the record expires (the AWS default for streams). */
  readonly maximumRetryAttempts: number;
  /** -1 = no limit. */
  readonly maximumRecordAgeSeconds: number;
  readonly parallelizationFactor: number;
  readonly onFailureArn: string | undefined;
}

export interface EventInvokeConfigDef {
  readonly functionName: string;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly onFailureArn: string | undefined;
  readonly onSuccessArn: string | undefined;
}

export interface StateMachineDef {
  readonly name: string;
  readonly arn: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly definition: Record<string, unknown>;
}

export interface ThrottleDef {
  readonly burstLimit: number;
  readonly rateLimit: number;
}

export interface IntegrationDef {
  readonly id: string;
  readonly type: string;
  readonly subtype: string | undefined;
  readonly functionName: string | undefined;
  readonly payloadFormatVersion: string;
  readonly timeoutMs: number;
  readonly requestParameters: Record<string, string>;
}

export interface RouteDef {
  readonly routeKey: string;
  readonly integration: IntegrationDef | undefined;
  readonly authorizationType: string;
}

export interface CorsDef {
  readonly allowOrigins: string[];
  readonly allowMethods: string[];
  readonly allowHeaders: string[];
  readonly exposeHeaders: string[];
  readonly allowCredentials: boolean;
  readonly maxAge: number | undefined;
}

export interface HttpApiDef {
  readonly apiId: string;
  readonly name: string;
  readonly stageName: string;
  readonly defaultThrottle: ThrottleDef | undefined;
  readonly routeThrottles: Record<string, ThrottleDef>;
  readonly routes: RouteDef[];
  readonly cors: CorsDef | undefined;
}

export interface LocalModel {
  readonly functions: FunctionDef[];
  readonly queues: QueueDef[];
  readonly buses: BusDef[];
  readonly rules: RuleDef[];
  readonly archives: ArchiveDef[];
  readonly eventSourceMappings: EventSourceMappingDef[];
  readonly eventInvokeConfigs: EventInvokeConfigDef[];
  readonly stateMachines: StateMachineDef[];
  readonly httpApis: HttpApiDef[];
  /** Resource types present in the template that have no local behaviour, with counts. */
  readonly notEmulated: Record<string, number>;
  readonly warnings: string[];
}

/** Types the runtime runs, plus types that need no local behaviour (IAM is not enforced locally). */
const HANDLED_TYPES = new Set([
  'AWS::DynamoDB::Table',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::SQS::Queue',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::Events::Archive',
  'AWS::StepFunctions::StateMachine',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Stage',
]);
const NO_LOCAL_BEHAVIOUR = new Set([
  'AWS::CDK::Metadata',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
  'AWS::SQS::QueuePolicy',
  'AWS::Events::EventBusPolicy',
  'AWS::ApiGatewayV2::Deployment',
]);

type Props = Record<string, unknown>;

function num(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

export function buildTableDefs(resolver: TemplateResolver): TableDef[] {
  return resolver.resources('AWS::DynamoDB::Table').map((ref) => {
    const props = resolver.resolve(ref.stack, ref.resource.Properties ?? {}, resolver.describe(ref)) as Props;
    const name = resolver.physicalName(ref);
    const stream = props.StreamSpecification as { StreamViewType?: string } | undefined;
    const ttl = props.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
    return {
      ref,
      name,
      arn: String(resolver.getAtt(ref.stack, ref.logicalId, 'Arn', resolver.describe(ref))),
      keySchema: (props.KeySchema ?? []) as KeySchemaElement[],
      attributeDefinitions: (props.AttributeDefinitions ?? []) as TableDef['attributeDefinitions'],
      globalSecondaryIndexes: (props.GlobalSecondaryIndexes ?? []) as TableDef['globalSecondaryIndexes'],
      localSecondaryIndexes: (props.LocalSecondaryIndexes ?? []) as TableDef['localSecondaryIndexes'],
      streamViewType: stream?.StreamViewType,
      ttlAttribute: ttl?.Enabled === false ? undefined : ttl?.AttributeName,
      onDemand: props.BillingMode === 'PAY_PER_REQUEST',
    };
  });
}

/** Builds everything but the tables (which must exist first, so that their stream ARNs are known). */
export function buildModel(resolver: TemplateResolver): LocalModel {
  const warnings: string[] = [];
  const props = (ref: ResourceRef) =>
    resolver.resolve(ref.stack, ref.resource.Properties ?? {}, resolver.describe(ref)) as Props;
  const str = (ref: ResourceRef, name: string): string | undefined => {
    const v = resolver.resolveProperty(ref, name);
    return v === undefined ? undefined : String(v);
  };
  const attr = (ref: ResourceRef, attribute: string) =>
    String(resolver.getAtt(ref.stack, ref.logicalId, attribute, resolver.describe(ref)));

  const functions = resolver.resources('AWS::Lambda::Function').map((ref): FunctionDef => {
    const runtime = str(ref, 'Runtime') ?? '';
    const handler = str(ref, 'Handler') ?? 'index.handler';
    const assetPath = ref.resource.Metadata?.['aws:asset:path'];
    const codeDir = typeof assetPath === 'string' ? join(ref.stack.assemblyDir, assetPath) : undefined;
    let notRunnable: string | undefined;
    if (!runtime.startsWith('nodejs')) notRunnable = `runtime ${runtime || '(none)'} is not a Node.js runtime`;
    else if (!codeDir || !existsSync(codeDir)) notRunnable = 'its code is not a bundled asset in cdk.out';
    const env = (resolver.resolveProperty(ref, 'Environment') as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    const environment: Record<string, string> = {};
    for (const [k, v] of Object.entries(env ?? {})) environment[k] = typeof v === 'string' ? v : JSON.stringify(v);
    const reserved = resolver.resolveProperty(ref, 'ReservedConcurrentExecutions');
    const dlq = resolver.resolveProperty(ref, 'DeadLetterConfig') as { TargetArn?: string } | undefined;
    if (resolver.resolveProperty(ref, 'Layers'))
      warnings.push(`${resolver.describe(ref)}: layers are not loaded locally`);
    return {
      logicalId: ref.logicalId,
      stackName: ref.stack.stackName,
      name: resolver.physicalName(ref),
      arn: attr(ref, 'Arn'),
      handler,
      codeDir: notRunnable ? undefined : codeDir,
      notRunnable,
      runtime,
      timeoutSeconds: num(resolver.resolveProperty(ref, 'Timeout'), 3),
      memoryMb: num(resolver.resolveProperty(ref, 'MemorySize'), 128),
      environment,
      reservedConcurrency: reserved === undefined ? undefined : num(reserved, 0),
      deadLetterArn: dlq?.TargetArn,
    };
  });

  const queues = resolver.resources('AWS::SQS::Queue').map((ref): QueueDef => {
    const p = props(ref);
    const name = resolver.physicalName(ref);
    const redrive = (typeof p.RedrivePolicy === 'string' ? JSON.parse(p.RedrivePolicy) : p.RedrivePolicy) as
      | { deadLetterTargetArn?: string; maxReceiveCount?: number }
      | undefined;
    return {
      name,
      arn: attr(ref, 'Arn'),
      url: attr(ref, 'QueueUrl'),
      fifo: p.FifoQueue === true || p.FifoQueue === 'true',
      visibilityTimeoutSeconds: num(p.VisibilityTimeout, 30),
      retentionSeconds: num(p.MessageRetentionPeriod, 345_600),
      delaySeconds: num(p.DelaySeconds, 0),
      redrive: redrive?.deadLetterTargetArn
        ? { deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: num(redrive.maxReceiveCount, 10) }
        : undefined,
    };
  });

  const defaultBusArn = `arn:${resolver.env.partition}:events:${resolver.env.region}:${resolver.env.account}:event-bus/default`;
  const buses: BusDef[] = [{ name: 'default', arn: defaultBusArn }];
  for (const ref of resolver.resources('AWS::Events::EventBus')) {
    buses.push({ name: resolver.physicalName(ref), arn: attr(ref, 'Arn') });
  }

  const rules = resolver.resources('AWS::Events::Rule').map((ref): RuleDef => {
    const p = props(ref);
    const bus = p.EventBusName === undefined ? 'default' : lastSegment(String(p.EventBusName));
    const rawPattern = p.EventPattern;
    const pattern = (typeof rawPattern === 'string' ? JSON.parse(rawPattern) : rawPattern) as
      | Record<string, unknown>
      | undefined;
    const targets = ((p.Targets ?? []) as Props[]).map((t): TargetDef => {
      const retry = (t.RetryPolicy ?? {}) as { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
      const transformer = t.InputTransformer as
        | { InputPathsMap?: Record<string, string>; InputTemplate?: string }
        | undefined;
      return {
        id: String(t.Id),
        arn: String(t.Arn),
        input: t.Input === undefined ? undefined : String(t.Input),
        inputPath: t.InputPath === undefined ? undefined : String(t.InputPath),
        inputTransformer: transformer
          ? { inputPathsMap: transformer.InputPathsMap ?? {}, inputTemplate: String(transformer.InputTemplate ?? '') }
          : undefined,
        maximumRetryAttempts: num(retry.MaximumRetryAttempts, 185),
        maximumEventAgeSeconds: num(retry.MaximumEventAgeInSeconds, 86_400),
        deadLetterArn: (t.DeadLetterConfig as { Arn?: string } | undefined)?.Arn,
        messageGroupId: (t.SqsParameters as { MessageGroupId?: string } | undefined)?.MessageGroupId,
      };
    });
    return {
      name: resolver.physicalName(ref),
      arn: attr(ref, 'Arn'),
      busName: bus,
      pattern,
      schedule: p.ScheduleExpression === undefined ? undefined : String(p.ScheduleExpression),
      enabled: p.State === undefined || String(p.State).startsWith('ENABLED'),
      targets,
    };
  });

  const archives = resolver.resources('AWS::Events::Archive').map((ref): ArchiveDef => {
    const p = props(ref);
    return { name: resolver.physicalName(ref), sourceArn: String(p.SourceArn), pattern: p.EventPattern };
  });

  const eventSourceMappings = resolver
    .resources('AWS::Lambda::EventSourceMapping')
    .map((ref): EventSourceMappingDef => {
      const p = props(ref);
      const arn = String(p.EventSourceArn ?? '');
      const kind = arn.includes(':dynamodb:') ? 'dynamodb' : arn.includes(':sqs:') ? 'sqs' : 'unsupported';
      if (kind === 'unsupported') warnings.push(`${resolver.describe(ref)}: event source ${arn} is not emulated`);
      const filters = ((p.FilterCriteria as { Filters?: { Pattern?: unknown }[] } | undefined)?.Filters ?? []).map(
        (f) => (typeof f.Pattern === 'string' ? f.Pattern : JSON.stringify(f.Pattern ?? {})),
      );
      const destination = (p.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined)?.OnFailure
        ?.Destination;
      if (p.TumblingWindowInSeconds) warnings.push(`${resolver.describe(ref)}: tumbling windows are not emulated`);
      return {
        id: ref.logicalId,
        functionName: functionNameFrom(String(p.FunctionName)),
        eventSourceArn: arn,
        kind,
        enabled: p.Enabled === undefined || p.Enabled === true || p.Enabled === 'true',
        batchSize: num(p.BatchSize, kind === 'sqs' ? 10 : 100),
        maxBatchingWindowSeconds: num(p.MaximumBatchingWindowInSeconds, 0),
        startingPosition: p.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
        filters,
        reportBatchItemFailures: ((p.FunctionResponseTypes ?? []) as string[]).includes('ReportBatchItemFailures'),
        bisectBatchOnFunctionError: p.BisectBatchOnFunctionError === true || p.BisectBatchOnFunctionError === 'true',
        maximumRetryAttempts: num(p.MaximumRetryAttempts, -1),
        maximumRecordAgeSeconds: num(p.MaximumRecordAgeInSeconds, -1),
        parallelizationFactor: Math.max(1, num(p.ParallelizationFactor, 1)),
        onFailureArn: destination,
      };
    });

  const eventInvokeConfigs = resolver.resources('AWS::Lambda::EventInvokeConfig').map((ref): EventInvokeConfigDef => {
    const p = props(ref);
    const dest = (p.DestinationConfig ?? {}) as {
      OnFailure?: { Destination?: string };
      OnSuccess?: { Destination?: string };
    };
    return {
      functionName: functionNameFrom(String(p.FunctionName)),
      maximumRetryAttempts: num(p.MaximumRetryAttempts, 2),
      maximumEventAgeSeconds: num(p.MaximumEventAgeInSeconds, 21_600),
      onFailureArn: dest.OnFailure?.Destination,
      onSuccessArn: dest.OnSuccess?.Destination,
    };
  });

  const stateMachines = resolver.resources('AWS::StepFunctions::StateMachine').map((ref): StateMachineDef => {
    const p = props(ref);
    let definition: Record<string, unknown>;
    if (typeof p.DefinitionString === 'string') {
      let text = p.DefinitionString;
      for (const [key, value] of Object.entries((p.DefinitionSubstitutions ?? {}) as Record<string, unknown>)) {
        text = text.split(`\${${key}}`).join(String(value));
      }
      definition = JSON.parse(text) as Record<string, unknown>;
    } else if (p.Definition && typeof p.Definition === 'object') {
      let text = JSON.stringify(p.Definition);
      for (const [key, value] of Object.entries((p.DefinitionSubstitutions ?? {}) as Record<string, unknown>)) {
        text = text.split(`\${${key}}`).join(String(value).replace(/"/g, '\\"'));
      }
      definition = JSON.parse(text) as Record<string, unknown>;
    } else {
      throw new UnsupportedTemplateError(
        `${resolver.describe(ref)}: the definition is in S3 (DefinitionS3Location), which the local runtime cannot read`,
      );
    }
    return {
      name: resolver.physicalName(ref),
      arn: attr(ref, 'Arn'),
      type: p.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      definition,
    };
  });

  const httpApis = buildHttpApis(resolver, warnings);

  const notEmulated: Record<string, number> = {};
  for (const [type, count] of resolver.typeCounts()) {
    if (!HANDLED_TYPES.has(type) && !NO_LOCAL_BEHAVIOUR.has(type)) notEmulated[type] = count;
  }
  return {
    functions,
    queues,
    buses,
    rules,
    archives,
    eventSourceMappings,
    eventInvokeConfigs,
    stateMachines,
    httpApis,
    notEmulated,
    warnings,
  };
}

function throttleOf(settings: unknown): ThrottleDef | undefined {
  const s = settings as { ThrottlingBurstLimit?: number; ThrottlingRateLimit?: number } | undefined;
  if (!s || (s.ThrottlingBurstLimit === undefined && s.ThrottlingRateLimit === undefined)) return undefined;
  return { burstLimit: num(s.ThrottlingBurstLimit, 5000), rateLimit: num(s.ThrottlingRateLimit, 10_000) };
}

function buildHttpApis(resolver: TemplateResolver, warnings: string[]): HttpApiDef[] {
  const props = (ref: ResourceRef) =>
    resolver.resolve(ref.stack, ref.resource.Properties ?? {}, resolver.describe(ref)) as Props;
  const integrations = new Map<string, IntegrationDef>();
  for (const ref of resolver.resources('AWS::ApiGatewayV2::Integration')) {
    const p = props(ref);
    const id = String(resolver.ref(ref.stack, ref.logicalId, resolver.describe(ref)));
    const uri = p.IntegrationUri === undefined ? undefined : String(p.IntegrationUri);
    integrations.set(`${String(p.ApiId)}/${id}`, {
      id,
      type: String(p.IntegrationType ?? ''),
      subtype: p.IntegrationSubtype === undefined ? undefined : String(p.IntegrationSubtype),
      functionName: uri?.includes(':lambda:') ? functionNameFrom(uri.replace(/\/invocations$/, '')) : undefined,
      payloadFormatVersion: String(p.PayloadFormatVersion ?? '2.0'),
      timeoutMs: num(p.TimeoutInMillis, 30_000),
      requestParameters: (p.RequestParameters ?? {}) as Record<string, string>,
    });
  }
  const apis: HttpApiDef[] = [];
  for (const ref of resolver.resources('AWS::ApiGatewayV2::Api')) {
    const p = props(ref);
    if (p.ProtocolType !== 'HTTP') {
      warnings.push(`${resolver.describe(ref)}: only HTTP APIs are emulated (this is ${String(p.ProtocolType)})`);
      continue;
    }
    const apiId = String(resolver.ref(ref.stack, ref.logicalId, resolver.describe(ref)));
    const routes: RouteDef[] = [];
    if (p.Target !== undefined) {
      routes.push({
        routeKey: String(p.RouteKey ?? '$default'),
        authorizationType: 'NONE',
        integration: {
          id: 'quick-create',
          type: 'AWS_PROXY',
          subtype: undefined,
          functionName: functionNameFrom(String(p.Target)),
          payloadFormatVersion: '2.0',
          timeoutMs: 30_000,
          requestParameters: {},
        },
      });
    }
    for (const routeRef of resolver.resources('AWS::ApiGatewayV2::Route')) {
      const rp = props(routeRef);
      if (String(rp.ApiId) !== apiId) continue;
      const target = rp.Target === undefined ? undefined : String(rp.Target).replace(/^integrations\//, '');
      const integration = target ? integrations.get(`${apiId}/${target}`) : undefined;
      const authorizationType = String(rp.AuthorizationType ?? 'NONE');
      if (authorizationType !== 'NONE') {
        warnings.push(`route ${String(rp.RouteKey)}: ${authorizationType} authorization is not enforced locally`);
      }
      routes.push({ routeKey: String(rp.RouteKey), integration, authorizationType });
    }
    const stages = resolver.resources('AWS::ApiGatewayV2::Stage').filter((s) => {
      return String(resolver.resolveProperty(s, 'ApiId')) === apiId;
    });
    const stageRef = stages.find((s) => resolver.resolveProperty(s, 'StageName') === '$default') ?? stages[0];
    const stage = stageRef ? props(stageRef) : { StageName: '$default' };
    const routeThrottles: Record<string, ThrottleDef> = {};
    for (const [key, settings] of Object.entries((stage.RouteSettings ?? {}) as Record<string, unknown>)) {
      const t = throttleOf(settings);
      if (t) routeThrottles[key] = t;
    }
    const cors = p.CorsConfiguration as
      | {
          AllowOrigins?: string[];
          AllowMethods?: string[];
          AllowHeaders?: string[];
          ExposeHeaders?: string[];
          AllowCredentials?: boolean;
          MaxAge?: number;
        }
      | undefined;
    apis.push({
      apiId,
      name: String(p.Name ?? ref.logicalId),
      stageName: String(stage.StageName ?? '$default'),
      defaultThrottle: throttleOf(stage.DefaultRouteSettings),
      routeThrottles,
      routes,
      cors: cors
        ? {
            allowOrigins: cors.AllowOrigins ?? [],
            allowMethods: cors.AllowMethods ?? [],
            allowHeaders: cors.AllowHeaders ?? [],
            exposeHeaders: cors.ExposeHeaders ?? [],
            allowCredentials: cors.AllowCredentials === true,
            maxAge: cors.MaxAge,
          }
        : undefined,
    });
  }
  return apis;
}
