/**
 * `npm run cost`: the cost of 1,000 checkouts on AWS (us-east-1), STANDARD and EXPRESS saga, from the latest bench
 * results (bench-results/latest.json), the template in cdk.out and the prices in scripts/cost/prices.ts.
 * `--docs` also writes docs/perf/cost.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchResults } from '../bench/results';
import { type CostEstimate, estimate } from './model';
import { PRICES } from './prices';
import { templateFacts } from './template';

const TARGET_STANDARD_USD = 0.3;

const money = (usd: number) => (usd >= 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(5)}`);
const quantity = (n: number) =>
  n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 1 ? n.toFixed(1) : n.toPrecision(2);

export function markdown(result: CostEstimate): string {
  const rows = result.lines.map(
    (l) =>
      `| ${l.service} | ${l.item} | ${quantity(l.quantity)} ${l.unit} | ${l.workflow === 'both' ? '' : l.workflow} | ${money(l.usd)} | ${l.basis} |`,
  );
  const standard = result.perThousand.STANDARD;
  const verdict =
    standard < TARGET_STANDARD_USD
      ? `under the $${TARGET_STANDARD_USD.toFixed(2)} target`
      : `over the $${TARGET_STANDARD_USD.toFixed(2)} target`;
  return [
    `# Cost per 1,000 checkouts on AWS (${PRICES.region}, prices checked ${PRICES.checkedOn})`,
    '',
    `From the bench run of ${result.inputs.benchRun} (${result.inputs.checkoutsCounted} checkouts counted; durations at ${result.inputs.durationsFrom}) and the template in cdk.out. Prices and assumptions: \`scripts/cost/prices.ts\`.`,
    '',
    '| service | what | per 1,000 checkouts | saga | USD | basis |',
    '|---|---|---:|---|---:|---|',
    ...rows,
    `| **total** | **STANDARD saga** | | | **${money(standard)}** | ${verdict} |`,
    `| **total** | **EXPRESS saga** | | | **${money(result.perThousand.EXPRESS)}** | |`,
    '',
    `Of the STANDARD total, ${money(result.simulatedUsd)} are the simulated payment provider's ledger and mailbox writes, which a real deployment replaces by its providers' fees.`,
    '',
    ...result.notes.map((n) => `- ${n}`),
  ].join('\n');
}

function main(): void {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      results: { type: 'string', default: 'bench-results/latest.json' },
      'cdk-out': { type: 'string', default: 'cdk.out' },
      docs: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const results = JSON.parse(readFileSync(resolve(values.results), 'utf8')) as BenchResults;
  const result = estimate(results, templateFacts(resolve(values['cdk-out'])));
  const text = markdown(result);
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${text}\n`);
  if (values.docs) writeFileSync(resolve('docs/perf/cost.md'), `${text}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`cost failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.stderr.write('Run `npm run bench` first: it writes bench-results/latest.json.\n');
  process.exitCode = 1;
}
