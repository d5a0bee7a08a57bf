/**
 * `npm run chaos`: runs the named chaos scenarios (scripts/chaos/scenarios.ts), each against a fresh local runtime,
 * checks the invariants after each, prints a table and `N passed, M failed`, and exits 1 on any violation.
 *
 *   npm run chaos                                        every scenario, 300 orders each (hot-sku 200)
 *   npm run chaos -- --scenario crash-restart --orders 100 --seed 7
 *   npm run chaos -- --json chaos-results.json
 *   npm run chaos -- --docs                              and write the results into docs/chaos.md and README.md
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { prepareCloudAssembly } from './cloud-assembly';
import { formatDetails, formatTable, summaryLine, writeResultsIntoDocs } from './report';
import { runScenario, type ScenarioResult } from './run-scenario';
import { findScenario, SCENARIOS } from './scenarios';

const USAGE = `Usage: npm run chaos -- [options]

  --scenario <name>     run this scenario (repeatable; default: all of them)
  --orders <n>          orders per scenario (default: 300, or the scenario's own: hot-sku 200)
  --seed <n>            seed of the load and the faults (default: 42)
  --settle <seconds>    deadline for a scenario to settle after its load (default: 240)
  --json <file>         write the results (violations included) to this file
  --keep                keep each scenario's data directory and runtime log
  --docs                write the table into docs/chaos.md and README.md (their chaos:results and
                        chaos:readme blocks); only for a run of every scenario with the default orders
  --list                list the scenarios and exit

Scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}
`;

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer (got ${text})`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', multiple: true },
      orders: { type: 'string' },
      seed: { type: 'string' },
      settle: { type: 'string' },
      json: { type: 'string' },
      keep: { type: 'boolean' },
      docs: { type: 'boolean' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(28)} ${s.injects}\n`);
    return 0;
  }
  const scenarios = (values.scenario ?? SCENARIOS.map((s) => s.name)).map(findScenario);
  const ordersOption = values.orders === undefined ? undefined : positiveInt('orders', values.orders, 300);
  const ordersOf = (scenario: (typeof scenarios)[number]) => ordersOption ?? scenario.defaultOrders ?? 300;
  if (values.docs && (values.scenario !== undefined || ordersOption !== undefined))
    throw new Error('--docs records a full run: every scenario, default orders (no --scenario, no --orders)');
  const seed = positiveInt('seed', values.seed, 42);
  const settleTimeoutMs = positiveInt('settle', values.settle, 240) * 1000;
  const projectDir = process.cwd();
  process.env.TZ = 'UTC';
  // The runtime's functions run on Node 22 in AWS; the SDK's Node 20 notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.stdout.write('Checking the cloud assembly (cdk synth when sources changed)...\n');
  await prepareCloudAssembly(projectDir);

  const results: ScenarioResult[] = [];
  const startedAt = new Date();
  for (const scenario of scenarios) {
    const orders = ordersOf(scenario);
    process.stdout.write(`\n== ${scenario.name}: ${scenario.injects}\n`);
    try {
      const result = await runScenario(scenario, {
        orders,
        seed,
        projectDir,
        settleTimeoutMs,
        keepData: values.keep === true,
        log: (line) => process.stdout.write(`   ${line}\n`),
      });
      results.push(result);
      process.stdout.write(`${formatDetails(result)}\n`);
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      results.push({
        scenario: scenario.name,
        injects: scenario.injects,
        seed,
        planned: orders,
        accepted: 0,
        confirmed: 0,
        cancelled: 0,
        cancelReasons: {},
        repairs: 0,
        deadLetters: 0,
        redriven: 0,
        violations: [{ check: 'run', subject: scenario.name, message: (error as Error).message }],
        durationMs: 0,
        notes: [],
        dataDir: undefined,
      });
    }
  }
  process.stdout.write(`\n${formatTable(results)}\n\n${summaryLine(results)}\n`);
  if (values.json)
    writeFileSync(values.json, `${JSON.stringify({ orders: ordersOption ?? 'default', seed, results }, null, 2)}\n`);
  if (values.docs) {
    for (const file of writeResultsIntoDocs(projectDir, results, {
      seed,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
    }))
      process.stdout.write(`wrote the results into ${file}\n`);
  }
  return results.some((r) => r.violations.length > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  },
);
