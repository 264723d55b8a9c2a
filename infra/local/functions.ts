import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { withFunctionEnvironment } from './function-environment';

/** A function as the local runtime runs it: the same handler module Lambda runs. */
export interface LocalFunctionSpec {
  readonly name: string;
  /** Path of the handler module from the repository root, e.g. `functions/mesh-audit/handler.ts`. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /**
   * Variables only this function sees (its role's credentials), over the shared environment,
   * as each Lambda function has an environment of its own.
   */
  readonly environment?: Readonly<Record<string, string>>;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** One finished invocation, for the timeline and tests. */
export interface InvocationRecord {
  readonly functionName: string;
  readonly requestId: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly error?: string;
}

export class FunctionTimeoutError extends Error {}

/**
 * A copy of an event for one invocation, as Lambda gives each its own parse of the payload.
 * Iterative, not `structuredClone`: JSON that Lambda parses may nest deeper than a recursive
 * clone's stack allows. Values that JSON cannot carry are copied by reference.
 */
export function cloneEvent(event: unknown): unknown {
  const copyOf = (value: unknown): unknown =>
    Array.isArray(value) ? new Array(value.length) : isPlainObject(value) ? {} : value;
  const root = copyOf(event);
  const pending: [unknown, unknown][] = root === event ? [] : [[event, root]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [from, to] = next as [Record<string, unknown>, Record<string, unknown>];
    for (const key of Object.keys(from)) {
      const child = copyOf(from[key]);
      // defineProperty keeps an own `__proto__` key a plain key, as JSON.parse makes it.
      Object.defineProperty(to, key, { value: child, enumerable: true, writable: true, configurable: true });
      if (child !== from[key]) pending.push([from[key], child]);
    }
  }
  return root;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Runs the project's Lambda handlers in this process, each with a Lambda-like context and
 * the environment Lambda would give it (set once by the runtime before the first import,
 * since handlers read configuration at module load, as they do in Lambda).
 */
/** How many LocalFunctions this process has made: each loads its own copy of the handlers. */
let instances = 0;

export class LocalFunctions {
  private readonly specs = new Map<string, LocalFunctionSpec>();
  /**
   * Handlers keep clients, configuration and caches from their first load (as in a Lambda
   * execution environment): a second local AWS in the same process (a test starting one per
   * test) must start them cold, not reuse the ones bound to an earlier, closed endpoint.
   */
  private readonly instance = ++instances;
  private readonly loaded = new Map<string, Promise<Handler>>();
  private readonly listeners: ((record: InvocationRecord) => void)[] = [];

  constructor(
    specs: readonly LocalFunctionSpec[],
    private readonly region: string,
    private readonly accountId: string,
    private readonly root = process.cwd(),
  ) {
    for (const spec of specs) this.specs.set(spec.name, spec);
  }

  /** The Lambda ARN a function would have. */
  arnOf(name: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}`;
  }

  names(): string[] {
    return [...this.specs.keys()];
  }

  onInvocation(listener: (record: InvocationRecord) => void): void {
    this.listeners.push(listener);
  }

  /** Resolve a function name or Lambda ARN (with or without a qualifier) to its spec. */
  private specOf(nameOrArn: string): LocalFunctionSpec {
    const name = nameOrArn.startsWith('arn:') ? (nameOrArn.split(':')[6] ?? '') : nameOrArn;
    const spec = this.specs.get(name);
    if (spec === undefined) throw new Error(`Function not found: ${nameOrArn}`);
    return spec;
  }

  private handlerOf(spec: LocalFunctionSpec): Promise<Handler> {
    let handler = this.loaded.get(spec.name);
    if (handler === undefined) {
      const url = pathToFileURL(resolve(this.root, spec.entry));
      if (this.instance > 1) url.searchParams.set('local-aws', String(this.instance));
      handler = import(url.href).then((module: { handler?: unknown }) => {
        if (typeof module.handler !== 'function')
          throw new Error(`${spec.entry} does not export a handler function`);
        return module.handler as Handler;
      });
      this.loaded.set(spec.name, handler);
    }
    return handler;
  }

  /** Invoke a function once, as Lambda's Invoke does; throws what the handler throws. */
  async invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    const spec = this.specOf(nameOrArn);
    return withFunctionEnvironment(spec.environment, () => this.run(spec, event));
  }

  private async run(spec: LocalFunctionSpec, event: unknown): Promise<unknown> {
    const handler = await this.handlerOf(spec);
    const requestId = randomUUID();
    const startedAt = new Date();
    const deadline = startedAt.getTime() + spec.timeoutSeconds * 1000;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: spec.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.arnOf(spec.name),
      memoryLimitInMB: String(spec.memoryMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${spec.name}`,
      logStreamName: `local/${startedAt.toISOString().slice(0, 10)}/${requestId}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new FunctionTimeoutError(`${spec.name} timed out after ${spec.timeoutSeconds} s`)),
        spec.timeoutSeconds * 1000,
      );
    });
    try {
      const result = await Promise.race([handler(cloneEvent(event), context), timeout]);
      this.emit({
        functionName: spec.name,
        requestId,
        startedAt,
        durationMs: Date.now() - startedAt.getTime(),
      });
      return result;
    } catch (error) {
      this.emit({
        functionName: spec.name,
        requestId,
        startedAt,
        durationMs: Date.now() - startedAt.getTime(),
        error: (error as Error).message,
      });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private emit(record: InvocationRecord): void {
    for (const listener of this.listeners) listener(record);
  }
}
