/** The table of a full run, as `npm run chaos -- --docs` writes it into docs/chaos.md and the README. */
import { docsBlocks, formatDuration, ordersPhrase, replaceBlock } from '../../scripts/chaos/report';
import type { ScenarioResult } from '../../scripts/chaos/run-scenario';

function result(scenario: string, planned: number, violations = 0): ScenarioResult {
  return {
    scenario,
    injects: '',
    seed: 42,
    planned,
    accepted: planned,
    confirmed: planned - 1,
    cancelled: 1,
    cancelReasons: {},
    repairs: 0,
    deadLetters: 0,
    redriven: 0,
    violations: Array.from({ length: violations }, () => ({ check: 'x', subject: 'y', message: 'z' })),
    durationMs: 61_500,
    notes: [],
    dataDir: undefined,
  };
}

describe('chaos report', () => {
  it('names the orders of each scenario and the time', () => {
    expect(ordersPhrase([result('a', 300), result('b', 300), result('hot-sku', 200)])).toBe(
      '300 orders each (hot-sku 200)',
    );
    expect(ordersPhrase([result('a', 40), result('b', 40)])).toBe('40 orders each');
    expect(formatDuration(859_000)).toBe('14 min 19 s');
    expect(formatDuration(42_400)).toBe('42 s');
  });

  it('writes the table between the markers and keeps the rest', () => {
    const blocks = docsBlocks([result('a', 300), result('b', 300, 2)], {
      seed: 42,
      startedAt: new Date('2026-12-04T10:00:00Z'),
      durationMs: 123_000,
    });
    expect(blocks.readme).toMatch(/^Latest full run \(2026-12-04, seed 42, 300 orders each, 2 min 3 s\):/);
    expect(blocks.readme).toContain(
      '| b        |    300 |       299 |         1 |       0 |   0 |          2 | 61.5 s |',
    );
    expect(blocks.readme).toContain('1 passed, 1 failed');
    expect(blocks.docs).toMatch(
      /^`npm run chaos` on 2026-12-04 \(2 cores, seed 42, 300 orders per scenario; 2 min 3 s/,
    );
    const text = 'before\n<!-- chaos:readme:start -->\nold\n<!-- chaos:readme:end -->\nafter\n';
    expect(replaceBlock(text, 'chaos:readme', 'new')).toBe(
      'before\n<!-- chaos:readme:start -->\nnew\n<!-- chaos:readme:end -->\nafter\n',
    );
    expect(() => replaceBlock('no markers', 'chaos:readme', 'new')).toThrow(/no <!-- chaos:readme:start -->/);
  });
});
