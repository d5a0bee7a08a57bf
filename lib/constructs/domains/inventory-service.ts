import type { Construct } from 'constructs';
import type { AppFunction } from '../app-function';
import { DomainService, type DomainServiceProps } from './domain-service';

/** Inventory: restock and stock levels over HTTP; ReserveInventory and ReleaseInventory for the saga. */
export class InventoryService extends DomainService {
  readonly reserveInventory: AppFunction;
  readonly releaseInventory: AppFunction;

  constructor(scope: Construct, id: string, props: DomainServiceProps) {
    super(scope, id, 'inventory', props);
    this.reserveInventory = this.addFunction('ReserveInventory', {
      entry: 'inventory/handlers/reserve-inventory.ts',
      description: 'Saga step: reserve every line of an order or none',
      access: 'readWrite',
    });
    this.releaseInventory = this.addFunction('ReleaseInventory', {
      entry: 'inventory/handlers/release-inventory.ts',
      description: 'Saga compensation: put held or sold units back',
      access: 'readWrite',
    });
  }
}
