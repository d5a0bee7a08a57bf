/**
 * Payment guards other domains put in their transactions (the payments domain owns the payment item and its
 * meaning of "live"). A live payment is AUTHORIZED or CAPTURED.
 */
import type { TransactItem } from '../../shared/ddb/outbox';
import { keys } from '../../shared/table/layout';
import { paymentIdFor } from '../domain/payment';

export function livePaymentCheck(tableName: string, orderId: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: keys.payment(orderId, paymentIdFor(orderId)),
      ConditionExpression: '#status IN (:authorized, :captured)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':authorized': 'AUTHORIZED', ':captured': 'CAPTURED' },
    },
  };
}

export function noLivePaymentCheck(tableName: string, orderId: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: keys.payment(orderId, paymentIdFor(orderId)),
      ConditionExpression: 'attribute_not_exists(pk) OR NOT (#status IN (:authorized, :captured))',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':authorized': 'AUTHORIZED', ':captured': 'CAPTURED' },
    },
  };
}
