import type { Construct } from 'constructs';
import { DomainService, type DomainServiceProps } from './domain-service';

/** Catalog: products (create, get, list). */
export class CatalogService extends DomainService {
  constructor(scope: Construct, id: string, props: DomainServiceProps) {
    super(scope, id, 'catalog', props);
  }
}
