/**
 * Code and wiring, safe to replace on every deployment: the domain functions, the checkout saga, the HTTP API,
 * the event rules, alarms and the dashboard. Cross-stack inputs are typed as interfaces.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ROUTES_BY_DOMAIN } from '../../functions/http-api';
import { CommerceApi } from '../constructs/api/commerce-api';
import { CheckoutSaga } from '../constructs/checkout-saga/checkout-saga';
import { CatalogService } from '../constructs/domains/catalog-service';
import { InventoryService } from '../constructs/domains/inventory-service';
import { NotificationsService } from '../constructs/domains/notifications-service';
import { OrdersService } from '../constructs/domains/orders-service';
import { PaymentsService } from '../constructs/domains/payments-service';
import { PlatformService } from '../constructs/domains/platform-service';
import { Reconciler } from '../constructs/domains/reconciler';
import type { DlqKey } from '../constructs/events/dead-letter-queues';
import { EventSubscriptions } from '../constructs/events/event-subscriptions';
import { Observability } from '../constructs/observability/observability';
import type { StageConfig } from '../stage';

export interface StatelessStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly table: ITable;
  readonly bus: IEventBus;
  readonly deadLetterQueues: Record<DlqKey, IQueue>;
}

export class StatelessStack extends Stack {
  readonly api: CommerceApi;
  readonly saga: CheckoutSaga;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { table, bus, deadLetterQueues: dlqs } = props;

    const routes = ROUTES_BY_DOMAIN;
    const catalog = new CatalogService(this, 'Catalog', { table, routes: routes.catalog });
    const inventory = new InventoryService(this, 'Inventory', { table, routes: routes.inventory });
    const orders = new OrdersService(this, 'Orders', { table, routes: routes.orders });
    const payments = new PaymentsService(this, 'Payments', { table, routes: routes.payments });
    const notifications = new NotificationsService(this, 'Notifications', { table, routes: routes.notifications });
    const platform = new PlatformService(this, 'Platform', { table, bus, relayDeadLetterQueue: dlqs.outboxRelay });

    this.saga = new CheckoutSaga(this, 'CheckoutSaga', {
      steps: {
        reserveInventory: inventory.reserveInventory,
        authorizePayment: payments.authorizePayment,
        confirmOrder: orders.confirmOrder,
        voidPayment: payments.voidPayment,
        releaseInventory: inventory.releaseInventory,
        cancelOrder: orders.cancelOrder,
      },
    });
    orders.connectSaga(this.saga.stateMachine);

    new EventSubscriptions(this, 'Subscriptions', {
      bus,
      consumers: {
        checkoutStarter: orders.sagaStarter,
        customerOrders: orders.customerOrdersProjection,
        notifier: notifications.notifier,
      },
      deadLetterQueues: dlqs,
      checkoutStateMachine: this.saga.stateMachine,
      sagaFailureRecorder: orders.sagaFailureRecorder,
    });

    const reconciler = new Reconciler(this, 'Reconciler', {
      table,
      stateMachine: this.saga.stateMachine,
      deadLetterQueue: dlqs.reconciler,
    });

    const routeFunctions = new Map(
      [catalog, inventory, orders, payments, notifications].flatMap((service) => [...service.routeFunctions]),
    );
    this.api = new CommerceApi(this, 'Api', { apiName: `commerce-${props.stage.name}`, routeFunctions });

    new Observability(this, 'Observability', {
      dashboardName: `commerce-${props.stage.name}`,
      deadLetterQueues: dlqs,
      outboxRelay: platform.outboxRelay,
      stateMachine: this.saga.stateMachine,
      httpApi: this.api.httpApi,
      criticalFunctions: {
        ReserveInventory: inventory.reserveInventory,
        AuthorizePayment: payments.authorizePayment,
        ConfirmOrder: orders.confirmOrder,
        VoidPayment: payments.voidPayment,
        ReleaseInventory: inventory.releaseInventory,
        CancelOrder: orders.cancelOrder,
      },
      alarmEmail: props.stage.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'ReconcilerFunctionName', {
      value: reconciler.function.functionName,
      description: 'Invoke on demand: npm run reconcile',
    });
    new CfnOutput(this, 'CheckoutStateMachineArn', {
      value: this.saga.stateMachine.stateMachineArn,
      description: 'Checkout saga: find an execution by order id in the Step Functions console',
    });
  }
}
