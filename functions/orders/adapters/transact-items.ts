/**
 * Order guards other domains put in their transactions (the orders domain owns the order item and the meaning of
 * its status). Each is a ConditionCheck: it writes nothing and makes the other domain's write atomic with the
 * order's state at that instant.
 */
import type { TransactItem } from '../../shared/ddb/outbox';
import { keys } from '../../shared/table/layout';

/** The order is still PENDING and its customer has not asked to cancel: stock may be held for it. */
export function orderOpenForCheckoutCheck(tableName: string, orderId: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: keys.order(orderId),
      ConditionExpression: '#status = :pending AND attribute_not_exists(cancelRequestedAt)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': 'PENDING' },
    },
  };
}

/** The order is not CONFIRMED (or does not exist): a compensation the customer did not ask for may undo it. */
export function orderNotConfirmedCheck(tableName: string, orderId: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: keys.order(orderId),
      ConditionExpression: 'attribute_not_exists(pk) OR #status <> :confirmed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':confirmed': 'CONFIRMED' },
    },
  };
}
