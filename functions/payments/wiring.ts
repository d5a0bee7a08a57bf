/** Builds the payments' dependencies once per execution environment. */
import { documentClient } from '../shared/ddb/client';
import { ConfigurationError, ENV, optionalEnv, requireEnv } from '../shared/runtime/config';
import { systemClock, ulidGenerator } from '../shared/runtime/ids';
import { DynamoOrderFacts, DynamoPaymentRepository } from './adapters/dynamo-payment-repository';
import { SIMULATED_PROVIDER_NAME, SimulatedPaymentProvider } from './adapters/simulated-provider';
import type { PaymentsDeps } from './domain/payment';
import type { PaymentProvider } from './domain/provider';

const tableName = requireEnv(ENV.tableName);

function provider(): PaymentProvider {
  const name = optionalEnv(ENV.paymentProvider, SIMULATED_PROVIDER_NAME);
  if (name === SIMULATED_PROVIDER_NAME) {
    const failureRate = Number(optionalEnv('SIMULATED_PROVIDER_FAILURE_RATE', '0'));
    if (!(failureRate >= 0 && failureRate <= 1)) {
      throw new ConfigurationError(
        `SIMULATED_PROVIDER_FAILURE_RATE must be a number from 0 to 1, got '${failureRate}'`,
      );
    }
    return new SimulatedPaymentProvider(documentClient, tableName, failureRate);
  }
  throw new ConfigurationError(
    `${ENV.paymentProvider}='${name}' is not a known provider; use '${SIMULATED_PROVIDER_NAME}' or add an adapter in functions/payments/adapters/`,
  );
}

export const paymentsDeps: PaymentsDeps = {
  payments: new DynamoPaymentRepository(documentClient, tableName),
  orders: new DynamoOrderFacts(documentClient, tableName),
  provider: provider(),
  ids: ulidGenerator,
  clock: systemClock,
};
