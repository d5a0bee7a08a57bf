import type { Construct } from 'constructs';
import { ENV } from '../../../functions/shared/runtime/config';
import type { AppFunction } from '../app-function';
import { DomainService, type DomainServiceProps } from './domain-service';

/** Notifications: the customer's notifications over HTTP; the notifier as an event consumer. */
export class NotificationsService extends DomainService {
  readonly notifier: AppFunction;

  constructor(scope: Construct, id: string, props: DomainServiceProps) {
    super(scope, id, 'notifications', props);
    this.notifier = this.addFunction('OrderNotifier', {
      entry: 'notifications/handlers/notify-customer.ts',
      description: 'Consumer: notify the customer once per order and kind',
      access: 'readWrite',
      environment: { [ENV.notificationChannel]: 'email' },
    });
  }
}
