/** Saga step AuthorizePayment: authorizes the order total once; PaymentDeclined ends the order PAYMENT_DECLINED. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PaymentDeclinedError } from '../../shared/errors';
import { METRIC, metrics } from '../../shared/runtime/powertools';
import { sagaStep } from '../../shared/saga/step';
import { authorizePayment } from '../domain/payment';
import { paymentsDeps } from '../wiring';

export const handler = sagaStep('AuthorizePayment', async (payload, events) => {
  try {
    const payment = await authorizePayment(
      paymentsDeps,
      { orderId: payload.orderId, amountCents: payload.totalCents, currency: payload.currency },
      events,
    );
    metrics.addMetric(METRIC.paymentsAuthorized, MetricUnit.Count, 1);
    return { paymentId: payment.paymentId, status: payment.status };
  } catch (error) {
    if (error instanceof PaymentDeclinedError) metrics.addMetric(METRIC.paymentsDeclined, MetricUnit.Count, 1);
    throw error;
  }
});
