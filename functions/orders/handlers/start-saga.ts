/** Consumer of OrderPlaced and OrderCancellationRequested: starts the checkout or the cancellation saga, once. */
import { SFNClient } from '@aws-sdk/client-sfn';
import { eventConsumer } from '../../shared/events/consumer';
import { SUBSCRIPTIONS } from '../../shared/events/subscriptions';
import { ENV, requireEnv } from '../../shared/runtime/config';
import { logger } from '../../shared/runtime/powertools';
import { StepFunctionsSagaStarter } from '../adapters/sfn-saga-starter';
import { startCancellation, startCheckout } from '../domain/checkout-starter';
import { ordersDeps } from '../wiring';

const saga = new StepFunctionsSagaStarter(new SFNClient({}), requireEnv(ENV.stateMachineArn));

export const handler = eventConsumer('CheckoutStarter', SUBSCRIPTIONS.checkoutStarter.events, async (event) => {
  const deps = { orders: ordersDeps.orders, saga };
  const outcome =
    event.type === 'OrderPlaced' ? await startCheckout(deps, event) : await startCancellation(deps, event);
  logger.info('saga start', { outcome });
  return { outcome };
});
