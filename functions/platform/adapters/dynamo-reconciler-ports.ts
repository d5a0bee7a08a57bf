import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Order, OrderRepository, SagaStarter } from '../../orders/domain/order';
import { outboxItem } from '../../shared/ddb/outbox';
import { queryShardsPage } from '../../shared/ddb/queries';
import { isConditionalCheckFailed } from '../../shared/ddb/transactions';
import { type CancelReason, cancelReasonSchema, type EventOf, type RepairAppliedV1 } from '../../shared/events/catalog';
import type { SagaInput } from '../../shared/saga/contract';
import { ENTITY, keys } from '../../shared/table/layout';
import type {
  ClosedPayment,
  Cursors,
  ExecutionStatus,
  HeldReservation,
  Page,
  ReconcilerPorts,
} from '../domain/reconcile';

/** Execution ARN of a named execution of a state machine. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** History events read, newest first, to find the execution's cancellation reason. */
const HISTORY_PAGE = 100;

/** The cancellation reason a state's input carries once the saga decided it (`$.reason`), if any. */
export function reasonOfInput(input: string | undefined): CancelReason | undefined {
  if (!input) return undefined;
  try {
    const parsed = cancelReasonSchema.safeParse((JSON.parse(input) as { reason?: unknown } | null)?.reason);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
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

  private page(partition: (shard: number) => string, until: string, limit: number, cursor: string | undefined) {
    return queryShardsPage(this.client, { tableName: this.tableName, partition, until, limit, cursor });
  }

  async openOrders(cutoff: string, limit: number, cursor: string | undefined): Promise<Page<Order>> {
    const page = await this.page(keys.openOrderPartition, cutoff, limit, cursor);
    // The index is eventually consistent: read each order again before deciding anything.
    const orders = await Promise.all(page.items.map((entry) => this.orders.get(String(entry.orderId))));
    return { items: orders.filter((order): order is Order => order !== undefined), cursor: page.cursor };
  }

  async heldReservations(cutoff: string, limit: number, cursor: string | undefined): Promise<Page<HeldReservation>> {
    const page = await this.page(keys.heldReservationPartition, cutoff, limit, cursor);
    const items = page.items.map((entry) => ({
      orderId: String(entry.orderId),
      sku: String(entry.sku),
      quantity: Number(entry.quantity),
      createdAt: String(entry.createdAt),
    }));
    return { items, cursor: page.cursor };
  }

  async closedPayments(cutoff: string, limit: number, cursor: string | undefined): Promise<Page<ClosedPayment>> {
    const page = await this.page(keys.closedPaymentPartition, cutoff, limit, cursor);
    const items = page.items.map((entry) => ({
      orderId: String(entry.orderId),
      paymentId: String(entry.paymentId),
      status: String(entry.status),
      updatedAt: String(entry.updatedAt),
    }));
    return { items, cursor: page.cursor };
  }

  async markReviewed(payment: ClosedPayment): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.payment(payment.orderId, payment.paymentId),
          UpdateExpression: 'REMOVE gsi1pk, gsi1sk',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async loadCursors(): Promise<Cursors> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.reconcilerState, ConsistentRead: true }),
    );
    return (result.Item?.cursors as Cursors | undefined) ?? {};
  }

  async saveCursors(cursors: Cursors): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.reconcilerState, entity: ENTITY.reconcilerState, cursors, updatedAt: new Date().toISOString() },
      }),
    );
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

  async executionReason(name: string): Promise<CancelReason | undefined> {
    const history = await this.sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: executionArnOf(this.stateMachineArn, name),
        reverseOrder: true,
        maxResults: HISTORY_PAGE,
      }),
    );
    for (const event of history.events ?? []) {
      const reason = reasonOfInput(event.stateEnteredEventDetails?.input);
      if (reason) return reason;
    }
    return undefined;
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
