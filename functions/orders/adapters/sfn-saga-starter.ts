import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SagaStarter } from '../domain/order';

/**
 * Starts executions by name. Step Functions keeps names unique per state machine (STANDARD: for 90 days), so the
 * name is the saga's idempotency key: a repeated start finds the execution that exists.
 */
export class StepFunctionsSagaStarter implements SagaStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: unknown): Promise<'started' | 'alreadyStarted'> {
    try {
      await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return 'started';
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as { name?: string }).name === 'ExecutionAlreadyExists') {
        return 'alreadyStarted';
      }
      throw error;
    }
  }
}
