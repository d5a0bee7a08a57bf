import { planRelease } from '../../../functions/inventory/domain/stock';

describe('planRelease', () => {
  const lines = [
    { sku: 'A-1', quantity: 2 },
    { sku: 'B-1', quantity: 1 },
    { sku: 'C-1', quantity: 3 },
    { sku: 'D-1', quantity: 1 },
  ];

  it('releases holds, returns sales, skips what is undone and tombstones what was never reserved', () => {
    const plan = planRelease(lines, [
      { orderId: 'o', sku: 'A-1', quantity: 2, status: 'HELD' },
      { orderId: 'o', sku: 'B-1', quantity: 1, status: 'COMMITTED' },
      { orderId: 'o', sku: 'C-1', quantity: 3, status: 'RELEASED' },
    ]);
    expect(plan).toEqual([
      { kind: 'releaseHeld', sku: 'A-1', quantity: 2 },
      { kind: 'returnCommitted', sku: 'B-1', quantity: 1 },
      { kind: 'tombstone', sku: 'D-1' },
    ]);
  });

  it('plans nothing once everything was released (the step is idempotent)', () => {
    const released = lines.map((l) => ({ orderId: 'o', ...l, status: 'RELEASED' as const }));
    expect(planRelease(lines, released)).toEqual([]);
  });

  it('uses the reserved quantity, not the requested one', () => {
    expect(
      planRelease([{ sku: 'A-1', quantity: 5 }], [{ orderId: 'o', sku: 'A-1', quantity: 2, status: 'HELD' }]),
    ).toEqual([{ kind: 'releaseHeld', sku: 'A-1', quantity: 2 }]);
  });
});
