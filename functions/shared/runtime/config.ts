/**
 * Configuration read once, at module load, failing fast with a message that names the variable.
 * Only endpoint variables (AWS_ENDPOINT_URL_*) differ between AWS and the local runtime, and the SDK reads those itself.
 */

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(
      `Environment variable ${name} is not set. The CDK construct that deploys this function sets it (see lib/constructs/app-function.ts).`,
    );
  }
  return value;
}

export function optionalEnv(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? fallback : value;
}

/** Names of the environment variables the CDK binds (app-function.ts sets them, handlers read them). */
export const ENV = {
  tableName: 'TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  stateMachineArn: 'CHECKOUT_STATE_MACHINE_ARN',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  paymentProvider: 'PAYMENT_PROVIDER',
  notificationChannel: 'NOTIFICATION_CHANNEL',
  staleOrderSeconds: 'STALE_ORDER_SECONDS',
} as const;
