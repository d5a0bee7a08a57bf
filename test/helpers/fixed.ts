/** Deterministic ids and clocks for domain tests. */
import { monotonicFactory } from 'ulid';
import type { Clock, IdGenerator } from '../../functions/shared/runtime/ids';

export function ids(): IdGenerator {
  const next = monotonicFactory();
  return { next: () => next() };
}

export function clockAt(iso = '2026-11-22T10:00:00.000Z'): Clock & { advance(ms: number): void } {
  let now = Date.parse(iso);
  return {
    nowIso: () => new Date(now).toISOString(),
    nowMs: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

export const context = { correlationId: 'test-correlation', causationId: null };
