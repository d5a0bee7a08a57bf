/**
 * Payments against DynamoDB Local and the simulated provider's ledger: one authorization per order whatever the
 * retries (incl. a lost response), declines, voids, and the tombstone that stops a late authorization.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoOrderFacts, DynamoPaymentRepository } from '../../functions/payments/adapters/dynamo-payment-repository';
import { SimulatedPaymentProvider } from '../../functions/payments/adapters/simulated-provider';
import {
  authorizePayment,
  listPayments,
  type PaymentsDeps,
  paymentIdFor,
  voidPayment,
} from '../../functions/payments/domain/payment';
import { ProviderUnavailableError } from '../../functions/payments/domain/provider';
import {
  InvariantViolationError,
  NotFoundError,
  OrderAlreadyConfirmedError,
  PaymentDeclinedError,
} from '../../functions/shared/errors';
import { keys } from '../../functions/shared/table/layout';
import { everyItem, faultyClient } from '../helpers/faulty-client';
import { clockAt, context, ids } from '../helpers/fixed';
import { createTable, deleteTable, doc, outboxEvents, scanAll } from '../helpers/table';

let tableName: string;
let deps: PaymentsDeps;
let n = 0;

/** An order item with a token, as the orders domain writes it. */
async function order(paymentToken: string, totalCents = 2500) {
  n += 1;
  const orderId = `ORDER-PAY-${n}`;
  await doc.send(
    new PutCommand({ TableName: tableName, Item: { ...keys.order(orderId), entity: 'Order', orderId, paymentToken } }),
  );
  return { orderId, amountCents: totalCents, currency: 'EUR' };
}

const ledger = async () =>
  (await scanAll(tableName)).filter((i) => i.entity === 'ProviderLedger' && !String(i.pk).endsWith('#calls'));

beforeAll(async () => {
  tableName = await createTable('payments');
  deps = {
    payments: new DynamoPaymentRepository(doc, tableName),
    provider: new SimulatedPaymentProvider(doc, tableName),
    orders: new DynamoOrderFacts(doc, tableName),
    ids: ids(),
    clock: clockAt(),
  };
});
afterAll(async () => {
  await deleteTable(tableName);
});

describe('authorizePayment', () => {
  it('authorizes once: repeats return the same payment and the provider holds one authorization', async () => {
    const charge = await order('tok_visa');
    const first = await authorizePayment(deps, charge, context);
    const again = await authorizePayment(deps, charge, context);
    expect(first).toMatchObject({ paymentId: paymentIdFor(charge.orderId), status: 'AUTHORIZED', amountCents: 2500 });
    expect(again).toEqual(first);
    expect((await ledger()).filter((l) => l.reference === charge.orderId)).toHaveLength(1);
    const events = (await outboxEvents(tableName)).filter((e) => e.subject === first.paymentId);
    expect(events.map((e) => e.type)).toEqual(['PaymentAuthorized']);
  });

  it('records a decline and throws PaymentDeclined, again on a repeat', async () => {
    const charge = await order('tok_chargeDeclined');
    await expect(authorizePayment(deps, charge, context)).rejects.toEqual(new PaymentDeclinedError('card_declined'));
    await expect(authorizePayment(deps, charge, context)).rejects.toBeInstanceOf(PaymentDeclinedError);
    expect(await listPayments(deps, charge.orderId)).toEqual([
      expect.objectContaining({ status: 'DECLINED', declineCode: 'card_declined' }),
    ]);
  });

  it('does not charge twice when the first response is lost and the step is retried', async () => {
    const charge = await order('tok_lostResponse');
    await expect(authorizePayment(deps, charge, context)).rejects.toBeInstanceOf(ProviderUnavailableError);
    const payment = await authorizePayment(deps, charge, context);
    expect(payment.status).toBe('AUTHORIZED');
    expect((await ledger()).filter((l) => l.reference === charge.orderId)).toHaveLength(1);
  });

  it('succeeds on retry after a provider timeout (tok_flaky)', async () => {
    const charge = await order('tok_flaky');
    await expect(authorizePayment(deps, charge, context)).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(authorizePayment(deps, charge, context)).resolves.toMatchObject({ status: 'AUTHORIZED' });
  });

  it('keeps one authorization under random provider outages (failure rate 0.5, 10 retries each)', async () => {
    const flaky: PaymentsDeps = {
      ...deps,
      provider: new SimulatedPaymentProvider(doc, tableName, 0.5),
    };
    const charges = await Promise.all(Array.from({ length: 6 }, () => order('tok_visa')));
    for (const charge of charges) {
      let authorized = false;
      for (let attempt = 0; attempt < 10 && !authorized; attempt++) {
        try {
          authorized = (await authorizePayment(flaky, charge, context)).status === 'AUTHORIZED';
        } catch (error) {
          expect(error).toBeInstanceOf(ProviderUnavailableError);
        }
      }
      expect(authorized).toBe(true);
      expect((await ledger()).filter((l) => l.reference === charge.orderId)).toHaveLength(1);
    }
  });
});

describe('voidPayment', () => {
  it('voids an authorization at the provider and in the table, once', async () => {
    const charge = await order('tok_visa');
    const payment = await authorizePayment(deps, charge, context);
    expect(await voidPayment(deps, charge.orderId, 'SYSTEM_ERROR', context)).toMatchObject({
      status: 'VOIDED',
      version: 2,
    });
    expect(await voidPayment(deps, charge.orderId, 'SYSTEM_ERROR', context)).toMatchObject({
      status: 'VOIDED',
      version: 2,
    });
    const entry = await doc.send(
      new GetCommand({ TableName: tableName, Key: keys.providerLedger(`authorize-${charge.orderId}`) }),
    );
    expect(entry.Item?.status).toBe('VOIDED');
    expect((await outboxEvents(tableName)).filter((e) => e.subject === payment.paymentId).map((e) => e.type)).toEqual([
      'PaymentAuthorized',
      'PaymentVoided',
    ]);
  });

  it('refunds a captured payment', async () => {
    const charge = await order('tok_visa');
    const payment = await authorizePayment(deps, charge, context);
    // Capture happens at fulfilment, outside this platform: simulate it on both sides.
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.payment(charge.orderId, payment.paymentId), entity: 'Payment', ...payment, status: 'CAPTURED' },
      }),
    );
    const ledgerKey = keys.providerLedger(`authorize-${charge.orderId}`);
    const entry = await doc.send(new GetCommand({ TableName: tableName, Key: ledgerKey }));
    await doc.send(new PutCommand({ TableName: tableName, Item: { ...entry.Item, status: 'CAPTURED' } }));
    expect(await voidPayment(deps, charge.orderId, 'SYSTEM_ERROR', context)).toMatchObject({ status: 'REFUNDED' });
    expect((await doc.send(new GetCommand({ TableName: tableName, Key: ledgerKey }))).Item?.status).toBe('REFUNDED');
  });

  it('leaves a tombstone when nothing was authorized, so no authorization can land afterwards', async () => {
    const charge = await order('tok_visa');
    expect(await voidPayment(deps, charge.orderId, 'SYSTEM_ERROR', context)).toBeUndefined();
    await expect(authorizePayment(deps, charge, context)).rejects.toBeInstanceOf(InvariantViolationError);
    expect(await listPayments(deps, charge.orderId)).toEqual([]);
    expect((await ledger()).filter((l) => l.reference === charge.orderId)).toHaveLength(0);
  });

  it('voids at the provider an authorization that raced the tombstone (read before it, recorded after it)', async () => {
    const charge = await order('tok_visa');
    const repo = deps.payments;
    let firstRead = true;
    const raced = {
      ...deps,
      payments: {
        ...repo,
        // The authorization step read "no payment" just before the compensation wrote its tombstone.
        get: async (orderId: string, paymentId: string) => {
          if (firstRead) {
            firstRead = false;
            await voidPayment(deps, charge.orderId, 'SYSTEM_ERROR', context);
            return undefined;
          }
          return repo.get(orderId, paymentId);
        },
        listFor: repo.listFor.bind(repo),
        record: repo.record.bind(repo),
        transition: repo.transition.bind(repo),
        recordTombstone: repo.recordTombstone.bind(repo),
      },
    };
    await expect(authorizePayment(raced, charge, context)).rejects.toBeInstanceOf(InvariantViolationError);
    const entry = await doc.send(
      new GetCommand({ TableName: tableName, Key: keys.providerLedger(`authorize-${charge.orderId}`) }),
    );
    expect(entry.Item?.status).toBe('VOIDED');
    expect(await listPayments(deps, charge.orderId)).toEqual([]);
  });
});

describe('listPayments', () => {
  it('is NotFound for an unknown order', async () => {
    await expect(listPayments(deps, 'ORDER-UNKNOWN')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('voidPayment after the step gave up', () => {
  it('voids an authorization the provider made but the step never recorded', async () => {
    const charge = await order('tok_visa');
    // The provider approved (e.g. every response was lost), the saga gave up with PAYMENT_FAILED.
    await deps.provider.authorize({
      idempotencyKey: `authorize-${charge.orderId}`,
      amountCents: 2500,
      currency: 'EUR',
      paymentToken: 'tok_visa',
      reference: charge.orderId,
    });
    expect(await voidPayment(deps, charge.orderId, 'SYSTEM_ERROR', context)).toBeUndefined();
    const entry = await doc.send(
      new GetCommand({ TableName: tableName, Key: keys.providerLedger(`authorize-${charge.orderId}`) }),
    );
    expect(entry.Item?.status).toBe('VOIDED');
  });
});

describe('compensations never undo a confirmed order unless the customer asked', () => {
  async function confirmedOrder() {
    const charge = await order('tok_visa');
    await authorizePayment(deps, charge, context);
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.order(charge.orderId),
        UpdateExpression: 'SET #s = :c',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':c': 'CONFIRMED' },
      }),
    );
    return charge;
  }

  it('refuses to void the payment of a CONFIRMED order for a system error; nothing moves', async () => {
    const charge = await confirmedOrder();
    await expect(voidPayment(deps, charge.orderId, 'SYSTEM_ERROR', context)).rejects.toBeInstanceOf(
      OrderAlreadyConfirmedError,
    );
    expect(await listPayments(deps, charge.orderId)).toEqual([expect.objectContaining({ status: 'AUTHORIZED' })]);
    const entry = (await ledger()).find((e) => e.reference === charge.orderId);
    expect(entry?.status).toBe('AUTHORIZED');
  });

  it('voids it when the customer asked', async () => {
    const charge = await confirmedOrder();
    expect(await voidPayment(deps, charge.orderId, 'CUSTOMER_REQUEST', context)).toMatchObject({ status: 'VOIDED' });
  });
});

describe('faults only AWS has', () => {
  it('retries a payment write cancelled by throttling instead of losing it', async () => {
    const faulty = faultyClient();
    const flaky: PaymentsDeps = { ...deps, payments: new DynamoPaymentRepository(faulty.doc, tableName) };
    const charge = await order('tok_visa');
    faulty.inject('TransactWriteItems', { kind: 'cancel', reasons: everyItem('ThrottlingError') });
    expect(await authorizePayment(flaky, charge, context)).toMatchObject({ status: 'AUTHORIZED' });
    expect(faulty.injected('TransactWriteItems')).toBe(1);
    expect(await listPayments(deps, charge.orderId)).toEqual([expect.objectContaining({ status: 'AUTHORIZED' })]);
  });
});
