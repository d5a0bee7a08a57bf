/**
 * The environment of a function's execution environment, before its own `Environment.Variables`: the variables
 * the Lambda runtime sets, dummy credentials (an access key id of its own), and the `AWS_ENDPOINT_URL_*` variables
 * that send the standard SDK clients to the local services.
 */
import { accessKeyIdFor } from '../identity';
import type { FunctionDef } from '../template/model';

export interface LocalEndpoints {
  /** The AWS-compatible endpoint (EventBridge, Step Functions, SQS, Lambda). */
  readonly services: string;
  /** DynamoDB for the functions (the counting proxy). */
  readonly dynamodb: string;
  readonly dynamodbStreams: string;
  /** NODE_PATH for the runtime-provided AWS SDK (see provided-modules.ts). */
  readonly nodePath: string | undefined;
  readonly region: string;
}

export function lambdaEnvironment(def: FunctionDef, endpoints: LocalEndpoints): Record<string, string> {
  return {
    ...(endpoints.nodePath ? { NODE_PATH: endpoints.nodePath } : {}),
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: 'UTC',
    AWS_LAMBDA_FUNCTION_NAME: def.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(def.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${def.name}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: endpoints.region,
    AWS_DEFAULT_REGION: endpoints.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${def.runtime}`,
    _HANDLER: def.handler,
    LAMBDA_TASK_ROOT: def.codeDir ?? '',
    // Its own key: the local services know which function sent a request (local/identity.ts).
    AWS_ACCESS_KEY_ID: accessKeyIdFor(def.name),
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
    // Any other service fails fast at the local endpoint instead of reaching AWS with dummy credentials.
    AWS_ENDPOINT_URL: endpoints.services,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodbStreams,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.services,
    AWS_ENDPOINT_URL_SFN: endpoints.services,
    AWS_ENDPOINT_URL_SQS: endpoints.services,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.services,
  };
}
