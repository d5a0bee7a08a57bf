/**
 * Transaction conflicts as DynamoDB has them ("Transaction conflict handling in DynamoDB"). DynamoDB Local never
 * answers with one: it runs overlapping requests one after the other (see local/README.md). Here, items of the
 * requests in flight through the proxy are held until DynamoDB Local answered them, and a request that names a held
 * item is refused the way DynamoDB refuses it:
 *
 * - a TransactWriteItems naming an item of another transaction (write or get) or of a single-item write in flight is
 *   cancelled, `TransactionConflict` on that item (`None` on the others);
 * - a TransactGetItems naming an item of a write in flight (transaction or single-item) is cancelled the same way;
 * - a PutItem, UpdateItem or DeleteItem on an item of a TransactWriteItems in flight fails with
 *   TransactionConflictException.
 *
 * Not emulated: DynamoDB cancels an ongoing TransactGetItems when a write arrives (here the write waits its turn in
 * DynamoDB Local); BatchWriteItem items count as single-item writes for the transactions they meet, but a
 * BatchWriteItem is never refused itself.
 */
import type { RequestItem } from './request-items';

type Hold = 'transactionWrite' | 'write' | 'transactionRead';

const HOLD_OF: Readonly<Record<string, Hold>> = {
  TransactWriteItems: 'transactionWrite',
  TransactGetItems: 'transactionRead',
  PutItem: 'write',
  UpdateItem: 'write',
  DeleteItem: 'write',
  BatchWriteItem: 'write',
};

/** What each kind of request conflicts with. */
const CONFLICTS_WITH: Readonly<Record<string, readonly Hold[]>> = {
  TransactWriteItems: ['transactionWrite', 'write', 'transactionRead'],
  TransactGetItems: ['transactionWrite', 'write'],
  PutItem: ['transactionWrite'],
  UpdateItem: ['transactionWrite'],
  DeleteItem: ['transactionWrite'],
};

type Counts = Record<Hold, number>;

export class InFlightItems {
  private readonly held = new Map<string, Counts>();

  /** The items of this request that conflict with requests in flight (none for requests that never conflict). */
  conflicts(operation: string, items: readonly RequestItem[]): RequestItem[] {
    const against = CONFLICTS_WITH[operation];
    if (!against) return [];
    return items.filter((item) => {
      const counts = item.itemKey === undefined ? undefined : this.held.get(item.itemKey);
      return counts !== undefined && against.some((hold) => counts[hold] > 0);
    });
  }

  /** Holds the request's items until the returned function is called (once DynamoDB Local answered). */
  hold(operation: string, items: readonly RequestItem[]): () => void {
    const hold = HOLD_OF[operation];
    const keys = hold ? items.flatMap((i) => (i.itemKey === undefined ? [] : [i.itemKey])) : [];
    if (!hold || keys.length === 0) return () => undefined;
    for (const key of keys) {
      let counts = this.held.get(key);
      if (!counts) {
        counts = { transactionWrite: 0, write: 0, transactionRead: 0 };
        this.held.set(key, counts);
      }
      counts[hold] += 1;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const counts = this.held.get(key);
        if (!counts) continue;
        counts[hold] -= 1;
        if (counts.transactionWrite + counts.write + counts.transactionRead === 0) this.held.delete(key);
      }
    };
  }

  get size(): number {
    return this.held.size;
  }
}
