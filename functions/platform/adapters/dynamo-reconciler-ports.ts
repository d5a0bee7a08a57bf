import { DescribeExecutionCommand, ExecutionDoesNotExist, type SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Order, OrderRepository, SagaStarter } from '../../orders/domain/order';
import { outboxItem } from '../../shared/ddb/outbox';
import { queryShardsBefore } from '../../shared/ddb/queries';
import type { EventOf, RepairAppliedV1 } from '../../shared/events/catalog';
import type { SagaInput } from '../../shared/saga/contract';
import { keys } from '../../shared/table/layout';
import type { ExecutionStatus, HeldReservation, ReconcilerPorts } from '../domain/reconcile';

/** Execution ARN of a named execution of a state machine. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export class DynamoReconcilerPorts implements ReconcilerPorts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly orders: OrderRepository,
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
    private readonly saga: SagaStarter,
  ) {}

  async openOrdersOlderThan(cutoff: string): Promise<Order[]> {
    const entries = await queryShardsBefore(this.client, this.tableName, keys.openOrderPartition, cutoff);
    // The index is eventually consistent: read each order again before deciding anything.
    const orders = await Promise.all(entries.map((entry) => this.orders.get(String(entry.orderId))));
    return orders.filter((order): order is Order => order !== undefined);
  }

  async heldReservationsOlderThan(cutoff: string): Promise<HeldReservation[]> {
    const entries = await queryShardsBefore(this.client, this.tableName, keys.heldReservationPartition, cutoff);
    return entries.map((entry) => ({
      orderId: String(entry.orderId),
      sku: String(entry.sku),
      quantity: Number(entry.quantity),
      createdAt: String(entry.createdAt),
    }));
  }

  async executionStatus(name: string): Promise<ExecutionStatus> {
    try {
      const execution = await this.sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArnOf(this.stateMachineArn, name) }),
      );
      return (execution.status ?? 'RUNNING') as ExecutionStatus;
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist || (error as { name?: string }).name === 'ExecutionDoesNotExist')
        return 'NOT_FOUND';
      throw error;
    }
  }

  async startExecution(name: string, input: SagaInput): Promise<void> {
    await this.saga.start(name, input);
  }

  async recordRepair(event: EventOf<typeof RepairAppliedV1>): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: outboxItem(event),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
