import { normalizeLocalFlag, openTarget, parse, TARGET_OPTIONS } from '../../../scripts/ops/cli-args';
import { findQueue, hopOf, type QueueRef, UsageError } from '../../../scripts/ops/target';

describe('command line', () => {
  it('--local takes an optional URL', () => {
    expect(normalizeLocalFlag(['list', '--local'])).toEqual(['list', '--local=http://127.0.0.1:3000']);
    expect(normalizeLocalFlag(['--local', 'http://127.0.0.1:4000', 'list'])).toEqual([
      '--local=http://127.0.0.1:4000',
      'list',
    ]);
    expect(normalizeLocalFlag(['--local', 'list'])).toEqual(['--local=http://127.0.0.1:3000', 'list']);
  });

  it('unknown options are usage errors', () => {
    expect(() => parse(['--nope'], TARGET_OPTIONS)).toThrow(UsageError);
  });

  it('needs exactly one target, and a valid stage name', async () => {
    await expect(openTarget({})).rejects.toThrow(UsageError);
    await expect(openTarget({ local: 'http://x', stage: 'dev' })).rejects.toThrow(/not both/);
    await expect(openTarget({ stage: 'Not A Stage' })).rejects.toThrow(UsageError);
  });
});

describe('queues', () => {
  const queue = (name: string): QueueRef => ({
    name,
    url: `http://q/${name}`,
    arn: `arn:aws:sqs:r:1:${name}`,
    hop: hopOf(name) ?? name,
    usedBy: [],
  });
  const queues = [
    queue('Commerce-dev-Stateful-DeadLettersOrderNotifierDlq2DDA4E96'),
    queue('Commerce-dev-Stateful-DeadLettersOutboxRelayDlqDFF988C3'),
    queue('Commerce-dev-Stateful-DeadLettersCustomerOrdersProjectionDlq2D1EBD96'),
  ];

  it('knows the hop of each queue from its name or logical id', () => {
    expect(queues.map((q) => q.hop)).toEqual(['OrderNotifier', 'OutboxRelay', 'CustomerOrdersProjection']);
    expect(hopOf('DeadLettersReconcilerDlq93A70987')).toBe('Reconciler');
  });

  it('finds a queue by hop, DLQ_IDS key, name, URL or ARN', () => {
    expect(findQueue(queues, 'ordernotifier')).toBe(queues[0]);
    expect(findQueue(queues, 'notifier')).toBe(queues[0]);
    expect(findQueue(queues, 'outboxRelay')).toBe(queues[1]);
    expect(findQueue(queues, 'customerOrders')).toBe(queues[2]);
    expect(findQueue(queues, queues[1]?.url ?? '')).toBe(queues[1]);
    expect(() => findQueue(queues, 'Dlq')).toThrow(UsageError);
  });
});
