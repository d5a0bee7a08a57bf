/** Builds the catalog's dependencies once per execution environment, from configuration read at load. */
import { documentClient } from '../shared/ddb/client';
import { ENV, requireEnv } from '../shared/runtime/config';
import { systemClock, ulidGenerator } from '../shared/runtime/ids';
import { DynamoProductRepository } from './adapters/dynamo-product-repository';
import type { CatalogDeps } from './domain/product';

export const catalogDeps: CatalogDeps = {
  products: new DynamoProductRepository(documentClient, requireEnv(ENV.tableName)),
  ids: ulidGenerator,
  clock: systemClock,
};
