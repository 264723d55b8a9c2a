import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Each Lambda function has its own process environment; local functions share this process.
 * `process.env` is given a per-invocation overlay: inside `withFunctionEnvironment` the
 * variables of that function (its role's credentials) shadow the shared ones, across every
 * await of the invocation, while concurrent invocations of other functions see their own.
 * The SDK's default credential chain reads `process.env`, so each function's clients sign
 * as its own role without any change to the function's code.
 */
const overlay = new AsyncLocalStorage<Readonly<Record<string, string>>>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const shared = process.env;
  const own = (key: string | symbol): Readonly<Record<string, string>> | undefined => {
    const vars = overlay.getStore();
    return typeof key === 'string' && vars !== undefined && Object.hasOwn(vars, key) ? vars : undefined;
  };
  process.env = new Proxy(shared, {
    get: (target, key) => own(key)?.[key as string] ?? Reflect.get(target, key),
    // Writes go to the shared environment itself (not through the proxy as receiver, which
    // process.env's own property rules would refuse).
    set: (target, key, value) => Reflect.set(target, key, value),
    has: (target, key) => own(key) !== undefined || Reflect.has(target, key),
    getOwnPropertyDescriptor: (target, key) => {
      const vars = own(key);
      return vars === undefined
        ? Reflect.getOwnPropertyDescriptor(target, key)
        : { value: vars[key as string], writable: true, enumerable: true, configurable: true };
    },
    ownKeys: (target) => [...new Set([...Reflect.ownKeys(target), ...Object.keys(overlay.getStore() ?? {})])],
  });
}

/** Run `fn` (and everything it awaits) with `environment` over the shared `process.env`. */
export function withFunctionEnvironment<T>(
  environment: Readonly<Record<string, string>> | undefined,
  fn: () => T,
): T {
  if (environment === undefined) return fn();
  install();
  return overlay.run(environment, fn);
}
