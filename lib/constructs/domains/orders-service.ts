import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { AppFunction } from '../app-function';
import { DomainService, type DomainServiceProps } from './domain-service';

/**
 * Orders: place, get, cancel and list over HTTP; ConfirmOrder and CancelOrder for the saga; the saga starter, the
 * customer-orders projection and the saga-failure recorder as event consumers.
 */
export class OrdersService extends DomainService {
  readonly confirmOrder: AppFunction;
  readonly cancelOrder: AppFunction;
  readonly sagaStarter: AppFunction;
  readonly customerOrdersProjection: AppFunction;
  readonly sagaFailureRecorder: AppFunction;

  constructor(scope: Construct, id: string, props: DomainServiceProps) {
    super(scope, id, 'orders', props);
    this.confirmOrder = this.addFunction('ConfirmOrder', {
      entry: 'orders/handlers/confirm-order.ts',
      description: 'Saga step: confirm the order and turn holds into sales',
      access: 'readWrite',
    });
    this.cancelOrder = this.addFunction('CancelOrderStep', {
      entry: 'orders/handlers/cancel-order-step.ts',
      description: 'Saga compensation: cancel the order with its reason',
      access: 'readWrite',
    });
    this.sagaStarter = this.addFunction('SagaStarter', {
      entry: 'orders/handlers/start-saga.ts',
      description: 'Consumer: start the checkout or cancellation saga',
      access: 'readWrite',
    });
    this.customerOrdersProjection = this.addFunction('CustomerOrdersProjection', {
      entry: 'orders/handlers/project-customer-orders.ts',
      description: "Consumer: keep each customer's order list",
      access: 'readWrite',
    });
    this.sagaFailureRecorder = this.addFunction('SagaFailureRecorder', {
      entry: 'orders/handlers/record-saga-failure.ts',
      description: 'Consumer: record a failed saga execution on its order',
      access: 'readWrite',
    });
  }

  /** The starter needs the state machine, which is built from the other domains' steps afterwards. */
  connectSaga(stateMachine: IStateMachine): void {
    this.sagaStarter.bindStateMachine(stateMachine);
  }
}
