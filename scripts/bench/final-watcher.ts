/**
 * Sees each checkout end without adding load: the local runtime calls back on every Step Functions status change
 * (in process), and a checkout is final when its saga execution (named after the order id) closes; its last step
 * has written CONFIRMED or CANCELLED by then.
 */
import type { Execution } from '../../local/runtime';

export interface Closed {
  /** `performance.now()` when the execution closed. */
  readonly closedAt: number;
  /** The execution's own duration (start to stop), ms. */
  readonly executionMs: number;
  readonly status: string;
}

export class FinalWatcher {
  private readonly waiting = new Map<string, (closed: Closed) => void>();
  private readonly early = new Map<string, Closed>();

  /** Pass to `startLocalRuntime({ onExecutionStatusChange })`. */
  readonly onStatusChange = (execution: Execution): void => {
    if (execution.status === 'RUNNING') return;
    const closed: Closed = {
      closedAt: performance.now(),
      executionMs: (execution.stopDate ?? Date.now()) - execution.startDate,
      status: execution.status,
    };
    const resolve = this.waiting.get(execution.name);
    if (resolve) {
      this.waiting.delete(execution.name);
      resolve(closed);
    } else this.early.set(execution.name, closed);
  };

  /** Resolves when the execution named `name` (a checkout: the order id) closes; rejects after `timeoutMs`. */
  waitFor(name: string, timeoutMs: number): Promise<Closed> {
    const orderId = name;
    const early = this.early.get(orderId);
    if (early !== undefined) {
      this.early.delete(orderId);
      return Promise.resolve(early);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(orderId);
        reject(new Error(`order ${orderId} was not final after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(orderId, (closed) => {
        clearTimeout(timer);
        resolve(closed);
      });
    });
  }

  /** Forgets executions nobody waited for (e.g. cancellation sagas). */
  clear(): void {
    this.early.clear();
  }
}
