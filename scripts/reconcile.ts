/**
 * `npm run reconcile`: runs the reconciler once, now, and prints what it repaired and what it found for a person to
 * look at. The reconciler also runs every 5 minutes on its own schedule; this is for "now" and for tests.
 */
import { EXIT, openTarget, parse, runCli, TARGET_OPTIONS } from './ops/cli-args';
import { formatReconcile, runReconciler } from './ops/reconcile';
import { UsageError } from './ops/target';

const USAGE = `Usage: npm run reconcile -- (--local [apiUrl] | --stage <name>) [--stale-after <seconds>] [--json]

  --local [apiUrl]         the local runtime (default http://127.0.0.1:3000)
  --stage <name>           a deployed stage: the function from stack Commerce-<name>-Stateless's output
                           ReconcilerFunctionName (AWS credentials and region from the environment)
  --stale-after <seconds>  leave orders and holds younger than this to the saga (default: the function's own,
                           15 minutes). Lower it only when no saga can still be running for those orders.
  --json                   print the report as JSON

Exit codes: 0 the reconciler ran (repairs and anomalies are in the report), 1 it failed, 2 usage.`;

const OPTIONS = { ...TARGET_OPTIONS, 'stale-after': { type: 'string' } } as const;

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`Unexpected arguments: ${positionals.join(' ')}`);
  const staleAfter = values['stale-after'];
  if (staleAfter !== undefined && !/^\d+$/.test(staleAfter)) {
    throw new UsageError(`--stale-after must be a whole number of seconds (got '${staleAfter}')`);
  }
  const target = await openTarget(values);
  try {
    const run = await runReconciler(target, {
      staleAfterSeconds: staleAfter === undefined ? undefined : Number(staleAfter),
    });
    process.stdout.write(
      `${values.json ? JSON.stringify({ target: target.label, ...run }, null, 2) : formatReconcile(target.label, run)}\n`,
    );
    return EXIT.ok;
  } finally {
    target.close();
  }
}

void runCli(USAGE, () => main(process.argv.slice(2)));
