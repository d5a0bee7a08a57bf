/**
 * The house Lambda function: Node.js 22 on arm64, bundled by esbuild (minified, source maps, the AWS SDK from the
 * runtime), its own log group, active tracing, Powertools configuration, and bind helpers that set
 * an environment variable and grant the matching permission together, so the two never drift apart.
 */

import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ENV } from '../../functions/shared/runtime/config';
import { METRICS_NAMESPACE } from '../../functions/shared/runtime/powertools';
import { acknowledgeFunctionDefaults, acknowledgeTableIndexGrant } from '../nag-suppressions';

export const FUNCTIONS_DIR = join(__dirname, '..', '..', 'functions');

/**
 * How every function is bundled (exported so the bundle-size budget test bundles exactly the same way).
 * The AWS SDK v3 is left to the Lambda runtime, which ships it: bundling it would add 300-400 KB to every function
 * (see docs/decisions/0009-sdk-from-the-runtime.md); everything else is bundled, tree-shaken and minified.
 */
export const BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  format: OutputFormat.CJS,
  // Prefer ES module builds so esbuild can drop what a function does not use.
  mainFields: ['module', 'main'],
  externalModules: ['@aws-sdk/*'],
};
const PROJECT_ROOT = join(__dirname, '..', '..');

export interface AppFunctionProps {
  /** Handler file, relative to `functions/` (e.g. `orders/handlers/place-order.ts`); it exports `handler`. */
  readonly entry: string;
  /** Domain the function belongs to: the Powertools service name and a tag. */
  readonly domain: string;
  readonly description?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** Extra environment variables. */
  readonly environment?: Record<string, string>;
  /** @default - one month in non-production stages, one year in `prod` */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY (the stateless stack holds nothing that must outlive it) */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export class AppFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: join(FUNCTIONS_DIR, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.domain,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: BUNDLING,
    });
    acknowledgeFunctionDefaults(this);
  }

  /** TABLE_NAME + read or read/write data access. */
  bindTable(table: ITable, access: 'read' | 'readWrite'): this {
    this.addEnvironment(ENV.tableName, table.tableName);
    if (access === 'read') table.grantReadData(this);
    else table.grantReadWriteData(this);
    acknowledgeTableIndexGrant(this, table);
    return this;
  }

  /** EVENT_BUS_NAME + events:PutEvents on that bus only. */
  bindEventBus(bus: IEventBus): this {
    this.addEnvironment(ENV.eventBusName, bus.eventBusName);
    bus.grantPutEventsTo(this);
    return this;
  }

  /** CHECKOUT_STATE_MACHINE_ARN + states:StartExecution on that state machine only. */
  bindStateMachine(stateMachine: IStateMachine): this {
    this.addEnvironment(ENV.stateMachineArn, stateMachine.stateMachineArn);
    stateMachine.grantStartExecution(this);
    return this;
  }

  /** DEAD_LETTER_QUEUE_URL + sqs:SendMessage on that queue only. */
  bindDeadLetterQueue(queue: IQueue): this {
    this.addEnvironment(ENV.deadLetterQueueUrl, queue.queueUrl);
    queue.grantSendMessages(this);
    return this;
  }
}
