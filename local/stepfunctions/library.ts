/**
 * Loads `aws-local-stepfunctions` (v3) after installing the `Promise.withResolvers` polyfill it needs on
 * Node 20 (it calls it when a Task state runs). Loading goes through this function so that the polyfill is
 * always in place first, whatever order a formatter gives the imports.
 */
import type * as Library from 'aws-local-stepfunctions';

let loaded: typeof Library | undefined;

export function installWithResolversPolyfill(): void {
  if (typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers === 'function') return;
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: <T>() => {
      let resolve: (value: T | PromiseLike<T>) => void = () => {};
      let reject: (reason?: unknown) => void = () => {};
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export function loadStepFunctionsLibrary(): typeof Library {
  if (!loaded) {
    installWithResolversPolyfill();
    loaded = require('aws-local-stepfunctions') as typeof Library;
  }
  return loaded;
}
