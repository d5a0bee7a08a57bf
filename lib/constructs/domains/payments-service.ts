import type { Construct } from 'constructs';
import { ENV } from '../../../functions/shared/runtime/config';
import type { AppFunction } from '../app-function';
import { DomainService, type DomainServiceProps } from './domain-service';

export interface PaymentsServiceProps extends DomainServiceProps {
  /** Which provider adapter the payment steps use. @default 'simulated' */
  readonly provider?: string;
}

/** Payments: the order's payments over HTTP; AuthorizePayment and VoidPayment for the saga. */
export class PaymentsService extends DomainService {
  readonly authorizePayment: AppFunction;
  readonly voidPayment: AppFunction;

  constructor(scope: Construct, id: string, props: PaymentsServiceProps) {
    super(scope, id, 'payments', props);
    const environment = { [ENV.paymentProvider]: props.provider ?? 'simulated' };
    this.authorizePayment = this.addFunction('AuthorizePayment', {
      entry: 'payments/handlers/authorize-payment.ts',
      description: 'Saga step: authorize the order total once',
      access: 'readWrite',
      environment,
    });
    this.voidPayment = this.addFunction('VoidPayment', {
      entry: 'payments/handlers/void-payment.ts',
      description: 'Saga compensation: void the authorization or refund the capture',
      access: 'readWrite',
      environment,
    });
  }
}
