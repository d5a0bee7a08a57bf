/** The bench results as Markdown tables (printed, and written to docs/perf/latest-run.md with `--docs`). */
import type { ColdStartResult } from './cold-start';
import type { BenchResults } from './results';

const table = (header: string[], rows: (string | number)[][]): string =>
  [
    `| ${header.join(' | ')} |`,
    `|${header.map((h, i) => (i === 0 && !/^\d/.test(h) ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

export function markdownReport(r: BenchResults): string {
  const m = r.machine;
  const bestPoint = r.sweep.find((p) => p.concurrency === r.best.concurrency);
  const out: string[] = [];
  out.push(`# Bench run ${r.startedAt}`);
  out.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, ${m.os}; Node ${m.node}; ${m.java}; DynamoDB Local ${m.dynamodbLocal}. ` +
      `Options: ${JSON.stringify(r.options)}.`,
  );

  out.push('## Sweep (closed loop: N checkouts in flight; medians of the runs)');
  out.push(
    table(
      [
        'in flight',
        'confirmed/s',
        '202 p50 / p99 ms',
        'final p50 / p95 / p99 ms',
        'DDB Local puts/s',
        'writes/checkout',
        'bound/s',
        'achieved / bound',
        'CPU ms/checkout: node (main thread) + java',
        'java CPU ms/put',
        'main thread busy',
        'CPU bound/s',
        'achieved / CPU bound',
      ],
      r.sweep.map((p) => {
        const x = p.median;
        return [
          p.concurrency,
          fixed(x.throughput, 2),
          `${fixed(x.toAccepted.p50)} / ${fixed(x.toAccepted.p99)}`,
          `${fixed(x.toFinal.p50)} / ${fixed(x.toFinal.p95)} / ${fixed(x.toFinal.p99)}`,
          fixed(x.rawWritesPerSecond, 0),
          fixed(x.writeItemsPerCheckout, 1),
          fixed(x.bound, 1),
          `**${fixed(x.ratio, 2)}**`,
          `${fixed(x.nodeCpuMsPerCheckout, 0)} (${fixed(x.mainThreadCpuMsPerCheckout, 0)}) + ${fixed(x.javaCpuMsPerCheckout, 0)}`,
          fixed(x.javaCpuMsPerPut, 2),
          `${Math.round(x.mainThreadUtilization * 100)}%`,
          fixed(x.cpuBound, 1),
          fixed(x.cpuRatio, 2),
        ];
      }),
    ),
  );
  out.push(
    `Best: ${r.best.throughput} checkouts/s at ${r.best.concurrency} in flight, achieved / bound = **${r.best.ratio}**` +
      (bestPoint ? `, achieved / CPU bound = ${fixed(bestPoint.median.cpuRatio, 2)}.` : '.'),
  );

  if (r.halfLoad) {
    const h = r.halfLoad.median;
    out.push(`## Half of the best throughput (open loop, ${r.halfLoad.rate} orders/s)`);
    out.push(
      table(
        ['rate/s', 'confirmed/s', '202 p50 / p99 ms', 'final p50 / p95 / p99 ms'],
        [
          [
            r.halfLoad.rate,
            fixed(h.throughput, 2),
            `${fixed(h.toAccepted.p50)} / ${fixed(h.toAccepted.p99)}`,
            `${fixed(h.toFinal.p50)} / ${fixed(h.toFinal.p95)} / **${fixed(h.toFinal.p99)}**`,
          ],
        ],
      ),
    );
  }

  const c = r.checkout;
  out.push(`## Per checkout (counted by the runtime; ${c.orders} orders at ${r.best.concurrency} in flight)`);
  out.push(
    table(
      ['what', 'per checkout'],
      [
        [
          'DynamoDB requests',
          `${c.dynamodb.requests} (${Object.entries(c.dynamodb.requestsByOperation)
            .map(([op, n]) => `${op} ${n}`)
            .join(', ')})`,
        ],
        [
          'DynamoDB write items',
          `${c.dynamodb.writeItems} (platform ${c.dynamodb.platformWriteItems}, simulated provider and mailbox ${(c.dynamodb.writeItems - c.dynamodb.platformWriteItems).toFixed(2)})`,
        ],
        ['DynamoDB condition checks (in transactions)', c.dynamodb.conditionCheckItems],
        ['DynamoDB read items / read request units', `${c.dynamodb.readItems} / ${c.dynamodb.readUnits}`],
        ['DynamoDB write request units (of them indexes)', `${c.dynamodb.writeUnits} (${c.dynamodb.indexWriteUnits})`],
        ['Lambda invocations', c.lambda.invocations],
        ['Step Functions state transitions', c.stateTransitions],
        ['HTTP API requests', c.apiRequests],
        [
          'Saga execution history (events / bytes)',
          r.sagaHistory ? `${r.sagaHistory.events} / ${r.sagaHistory.bytes}` : '–',
        ],
        ['EventBridge events put / delivered', `${c.events.put} / ${c.events.delivered}`],
        [
          'stream: GetRecords polls / records read / relay batches (runtime)',
          `${c.stream.polls} / ${c.stream.recordsRead} / ${c.stream.batches}`,
        ],
      ],
    ),
  );
  out.push('### Writes by item kind');
  out.push(
    table(
      ['kind (key prefixes)', 'what', 'items', 'of them in transactions'],
      c.dynamodb.writesByKind.map((w) => [
        `\`${w.kind.length > 40 ? `${w.kind.slice(0, 37)}...` : w.kind}\``,
        w.label,
        w.items,
        w.transactional,
      ]),
    ),
  );
  out.push('### Invocations by function');
  out.push(
    table(
      ['function', 'invocations', 'avg ms (warm)', 'memory MB', 'log bytes'],
      Object.entries(c.lambda.byFunction).map(([fn, f]) => [
        fn,
        f.invocations,
        fixed(f.avgDurationMs),
        f.memoryMb,
        r.logBytesPerCheckout?.[fn] ?? '–',
      ]),
    ),
  );

  if (r.coldStarts) {
    out.push('## Bundles and cold starts (medians of fresh loads)');
    out.push(coldStartTable(r.coldStarts));
  }

  out.push('## Item sizes in the table (bytes, as DynamoDB counts them)');
  out.push(
    table(
      ['kind', 'items', 'avg', 'max'],
      Object.entries(r.itemSizes)
        .sort((a, b) => b[1].items - a[1].items)
        .map(([kind, s]) => [
          `\`${kind.length > 40 ? `${kind.slice(0, 37)}...` : kind}\``,
          s.items,
          s.avgBytes,
          s.maxBytes,
        ]),
    ),
  );
  return out.join('\n\n');
}

export function coldStartTable(coldStarts: readonly ColdStartResult[]): string {
  return table(
    [
      'function',
      'bundle KB',
      'memory MB',
      'thread + load ms',
      'load ms',
      'first invoke ms',
      'load + first ms',
      'warm ms',
      'samples',
    ],
    coldStarts.map((s) => [
      s.function,
      kb(s.bundleBytes),
      s.memoryMb,
      fixed(s.startMs),
      fixed(s.loadMs),
      fixed(s.firstInvokeMs),
      fixed(s.totalMs),
      s.warmInvokeMs === undefined ? '–' : fixed(s.warmInvokeMs),
      s.samples,
    ]),
  );
}
