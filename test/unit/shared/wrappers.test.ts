import * as z from 'zod';
import { decodeCursor, encodeCursor } from '../../../functions/shared/ddb/cursor';
import {
  AppError,
  InvariantViolationError,
  OutOfStockError,
  PaymentDeclinedError,
  SAGA_ERRORS,
} from '../../../functions/shared/errors';
import { toErrorResponse } from '../../../functions/shared/http/errors';
import { parseBody } from '../../../functions/shared/http/request';
import { translateStepError } from '../../../functions/shared/saga/step';
import { apiEvent } from '../../helpers/api-event';

describe('translateStepError (what a saga step lets Step Functions see)', () => {
  it('keeps domain outcomes under their names', () => {
    expect(translateStepError(new OutOfStockError(['A-1'])).name).toBe(SAGA_ERRORS.outOfStock);
    expect(translateStepError(new PaymentDeclinedError('card_declined')).name).toBe(SAGA_ERRORS.paymentDeclined);
  });

  it('makes bad input and client errors non-retryable invariant violations', () => {
    const parsed = z.object({ a: z.string() }).safeParse({});
    expect(translateStepError(parsed.error)).toBeInstanceOf(InvariantViolationError);
    expect(translateStepError(new AppError(404, 'ORDER_NOT_FOUND', 'x')).name).toBe(SAGA_ERRORS.invariantViolation);
  });

  it('turns anything else into a TransientError that keeps the original name and message', () => {
    const error = Object.assign(new Error('Throughput exceeds the current capacity'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const translated = translateStepError(error);
    expect(translated.name).toBe(SAGA_ERRORS.transient);
    expect(translated.message).toBe('ProvisionedThroughputExceededException: Throughput exceeds the current capacity');
  });
});

describe('toErrorResponse', () => {
  it('keeps the status and code of an AppError', () => {
    const response = toErrorResponse(new AppError(409, 'PRODUCT_EXISTS', 'taken'));
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(String(response.body))).toEqual({ error: { code: 'PRODUCT_EXISTS', message: 'taken' } });
  });

  it('answers 500 with a generic message and never leaks the error', () => {
    const response = toErrorResponse(new Error('password=hunter2 at db.internal'));
    expect(response.statusCode).toBe(500);
    expect(String(response.body)).not.toContain('hunter2');
    expect(JSON.parse(String(response.body)).error.code).toBe('INTERNAL_ERROR');
  });
});

describe('parseBody', () => {
  const schema = z.object({ a: z.int() });
  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/vnd.commerce+json'])(
    'accepts %s',
    (contentType) => {
      expect(
        parseBody(apiEvent('POST /x', { body: { a: 1 }, headers: { 'content-type': contentType } }), schema),
      ).toEqual({ a: 1 });
    },
  );

  it('reports every issue with its path', () => {
    try {
      parseBody(apiEvent('POST /x', { body: { a: 'one' } }), z.object({ a: z.int(), b: z.string() }));
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect((error as AppError).details).toEqual({
        issues: [expect.objectContaining({ path: 'a' }), expect.objectContaining({ path: 'b' })],
      });
    }
  });
});

describe('cursors', () => {
  it('round-trip and refuse a cursor of another partition', () => {
    const cursor = encodeCursor({ pk: 'CUSTOMER#a', sk: 'ORDER#1' });
    expect(decodeCursor(cursor ?? undefined, { attribute: 'pk', value: 'CUSTOMER#a' })).toEqual({
      pk: 'CUSTOMER#a',
      sk: 'ORDER#1',
    });
    expect(() => decodeCursor(cursor ?? undefined, { attribute: 'pk', value: 'CUSTOMER#b' })).toThrow(/cursor/);
    expect(encodeCursor(undefined)).toBeNull();
  });
});
