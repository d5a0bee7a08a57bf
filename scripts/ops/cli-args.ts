/**
 * Command-line parsing shared by `npm run dlq` and `npm run reconcile` (node:util parseArgs), including the one
 * option parseArgs cannot express: `--local` with an optional URL after it.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { stageFromContext } from '../../lib/stage';
import { awsTarget, DEFAULT_LOCAL_API_URL, localTarget, type OpsTarget, UsageError } from './target';

/** `--local` alone → `--local=<default>`; `--local http://…` → `--local=http://…`. */
export function normalizeLocalFlag(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg !== '--local') {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && /^https?:\/\//.test(next)) {
      out.push(`--local=${next}`);
      i++;
    } else out.push(`--local=${DEFAULT_LOCAL_API_URL}`);
  }
  return out;
}

export const TARGET_OPTIONS = {
  local: { type: 'string' },
  stage: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: normalizeLocalFlag(argv), options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export interface TargetChoice {
  readonly local?: string;
  readonly stage?: string;
}

/** Exactly one of `--local [url]` and `--stage <name>`. */
export async function openTarget(choice: TargetChoice): Promise<OpsTarget> {
  if (choice.local !== undefined && choice.stage !== undefined) {
    throw new UsageError('Choose one target: --local [apiUrl] or --stage <name>, not both');
  }
  if (choice.stage !== undefined) {
    const stage = choice.stage;
    try {
      stageFromContext((key) => (key === 'stage' ? stage : undefined)); // the deploy's own validation
    } catch (error) {
      throw new UsageError(`--stage: ${(error as Error).message}`);
    }
    return awsTarget(stage);
  }
  if (choice.local === undefined) {
    throw new UsageError('Choose a target: --local [apiUrl] (the local runtime) or --stage <name> (AWS)');
  }
  return localTarget(choice.local);
}

/** Exit codes of the operations tools. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs a CLI body: usage errors exit 2 with the usage text, anything else 1 with its message. */
export async function runCli(usage: string, body: () => Promise<number>): Promise<void> {
  // The SDK's Node-version notice is noise for a command-line tool run on the development machines' Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  try {
    process.exitCode = await body();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${usage}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(`${(error as Error).message ?? String(error)}\n`);
    process.exitCode = EXIT.failed;
  }
}
