// @ts-check
/**
 * The Lambda execution environment inside one worker thread: it loads the function's bundled handler once
 * (the init phase), then runs one invocation at a time when the pool posts one.
 *
 * Plain JavaScript on purpose: a worker thread does not inherit the TypeScript loader of its parent under
 * jest, so this file must run as it is under `tsx`, jest and plain `node` alike.
 */
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

// The functions target nodejs22.x; these machines run Node 20. Fill the gap the bundles may rely on.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      /** @type {(value: unknown) => void} */
      let resolve = () => {};
      /** @type {(reason?: unknown) => void} */
      let reject = () => {};
      const promise = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

const data = /** @type {{ taskRoot: string; handler: string; functionName: string; functionVersion: string;
  memoryMb: number; logGroupName: string; logStreamName: string; invokedFunctionArn: string }} */ (workerData);

/** @type {string | null} the id of the invocation in progress */
let current = null;

/**
 * The Lambda runtime's error shape for a thrown value.
 * @param {unknown} err
 */
function toLambdaError(err) {
  if (err instanceof Error) {
    return { errorType: err.name || 'Error', errorMessage: err.message, trace: String(err.stack ?? '').split('\n') };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

/**
 * @param {string} name
 * @param {string} message
 */
function named(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** @param {Record<string, unknown>} message */
function post(message) {
  parentPort?.postMessage(message);
}

async function loadHandler() {
  const dot = data.handler.lastIndexOf('.');
  if (dot <= 0) throw named('Runtime.MalformedHandlerName', `Bad handler ${data.handler}: expected file.export`);
  const modulePart = data.handler.slice(0, dot);
  const exportPath = data.handler.slice(dot + 1);
  const base = join(data.taskRoot, modulePart);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((candidate) => existsSync(candidate));
  if (!file) throw named('Runtime.ImportModuleError', `Error: Cannot find module '${modulePart}' in ${data.taskRoot}`);
  /** @type {any} */
  let mod;
  try {
    if (file.endsWith('.mjs')) mod = await import(pathToFileURL(file).href);
    else {
      try {
        mod = require(file);
      } catch (e) {
        if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'ERR_REQUIRE_ESM') throw e;
        mod = await import(pathToFileURL(file).href);
      }
    }
  } catch (e) {
    if (e instanceof SyntaxError) throw named('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`);
    throw e;
  }
  let fn = mod;
  for (const part of exportPath.split('.')) fn = fn?.[part];
  if (typeof fn !== 'function' && mod?.default) {
    fn = mod.default;
    for (const part of exportPath.split('.')) fn = fn?.[part];
  }
  if (typeof fn !== 'function') {
    throw named('Runtime.HandlerNotFound', `${modulePart}.${exportPath} is undefined or not exported`);
  }
  return /** @type {(event: unknown, context: object, callback?: Function) => unknown} */ (fn);
}

/**
 * Runs the handler, async or callback style, and settles with its result.
 * @param {(event: unknown, context: object, callback?: Function) => unknown} fn
 * @param {unknown} event
 * @param {object} context
 */
function runHandler(fn, event, context) {
  return new Promise((resolve, reject) => {
    /** @param {unknown} err @param {unknown} result */
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    try {
      const returned = fn(event, context, callback);
      if (returned && typeof (/** @type {Promise<unknown>} */ (returned).then) === 'function') {
        /** @type {Promise<unknown>} */ (returned).then(resolve, reject);
      } else if (fn.length < 3) {
        resolve(returned);
      }
    } catch (e) {
      reject(e);
    }
  });
}

process.on('unhandledRejection', (reason) => {
  const error = toLambdaError(reason);
  post({
    type: 'crash',
    id: current,
    error: {
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: `${error.errorType}: ${error.errorMessage}`,
      trace: error.trace,
    },
  });
  process.exit(128);
});

async function main() {
  const started = performance.now();
  /** @type {(event: unknown, context: object, callback?: Function) => unknown} */
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    post({ type: 'init-error', error: toLambdaError(e) });
    return;
  }
  post({ type: 'ready', loadMs: performance.now() - started });
  parentPort?.on(
    'message',
    async (
      /** @type {{ type: string; id: string; event: string; requestId: string; deadlineMs: number; clientContext?: unknown; traceId?: string }} */ msg,
    ) => {
      if (msg.type !== 'invoke') return;
      current = msg.id;
      if (msg.traceId) process.env._X_AMZN_TRACE_ID = msg.traceId;
      const context = {
        callbackWaitsForEmptyEventLoop: true,
        functionName: data.functionName,
        functionVersion: data.functionVersion,
        invokedFunctionArn: data.invokedFunctionArn,
        memoryLimitInMB: String(data.memoryMb),
        awsRequestId: msg.requestId,
        logGroupName: data.logGroupName,
        logStreamName: data.logStreamName,
        identity: undefined,
        clientContext: msg.clientContext,
        getRemainingTimeInMillis: () => Math.max(0, msg.deadlineMs - Date.now()),
        done: () => {},
        fail: () => {},
        succeed: () => {},
      };
      try {
        const result = await runHandler(handler, JSON.parse(msg.event), context);
        let payload;
        try {
          payload = JSON.stringify(result === undefined ? null : result);
        } catch (e) {
          throw named(
            'Runtime.MarshalError',
            `Unable to stringify response body: ${e instanceof Error ? e.message : e}`,
          );
        }
        post({ type: 'result', id: msg.id, ok: true, payload });
      } catch (e) {
        post({ type: 'result', id: msg.id, ok: false, error: toLambdaError(e) });
      } finally {
        current = null;
      }
    },
  );
}

void main();
