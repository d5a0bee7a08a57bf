/** Saga compensation VoidPayment: voids the authorization (or refunds a capture). Idempotent. */
import { sagaStep } from '../../shared/saga/step';
import { voidPayment } from '../domain/payment';
import { paymentsDeps } from '../wiring';

export const handler = sagaStep('VoidPayment', async (payload, events) => {
  const payment = await voidPayment(paymentsDeps, payload.orderId, payload.reason ?? 'SYSTEM_ERROR', events);
  return payment ? { paymentId: payment.paymentId, status: payment.status } : { paymentId: null, status: 'NONE' };
});
