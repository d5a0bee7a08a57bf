/** The Step Functions slice of the service endpoint (`X-Amz-Target: AWSStepFunctions.*`). */
import { describeExecution, type StepFunctionsEngine, StepFunctionsError } from '../stepfunctions/engine';
import { toAwsHistory } from '../stepfunctions/history';
import { requireString, ServiceError } from './protocol';

function page<T>(items: T[], body: Record<string, unknown>, fallback = 100): { items: T[]; nextToken?: string } {
  const max = Math.min(Number(body.maxResults ?? 0) || fallback, 1000);
  const offset = Number(body.nextToken ?? 0) || 0;
  const slice = items.slice(offset, offset + max);
  return { items: slice, ...(offset + max < items.length ? { nextToken: String(offset + max) } : {}) };
}

export function stepFunctionsApi(engine: StepFunctionsEngine) {
  const handle = async (operation: string, body: Record<string, unknown>): Promise<unknown> => {
    switch (operation) {
      case 'StartExecution': {
        const { execution } = engine.start(
          requireString(body, 'stateMachineArn'),
          body.name === undefined ? undefined : String(body.name),
          body.input === undefined ? undefined : String(body.input),
        );
        return { executionArn: execution.executionArn, startDate: execution.startDate / 1000 };
      }
      case 'StartSyncExecution': {
        const e = await engine.startSync(
          requireString(body, 'stateMachineArn'),
          body.name === undefined ? undefined : String(body.name),
          body.input === undefined ? undefined : String(body.input),
        );
        return {
          ...describeExecution(e),
          billingDetails: {
            billedDurationInMilliseconds: (e.stopDate ?? Date.now()) - e.startDate,
            billedMemoryUsedInMB: 64,
          },
        };
      }
      case 'DescribeExecution':
        return describeExecution(engine.get(requireString(body, 'executionArn')));
      case 'GetExecutionHistory': {
        const execution = engine.get(requireString(body, 'executionArn'));
        let events = toAwsHistory(execution.history);
        if (body.reverseOrder === true) events = events.reverse();
        if (body.includeExecutionData === false) {
          events = events.map((e) =>
            Object.fromEntries(
              Object.entries(e).map(([k, v]) => {
                if (!k.endsWith('EventDetails') || !v || typeof v !== 'object') return [k, v];
                const { input: _input, output: _output, ...rest } = v as Record<string, unknown>;
                return [k, rest];
              }),
            ),
          );
        }
        const { items, nextToken } = page(events, body);
        return { events: items, ...(nextToken ? { nextToken } : {}) };
      }
      case 'ListExecutions': {
        const executions = engine.list({
          stateMachineArn: requireString(body, 'stateMachineArn'),
          status: body.statusFilter === undefined ? undefined : String(body.statusFilter),
        });
        if (!engine.machine(String(body.stateMachineArn))) {
          throw new ServiceError(
            'StateMachineDoesNotExist',
            `State Machine Does Not Exist: '${String(body.stateMachineArn)}'`,
          );
        }
        const { items, nextToken } = page(executions, body);
        return {
          executions: items.map((e) => ({
            executionArn: e.executionArn,
            stateMachineArn: e.stateMachineArn,
            name: e.name,
            status: e.status,
            startDate: e.startDate / 1000,
            ...(e.stopDate !== undefined ? { stopDate: e.stopDate / 1000 } : {}),
          })),
          ...(nextToken ? { nextToken } : {}),
        };
      }
      case 'StopExecution': {
        const stopDate = engine.stop(
          requireString(body, 'executionArn'),
          body.error === undefined ? undefined : String(body.error),
          body.cause === undefined ? undefined : String(body.cause),
        );
        return { stopDate: stopDate / 1000 };
      }
      case 'ListStateMachines':
        return {
          stateMachines: engine.stateMachines.map((m) => ({
            stateMachineArn: m.arn,
            name: m.name,
            type: m.type,
            creationDate: 0,
          })),
        };
      case 'DescribeStateMachine': {
        const machine = engine.machine(requireString(body, 'stateMachineArn'));
        if (!machine)
          throw new ServiceError(
            'StateMachineDoesNotExist',
            `State Machine Does Not Exist: '${String(body.stateMachineArn)}'`,
          );
        return {
          stateMachineArn: machine.arn,
          name: machine.name,
          status: 'ACTIVE',
          definition: JSON.stringify(machine.definition),
          roleArn: `arn:aws:iam::000000000000:role/${machine.name}-role`,
          type: machine.type,
          creationDate: 0,
        };
      }
      default:
        throw new ServiceError(
          'UnknownOperationException',
          `Step Functions ${operation} is not served by the local runtime`,
        );
    }
  };
  return async (operation: string, body: Record<string, unknown>) => {
    try {
      return await handle(operation, body);
    } catch (error) {
      if (error instanceof StepFunctionsError) throw new ServiceError(error.code, error.message);
      throw error;
    }
  };
}
