/** Builds the inventory's dependencies once per execution environment. */
import { documentClient } from '../shared/ddb/client';
import { ENV, requireEnv } from '../shared/runtime/config';
import { systemClock, ulidGenerator } from '../shared/runtime/ids';
import { DynamoInventoryRepository } from './adapters/dynamo-inventory-repository';
import type { InventoryDeps } from './domain/stock';

export const inventoryDeps: InventoryDeps = {
  inventory: new DynamoInventoryRepository(documentClient, requireEnv(ENV.tableName)),
  ids: ulidGenerator,
  clock: systemClock,
};
