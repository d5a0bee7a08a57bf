/**
 * `npm start`: synthesizes the CDK app (or reuses a fresh cdk.out) and runs it on this machine.
 * A thin CLI over startLocalRuntime(); see local/README.md for the flags and the /_local endpoints.
 *
 * Exit codes: 0 after a clean shutdown, 1 unexpected error, 2 Java 17 missing, 3 port in use, 4 synth failed,
 * 5 the template uses something the local runtime cannot run.
 */
import { parseArgs } from 'node:util';
import { JavaMissingError, PortInUseError } from './dynamodb-local';
import { FaultsConfigError, FaultsFile } from './faults-config';
import type { LogOption } from './logs';
import { type LocalRuntime, type StartupSummary, startLocalRuntime } from './runtime';
import { SynthError, type SynthMode } from './synth';
import { UnsupportedTemplateError } from './template/resolver';

const USAGE = `Usage: npm start -- [options]

  --port <n>          API port (default: $PORT or 3000; 0 = a free port)
  --synth <mode>      auto (default): synthesize when a source is newer than cdk.out; always; never
  --persist <dir>     keep DynamoDB data, queues, checkpoints and executions in <dir> between runs
  --cdk-out <dir>     the cloud assembly directory (default: cdk.out)
  --app <command>     synthesize this CDK app instead of cdk.json's
  --logs <mode>       console (default) or silent
  --workers <n>       execution environments per function, at most (default: 4)
  --time-scale <f>    factor for Step Functions retry intervals and waits (default: 0.05)
  --faults <file>     inject the faults a JSON file describes; reloaded when it changes (local/README.md)
  -h, --help          this text
`;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      synth: { type: 'string' },
      persist: { type: 'string' },
      'cdk-out': { type: 'string' },
      app: { type: 'string' },
      logs: { type: 'string' },
      workers: { type: 'string' },
      'time-scale': { type: 'string' },
      faults: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const synth = values.synth ?? 'auto';
  if (!['auto', 'always', 'never'].includes(synth))
    throw new Error(`--synth must be auto, always or never (got ${synth})`);
  const logs = values.logs ?? 'console';
  if (logs !== 'console' && logs !== 'silent') throw new Error(`--logs must be console or silent (got ${logs})`);
  const number = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number (got ${text})`);
    return n;
  };
  return {
    help: values.help === true,
    port: number('port', values.port),
    synth: synth as SynthMode,
    persistDir: values.persist,
    cdkOut: values['cdk-out'],
    app: values.app,
    logs: logs as LogOption,
    workerPoolSize: number('workers', values.workers),
    timeScale: number('time-scale', values['time-scale']),
    faultsFile: values.faults,
  };
}

function describe(summary: StartupSummary): string {
  const c = summary.counts;
  const lines = [
    '',
    `Local runtime ready in ${(summary.startMs / 1000).toFixed(1)} s` +
      (summary.synth.synthesized
        ? ` (+ synth ${(summary.synth.durationMs / 1000).toFixed(1)} s: ${summary.synth.reason})`
        : ` (synth skipped: ${summary.synth.reason})`),
    `  API              ${summary.apiUrl}`,
    `  Inspect          ${summary.apiUrl}/_local/health | /_local/executions | /_local/events | /_local/dlq | /_local/metrics`,
    `  AWS endpoint     ${summary.servicesEndpoint}   (EventBridge, Step Functions, SQS, Lambda Invoke)`,
    `  DynamoDB         ${summary.dynamodb.endpoint}   (DynamoDB Local ${summary.dynamodb.localEndpoint}, pid ${summary.dynamodb.pid}, ${summary.dynamodb.persisted ? 'persisted' : 'in memory'}, started in ${(summary.dynamodb.startMs / 1000).toFixed(1)} s)`,
    `  Stacks           ${summary.stacks.join(', ')}`,
    `  Resources        ${c.functions} functions, ${c.routes} routes, ${c.rules} rules, ${c.stateMachines} state machines, ` +
      `${c.tables} tables, ${c.queues} queues, ${c.buses} buses, ${c.eventSourceMappings} event source mappings`,
  ];
  const restored = summary.restored;
  if (restored.executions || restored.asyncInvocations || restored.deliveries) {
    lines.push(
      `  Restored         ${restored.executions} executions (${restored.restartedExecutions} restarted), ` +
        `${restored.asyncInvocations} async invocations, ${restored.deliveries} event deliveries`,
    );
  }
  const ignored = Object.entries(summary.notEmulated).map(([type, n]) => `${type} x${n}`);
  if (ignored.length) lines.push(`  Not emulated     ${ignored.join(', ')}`);
  for (const warning of summary.warnings) lines.push(`  Warning          ${warning}`);
  lines.push('Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

function exitCodeOf(error: unknown): number {
  if (error instanceof JavaMissingError) return 2;
  if (error instanceof PortInUseError) return 3;
  if (error instanceof SynthError) return 4;
  if (error instanceof UnsupportedTemplateError) return 5;
  return 1;
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(1);
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  // Lambda runs in UTC; the runtime process does too, so that times in logs and events agree.
  process.env.TZ = 'UTC';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { help: _help, faultsFile, ...runtimeOptions } = options;
  let faults: FaultsFile | undefined;
  try {
    faults = faultsFile ? new FaultsFile(faultsFile, (line) => process.stdout.write(`${line}\n`)) : undefined;
  } catch (error) {
    process.stderr.write(`${error instanceof FaultsConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }
  if (runtimeOptions.synth !== 'never')
    process.stdout.write('Checking the cloud assembly (cdk synth when sources changed)...\n');
  let runtime: LocalRuntime;
  try {
    runtime = await startLocalRuntime({
      ...runtimeOptions,
      faults: faults?.injector,
      functionEnvironment: faults?.environmentFor,
    });
  } catch (error) {
    process.stderr.write(`\nThe local runtime could not start: ${(error as Error).message}\n`);
    if (error instanceof SynthError && error.output)
      process.stderr.write(`\n--- cdk synth output ---\n${error.output.trim()}\n`);
    process.exit(exitCodeOf(error));
  }
  process.stdout.write(describe(runtime.summary));
  faults?.attach(runtime);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now.\n`);
      process.exit(130);
    }
    stopping = true;
    faults?.close();
    process.stdout.write(`\n${signal}: stopping (workers, polling, DynamoDB Local)...\n`);
    runtime.stop().then(
      () => {
        process.stdout.write('Stopped.\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
