/**
 * A payment provider simulation that behaves like a real one where it matters: idempotency keys (a repeated key
 * returns the first outcome), an authorization that can be voided, and outcomes chosen by test tokens:
 *
 * | token                        | behaviour                                                                  |
 * |------------------------------|----------------------------------------------------------------------------|
 * | tok_visa, tok_mastercard     | approved                                                                   |
 * | tok_chargeDeclined           | declined (card_declined)                                                   |
 * | tok_insufficientFunds        | declined (insufficient_funds)                                              |
 * | tok_providerUnavailable      | always unavailable (timeout): the saga gives up with PAYMENT_FAILED        |
 * | tok_flaky                    | unavailable on the first call for a key, approved on the retry            |
 * | tok_lostResponse             | approved, but the first response is lost: the retry must not charge twice |
 * | anything else                | declined (invalid_payment_method)                                          |
 *
 * Its ledger lives in the platform's table under `PSP#<idempotency key>` (a real provider keeps its own): tests
 * and the chaos checks read it to prove that money moved exactly once. `failureRate` adds random outages
 * (half before the provider acted, half after it acted with the response lost).
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryShardsPage } from '../../shared/ddb/queries';
import { isConditionalCheckFailed } from '../../shared/ddb/transactions';
import { ENTITY, keys } from '../../shared/table/layout';
import {
  type AuthorizeRequest,
  type AuthorizeResult,
  type OpenAuthorization,
  type PaymentProvider,
  ProviderUnavailableError,
} from '../domain/provider';

export const SIMULATED_PROVIDER_NAME = 'simulated';

const DECLINES: Record<string, string> = {
  tok_chargeDeclined: 'card_declined',
  tok_insufficientFunds: 'insufficient_funds',
};
const APPROVED = new Set(['tok_visa', 'tok_mastercard', 'tok_flaky', 'tok_lostResponse']);

export interface LedgerEntry {
  readonly idempotencyKey: string;
  readonly outcome: 'APPROVED' | 'DECLINED';
  readonly status: 'AUTHORIZED' | 'DECLINED' | 'VOIDED' | 'CAPTURED' | 'REFUNDED';
  readonly providerRef?: string;
  readonly declineCode?: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly reference: string;
  readonly createdAt: string;
}

export class SimulatedPaymentProvider implements PaymentProvider {
  readonly name = SIMULATED_PROVIDER_NAME;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly failureRate = 0,
    private readonly random: () => number = Math.random,
  ) {}

  /** Counts calls per key (the provider's request log), so "first call" behaviours are deterministic. */
  private async countCall(idempotencyKey: string): Promise<number> {
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.providerLedger(`${idempotencyKey}#calls`),
        UpdateExpression: 'SET entity = :entity ADD calls :one',
        ExpressionAttributeValues: { ':entity': ENTITY.providerLedger, ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.calls ?? 1);
  }

  private async entry(idempotencyKey: string): Promise<LedgerEntry | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.providerLedger(idempotencyKey), ConsistentRead: true }),
    );
    return result.Item as LedgerEntry | undefined;
  }

  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    const outage = this.failureRate > 0 && this.random() < this.failureRate;
    if (outage && this.random() < 0.5) throw new ProviderUnavailableError('simulated outage before the provider acted');
    const token = request.paymentToken;
    if (token === 'tok_providerUnavailable') throw new ProviderUnavailableError('payment provider timed out');
    if (token === 'tok_flaky' && (await this.countCall(request.idempotencyKey)) === 1) {
      throw new ProviderUnavailableError('payment provider timed out (first call)');
    }
    // The first outcome of a key wins: decide() writes it conditionally and reads the winner back when it lost, so a
    // retry answers what the first call decided without a read before every first call (docs/perf/changes.md).
    const result = await this.decide(request, token);
    if (outage) throw new ProviderUnavailableError('simulated outage after the provider acted (response lost)');
    if (token === 'tok_lostResponse' && (await this.countCall(request.idempotencyKey)) === 1) {
      throw new ProviderUnavailableError('connection reset after the provider approved (response lost)');
    }
    return result;
  }

  private async decide(request: AuthorizeRequest, token: string): Promise<AuthorizeResult> {
    const approved = APPROVED.has(token);
    const createdAt = new Date().toISOString();
    const entry: LedgerEntry = {
      idempotencyKey: request.idempotencyKey,
      outcome: approved ? 'APPROVED' : 'DECLINED',
      status: approved ? 'AUTHORIZED' : 'DECLINED',
      ...(approved
        ? { providerRef: `psp_${request.idempotencyKey}` }
        : { declineCode: DECLINES[token] ?? 'invalid_payment_method' }),
      amountCents: request.amountCents,
      currency: request.currency,
      reference: request.reference,
      createdAt,
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.providerLedger(request.idempotencyKey),
            ...(approved ? keys.openAuthorization(request.idempotencyKey, createdAt) : {}),
            entity: ENTITY.providerLedger,
            ...entry,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return toResult(entry);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const first = await this.entry(request.idempotencyKey);
      if (!first) throw error;
      return toResult(first);
    }
  }

  async findAuthorization(idempotencyKey: string): Promise<string | undefined> {
    const entry = await this.entry(idempotencyKey);
    return entry?.outcome === 'APPROVED' ? (entry.providerRef ?? `psp_${idempotencyKey}`) : undefined;
  }

  async listOpenAuthorizations(request: { createdBefore: string; limit: number; cursor: string | undefined }) {
    const page = await queryShardsPage(this.client, {
      tableName: this.tableName,
      partition: keys.openAuthorizationPartition,
      until: request.createdBefore,
      limit: request.limit,
      cursor: request.cursor,
    });
    const items: OpenAuthorization[] = page.items.map((item) => ({
      providerRef: String(item.providerRef),
      reference: String(item.reference),
      createdAt: String(item.createdAt),
    }));
    return { items, cursor: page.cursor };
  }

  void(request: { idempotencyKey: string; providerRef: string }): Promise<void> {
    return this.move(request.providerRef, ['AUTHORIZED'], 'VOIDED');
  }

  refund(request: { idempotencyKey: string; providerRef: string; amountCents: number }): Promise<void> {
    return this.move(request.providerRef, ['CAPTURED'], 'REFUNDED');
  }

  /** Moves the authorization the ref points at; repeating the move is harmless, an impossible move is an error. */
  private async move(providerRef: string, from: readonly string[], to: string): Promise<void> {
    const authorizeKey = providerRef.replace(/^psp_/, '');
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.providerLedger(authorizeKey),
          UpdateExpression: 'SET #status = :to REMOVE gsi1pk, gsi1sk',
          ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')}) OR #status = :to`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':to': to, ...Object.fromEntries(from.map((s, i) => [`:from${i}`, s])) },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new Error(`Provider cannot move ${providerRef} to ${to}: it is not in ${from.join(' or ')}`);
      }
      throw error;
    }
  }
}

function toResult(entry: LedgerEntry): AuthorizeResult {
  return entry.outcome === 'APPROVED'
    ? { outcome: 'APPROVED', providerRef: entry.providerRef ?? `psp_${entry.idempotencyKey}` }
    : { outcome: 'DECLINED', declineCode: entry.declineCode ?? 'declined' };
}
