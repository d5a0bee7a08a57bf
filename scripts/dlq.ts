/**
 * `npm run dlq -- <command>`: work the dead letters of the local runtime or of a deployed stage.
 * See docs/operations.md for what each kind of dead letter is and what its redrive does.
 */
import { EXIT, openTarget, parse, runCli, TARGET_OPTIONS } from './ops/cli-args';
import { inspectDeadLetters, listDeadLetters, redriveDeadLetters } from './ops/dead-letters';
import {
  formatInspect,
  formatList,
  formatRedrive,
  republishFooter,
  republishHeader,
  republishLines,
} from './ops/format';
import { republishFromTarget, republishSelection, republishSucceeded } from './ops/republish';
import { UsageError } from './ops/target';

const USAGE = `Usage: npm run dlq -- <command> [options] (--local [apiUrl] | --stage <name>)

Commands:
  list                               every dead-letter queue, its depth and one line per message
  inspect <queue> [--id <messageId>] the original record/event/payload, the error, attempts, where it came from
  redrive <queue> [--id <messageId>] [--dry-run] [--force] [--sync]
                                     send messages back to where they failed; a message is deleted only after
                                     its redrive succeeded
  republish (--event <eventId> | --from <ISO time> --to <ISO time>) [--dry-run]
                                     publish events again from their outbox items (kept 7 days; the stream keeps
                                     records 24 h), as the relay does; safe to repeat: the event id is unchanged
                                     and consumers deduplicate by it

<queue>: a hop (OutboxRelay, CheckoutStarter, CustomerOrdersProjection, OrderNotifier, SagaFailureRecorder,
Reconciler), or a queue name, URL or ARN.

Options:
  --local [apiUrl]  the local runtime (default http://127.0.0.1:3000)
  --stage <name>    a deployed stage: queues from stack Commerce-<name>-Stateful (AWS credentials and region from
                    the environment)
  --id <messageId>  only this message (repeatable)
  --event <eventId> republish: this event's outbox item (repeatable)
  --from, --to      republish: every outbox event whose time lies in [from, to] (ISO 8601 with a zone, e.g.
                    2026-11-20T09:00:00Z); scans the table page by page
  --dry-run         say what would be done; send nothing, delete nothing
  --force           also hand poison outbox records to the relay again (only useful once the catalog that
                    rejected them has been fixed and deployed)
  --sync            invoke functions synchronously and keep the message if they fail again (default: asynchronously,
                    as EventBridge and Lambda did)
  --max <n>         read at most n messages per queue (default 1000)
  --json            machine-readable output

Exit codes: 0 ok, 1 something failed (or a message was not found), 2 usage.`;

const OPTIONS = {
  ...TARGET_OPTIONS,
  id: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  sync: { type: 'boolean', default: false },
  max: { type: 'string' },
  event: { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

function maxOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--max must be a positive integer (got '${value}')`);
  return Number(value);
}

const print = (text: string) => process.stdout.write(`${text}\n`);

/** The command line's body; exported for tests (usage mistakes throw UsageError before any target is opened). */
export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    print(USAGE);
    return EXIT.ok;
  }
  const [command, queue, ...extra] = positionals;
  if (extra.length) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}`);
  if (command === 'republish') return republishCommand(values, queue);
  if (command !== 'list' && command !== 'inspect' && command !== 'redrive') {
    throw new UsageError(command ? `Unknown command '${command}'` : 'Missing command');
  }
  if (values.event !== undefined || values.from !== undefined || values.to !== undefined) {
    throw new UsageError('--event, --from and --to apply to republish only');
  }
  if (command === 'list' && queue) throw new UsageError('list takes no queue: it lists them all');
  if (command !== 'list' && !queue) throw new UsageError(`${command} needs a queue`);
  if (command !== 'redrive' && (values['dry-run'] || values.sync)) {
    throw new UsageError('--dry-run and --sync apply to redrive only');
  }
  const max = maxOf(values.max);
  const target = await openTarget(values);
  try {
    if (command === 'list') {
      const queues = await listDeadLetters(target, max);
      print(values.json ? JSON.stringify({ target: target.label, queues }, null, 2) : formatList(target.label, queues));
      return EXIT.ok;
    }
    if (command === 'inspect') {
      const out = await inspectDeadLetters(target, queue ?? '', { ids: values.id, max, force: values.force });
      print(values.json ? JSON.stringify(out, null, 2) : formatInspect(out.queue.name, out.messages, out.missing));
      return out.missing.length ? EXIT.failed : EXIT.ok;
    }
    const report = await redriveDeadLetters(target, queue ?? '', {
      ids: values.id,
      dryRun: values['dry-run'],
      force: values.force,
      sync: values.sync,
      max,
    });
    print(values.json ? JSON.stringify(report, null, 2) : formatRedrive(report));
    const failed = report.results.some((r) => r.outcome === 'failed') || report.missing.length > 0;
    return failed ? EXIT.failed : EXIT.ok;
  } finally {
    target.close();
  }
}

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

async function republishCommand(values: Values, queue: string | undefined): Promise<number> {
  if (queue) throw new UsageError(`republish takes no queue (got '${queue}'): it reads the outbox`);
  const misplaced = [
    values.id !== undefined && '--id',
    values.max !== undefined && '--max',
    values.force && '--force',
    values.sync && '--sync',
  ].filter(Boolean);
  if (misplaced.length) throw new UsageError(`republish does not take ${misplaced.join(', ')}`);
  const selection = republishSelection(values);
  const dryRun = values['dry-run'];
  const target = await openTarget(values);
  try {
    const report = await republishFromTarget(target, selection, {
      dryRun,
      // Text: a line per event as each page is done (a window can take a while); JSON: one document at the end.
      onStart: (where) => {
        if (!values.json) print(republishHeader(target.label, where, dryRun));
      },
      onResults: (results) => {
        if (!values.json) print(republishLines(results));
      },
    });
    print(values.json ? JSON.stringify(report, null, 2) : republishFooter(report));
    return republishSucceeded(report) ? EXIT.ok : EXIT.failed;
  } finally {
    target.close();
  }
}

if (require.main === module) void runCli(USAGE, () => main(process.argv.slice(2)));
