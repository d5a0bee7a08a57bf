/** Builds the orders' dependencies once per execution environment (DynamoDB only; the SFN client lives in start-saga). */
import { documentClient } from '../shared/ddb/client';
import { ENV, requireEnv } from '../shared/runtime/config';
import { systemClock, ulidGenerator } from '../shared/runtime/ids';
import { DynamoCustomerOrders } from './adapters/dynamo-customer-orders';
import { DynamoOrderRepository } from './adapters/dynamo-order-repository';
import { DynamoPriceSource } from './adapters/dynamo-price-source';
import type { OrdersDeps } from './domain/order';

const tableName = requireEnv(ENV.tableName);

export const ordersDeps: OrdersDeps = {
  orders: new DynamoOrderRepository(documentClient, tableName),
  ids: ulidGenerator,
  clock: systemClock,
};

export const priceSource = () => new DynamoPriceSource(documentClient, tableName);
export const customerOrders = () => new DynamoCustomerOrders(documentClient, tableName);
