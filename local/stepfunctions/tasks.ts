/**
 * What a `Task` state does locally. `aws-local-stepfunctions` would call the Lambda Invoke API with the
 * resource as the function name; instead each Task state gets a local handler that runs the service
 * integration the resource names: `lambda:invoke` (what CDK's LambdaInvoke emits), a function ARN,
 * `events:putEvents`, `sqs:sendMessage`, DynamoDB item operations and `states:startExecution`.
 */

export interface LambdaCallResult {
  readonly requestId: string;
  readonly ok: boolean;
  readonly payload: string;
  readonly error?: { readonly errorType: string; readonly errorMessage: string; readonly trace?: string[] };
  readonly throttled: boolean;
}

export interface TaskContext {
  readonly stateMachineName: string;
  readonly executionName: string;
  readonly stateName: string;
}

export interface TaskServices {
  invokeLambda(functionNameOrArn: string, payloadJson: string, context: TaskContext): Promise<LambdaCallResult>;
  putEvents(entries: Record<string, unknown>[]): Promise<{ FailedEntryCount: number; Entries: unknown[] }>;
  sendMessage(queueUrl: string, body: string, messageGroupId?: string): { MessageId: string; MD5OfMessageBody: string };
  /** A DynamoDB API call (operation in PascalCase); rejects with an error named after the DynamoDB error. */
  dynamodb(operation: string, body: unknown): Promise<unknown>;
  startExecution(
    stateMachineArn: string,
    name: string | undefined,
    input: string,
  ): { executionArn: string; startDate: number };
}

/** One attempt of a Task state, as the execution history records it. */
export interface TaskAttempt {
  succeeded(output: unknown): void;
  failed(error: string, cause: string): void;
}

/** Records each attempt of a Task state for the execution history (TaskScheduled ... TaskSucceeded/Failed). */
export interface TaskRecorder {
  scheduled(stateName: string, resourceType: string, resource: string, parameters: unknown): TaskAttempt;
}

/** An error thrown to the library: its name is what Retry/Catch match on, its message is the Cause. */
export class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export class UnsupportedTaskError extends Error {
  override name = 'UnsupportedTaskError';
}

type StateDef = Record<string, unknown> & { Type?: string; Resource?: string };

/** Every Task state in the definition, including those inside Parallel branches and Map iterators. */
export function collectTaskStates(definition: Record<string, unknown>): Map<string, StateDef> {
  const out = new Map<string, StateDef>();
  const visit = (machine: unknown) => {
    const states = (machine as { States?: Record<string, StateDef> } | undefined)?.States ?? {};
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') out.set(name, state);
      if (state.Type === 'Parallel') for (const branch of (state.Branches as unknown[]) ?? []) visit(branch);
      if (state.Type === 'Map') visit(state.ItemProcessor ?? state.Iterator);
    }
  };
  visit(definition);
  return out;
}

interface Integration {
  readonly resourceType: string;
  readonly resource: string;
  run(input: unknown, services: TaskServices, context: TaskContext): Promise<unknown>;
}

const sdkMetadata = (requestId: string) => ({
  SdkHttpMetadata: { AllHttpHeaders: {}, HttpHeaders: {}, HttpStatusCode: 200 },
  SdkResponseMetadata: { RequestId: requestId },
});

async function callLambda(name: string, payload: unknown, services: TaskServices, context: TaskContext) {
  const result = await services.invokeLambda(name, JSON.stringify(payload ?? null), context);
  if (result.throttled) throw new TaskFailure('Lambda.TooManyRequestsException', 'Rate Exceeded.');
  if (!result.ok) {
    const error = result.error ?? { errorType: 'Lambda.Unknown', errorMessage: result.payload };
    // The Lambda error payload becomes the Cause, as Step Functions reports it.
    throw new TaskFailure(
      error.errorType,
      JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, trace: error.trace ?? [] }),
    );
  }
  return { result, payload: JSON.parse(result.payload) as unknown };
}

function integrationFor(resource: string, stateName: string, smName: string): Integration {
  const optimized = /^arn:[^:]+:states:::([a-z0-9-]+):([A-Za-z]+)(\.[a-zA-Z]+)?$/.exec(resource);
  if (/^arn:[^:]+:lambda:[^:]*:[^:]*:function:/.test(resource)) {
    return {
      resourceType: 'lambda',
      resource,
      run: async (input, services, context) => (await callLambda(resource, input, services, context)).payload,
    };
  }
  if (optimized?.[3] === '.waitForTaskToken' || optimized?.[3] === '.sync') {
    throw new UnsupportedTaskError(
      `State ${stateName} of ${smName} uses ${resource}; the local runtime does not run ${optimized[3]} integrations`,
    );
  }
  const service = optimized?.[1];
  const action = optimized?.[2] ?? '';
  if (service === 'lambda' && action === 'invoke') {
    return {
      resourceType: 'lambda',
      resource: 'invoke',
      run: async (input, services, context) => {
        const params = (input ?? {}) as { FunctionName?: string; Payload?: unknown };
        if (!params.FunctionName)
          throw new TaskFailure('States.Runtime', `${stateName}: Parameters.FunctionName is missing`);
        const { result, payload } = await callLambda(params.FunctionName, params.Payload, services, context);
        return { ExecutedVersion: '$LATEST', Payload: payload, ...sdkMetadata(result.requestId), StatusCode: 200 };
      },
    };
  }
  if (service === 'events' && action === 'putEvents') {
    return {
      resourceType: 'events',
      resource: 'putEvents',
      run: async (input, services) => {
        const entries = ((input as { Entries?: Record<string, unknown>[] })?.Entries ?? []).map((e) => ({
          ...e,
          Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail ?? {}),
        }));
        const out = await services.putEvents(entries);
        if (out.FailedEntryCount > 0) throw new TaskFailure('EventBridge.FailedEntry', JSON.stringify(out));
        return out;
      },
    };
  }
  if (service === 'sqs' && action === 'sendMessage') {
    return {
      resourceType: 'sqs',
      resource: 'sendMessage',
      run: async (input, services) => {
        const params = (input ?? {}) as { QueueUrl?: string; MessageBody?: unknown; MessageGroupId?: string };
        const body = typeof params.MessageBody === 'string' ? params.MessageBody : JSON.stringify(params.MessageBody);
        return services.sendMessage(String(params.QueueUrl), body, params.MessageGroupId);
      },
    };
  }
  if (service === 'dynamodb' && ['getItem', 'putItem', 'updateItem', 'deleteItem'].includes(action)) {
    const operation = action.charAt(0).toUpperCase() + action.slice(1);
    return {
      resourceType: 'dynamodb',
      resource: action,
      run: (input, services) =>
        services.dynamodb(operation, input).catch((e: Error) => {
          throw new TaskFailure(`DynamoDB.${e.name}`, e.message);
        }),
    };
  }
  const sdk = /^arn:[^:]+:states:::aws-sdk:dynamodb:([a-zA-Z]+)$/.exec(resource);
  if (sdk?.[1]) {
    const operation = sdk[1].charAt(0).toUpperCase() + sdk[1].slice(1);
    return {
      resourceType: 'aws-sdk:dynamodb',
      resource: sdk[1],
      run: (input, services) =>
        services.dynamodb(operation, input).catch((e: Error) => {
          throw new TaskFailure(`DynamoDb.${e.name}`, e.message);
        }),
    };
  }
  if (service === 'states' && action === 'startExecution') {
    return {
      resourceType: 'states',
      resource: 'startExecution',
      run: async (input, services) => {
        const params = (input ?? {}) as { StateMachineArn?: string; Name?: string; Input?: unknown };
        const text = typeof params.Input === 'string' ? params.Input : JSON.stringify(params.Input ?? {});
        const out = services.startExecution(String(params.StateMachineArn), params.Name, text);
        return { ExecutionArn: out.executionArn, StartDate: new Date(out.startDate).toISOString() };
      },
    };
  }
  throw new UnsupportedTaskError(
    `State ${stateName} of ${smName} uses ${resource}, which the local runtime does not run`,
  );
}

/** Checks every Task resource up front, so an unsupported one fails the start, not an execution. */
export function planTasks(definition: Record<string, unknown>, smName: string): Map<string, Integration> {
  const plan = new Map<string, Integration>();
  for (const [name, state] of collectTaskStates(definition))
    plan.set(name, integrationFor(String(state.Resource), name, smName));
  return plan;
}

/** The `taskResourceLocalHandlers` of one execution. */
export function taskHandlers(
  plan: Map<string, Integration>,
  services: TaskServices,
  context: Omit<TaskContext, 'stateName'>,
  recorder: TaskRecorder,
): Record<string, (input: unknown) => Promise<unknown>> {
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [stateName, integration] of plan) {
    handlers[stateName] = async (input) => {
      const attempt = recorder.scheduled(stateName, integration.resourceType, integration.resource, input);
      try {
        const output = await integration.run(input, services, { ...context, stateName });
        attempt.succeeded(output);
        return output;
      } catch (error) {
        const failure = error instanceof TaskFailure ? error : new TaskFailure('States.TaskFailed', String(error));
        attempt.failed(failure.name, failure.message);
        throw failure;
      }
    };
  }
  return handlers;
}
