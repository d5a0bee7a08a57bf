/**
 * A crash after the commit (`afterCommit` of lambda rules): the handler runs to completion, then the invocation
 * fails anyway, on real worker threads. `exit` ends the execution environment (Runtime.ExitError, the next
 * invocation is a cold start); `lost-response` loses the result, which each trigger reports or retries.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultInjector } from '../../../local/faults';
import { createFaultInjector } from '../../../local/faults-config';
import { type AsyncInvocation, LambdaHost } from '../../../local/lambda/host';
import { Metrics } from '../../../local/metrics';
import { Journal } from '../../../local/persist/journal';
import type { FunctionDef } from '../../../local/template/model';

const codeDir = mkdtempSync(join(tmpdir(), 'after-commit-fn-'));
const ledger = join(codeDir, 'ledger.txt');
// The handler's "commit": a line in the ledger, written before it returns (or throws when asked to).
writeFileSync(
  join(codeDir, 'index.js'),
  `const { appendFileSync } = require('node:fs');
   const { threadId } = require('node:worker_threads');
   exports.handler = async (event) => {
     appendFileSync(${JSON.stringify(ledger)}, event.id + '\\n');
     if (event.fail) throw new Error('handler failed');
     return { threadId };
   };`,
);
afterAll(() => rmSync(codeDir, { recursive: true, force: true }));

const fnDef: FunctionDef = {
  logicalId: 'Fn',
  stackName: 'S',
  name: 'App-Writer',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:App-Writer',
  handler: 'index.handler',
  codeDir,
  runtime: 'nodejs22.x',
  timeoutSeconds: 5,
  memoryMb: 128,
  environment: {},
  reservedConcurrency: undefined,
  deadLetterArn: undefined,
};

const committed = () => readFileSync(ledger, 'utf8').split('\n').filter(Boolean);

function host(faults: FaultInjector, metrics = new Metrics()): LambdaHost {
  return new LambdaHost({
    functions: [fnDef],
    invokeConfigs: [],
    maxWorkersPerFunction: 1,
    baseEnv: () => ({}),
    log: () => {},
    metrics,
    faults,
    asyncRetryDelaysMs: [1],
    sendToDestination: async () => {},
    journal: new Journal<AsyncInvocation>(undefined),
  });
}

/** Crashes the invocations whose event id is in `ids`, once each. */
function crashing(mode: 'exit' | 'lost-response', ids: string[]): FaultInjector & { asked: string[] } {
  const pending = new Set(ids);
  const asked: string[] = [];
  return {
    asked,
    afterLambdaInvoke: (c) => {
      asked.push(c.requestId);
      return pending.delete(c.requestId) ? { crash: mode } : undefined;
    },
  };
}

beforeEach(() => writeFileSync(ledger, ''));

describe('a crash after the commit', () => {
  it('exit: the handler committed, the caller gets Runtime.ExitError, and the next invocation is a cold start', async () => {
    const metrics = new Metrics();
    const h = host(crashing('exit', ['r1']), metrics);
    try {
      const crashed = await h.invoke('App-Writer', '{"id":"a"}', { trigger: 'invoke-api', requestId: 'r1' });
      const error = {
        errorType: 'Runtime.ExitError',
        errorMessage: 'RequestId: r1 Error: Runtime exited with error: signal: killed',
      };
      expect(crashed).toMatchObject({ ok: false, error });
      expect(JSON.parse(crashed.payload)).toEqual(error);
      expect(committed()).toEqual(['a']);
      const next = await h.invoke('App-Writer', '{"id":"b"}', { trigger: 'invoke-api', requestId: 'r2' });
      expect(next.ok).toBe(true);
      expect(committed()).toEqual(['a', 'b']);
      expect(metrics.snapshot().lambda['App-Writer']).toMatchObject({ invocations: 2, errors: 1, coldStarts: 2 });
    } finally {
      await h.stop();
    }
  });

  it('lost-response: a Step Functions task gets the Lambda integration client timeout; the environment lives on', async () => {
    const metrics = new Metrics();
    const h = host(crashing('lost-response', ['r1']), metrics);
    try {
      const lost = await h.invoke('App-Writer', '{"id":"a"}', {
        trigger: 'stepfunctions',
        requestId: 'r1',
        stateMachineName: 'm',
        stateName: 'Reserve',
        executionName: 'e',
      });
      expect(lost).toMatchObject({
        ok: false,
        lostResponse: true,
        error: { errorType: 'Lambda.ClientExecutionTimeoutException' },
      });
      expect(committed()).toEqual(['a']);
      const api = await h.invoke('App-Writer', '{"id":"b"}', { trigger: 'api', requestId: 'r2' });
      expect(api.ok).toBe(true);
      expect(metrics.snapshot().lambda['App-Writer']).toMatchObject({ errors: 1, coldStarts: 1 });
    } finally {
      await h.stop();
    }
  });

  it('lost-response on an asynchronous invocation: Lambda retries it, so the handler runs again', async () => {
    const faults = crashing('lost-response', ['async-1']);
    const h = host(faults);
    try {
      h.invokeAsync('App-Writer', '{"id":"a"}', 'async-1');
      const deadline = Date.now() + 10_000;
      while (faults.asked.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(faults.asked).toEqual(['async-1', 'async-1']);
      expect(committed()).toEqual(['a', 'a']);
    } finally {
      await h.stop();
    }
  });

  it('is not consulted when the handler failed, and fault files select it per trigger', async () => {
    const faults = crashing('exit', ['r1']);
    const h = host(faults);
    try {
      const failed = await h.invoke('App-Writer', '{"id":"a","fail":true}', { trigger: 'api', requestId: 'r1' });
      expect(failed.error?.errorMessage).toBe('handler failed');
      expect(faults.asked).toEqual([]);
    } finally {
      await h.stop();
    }
    const injector = createFaultInjector({
      lambda: [{ function: 'Writer', triggers: ['sqs'], afterCommit: { probability: 1, mode: 'exit' } }],
    });
    const h2 = host(injector);
    try {
      expect((await h2.invoke('App-Writer', '{"id":"b"}', { trigger: 'api' })).ok).toBe(true);
      const sqs = await h2.invoke('App-Writer', '{"id":"c"}', { trigger: 'sqs' });
      expect(sqs.error?.errorType).toBe('Runtime.ExitError');
      expect(committed()).toEqual(['a', 'b', 'c']);
      expect(injector.counts()).toMatchObject({ afterCommitExits: 1, afterCommitLostResponses: 0 });
    } finally {
      await h2.stop();
    }
  });
});
