/** Ids and time behind small interfaces so domain code and tests can fix them. */
import { monotonicFactory } from 'ulid';

export interface IdGenerator {
  next(): string;
}

export interface Clock {
  nowIso(): string;
  nowMs(): number;
}

const monotonic = monotonicFactory();

/** ULIDs: unique, sortable by creation time (order ids, event ids). */
export const ulidGenerator: IdGenerator = { next: () => monotonic() };

export const systemClock: Clock = {
  nowIso: () => new Date().toISOString(),
  nowMs: () => Date.now(),
};
