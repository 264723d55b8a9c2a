import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalFunctions } from '../../../infra/local/functions';

/** A handler module that answers with how deep its event is nested, walked without recursion. */
const DEPTH_HANDLER = `
export const handler = async (event) => {
  let depth = 0;
  let node = event;
  while (Array.isArray(node)) { depth += 1; node = node[0]; }
  return { depth, leaf: node };
};
`;

describe('LocalFunctions', () => {
  const root = mkdtempSync(join(tmpdir(), 'local-functions-'));
  writeFileSync(join(root, 'depth.mjs'), DEPTH_HANDLER);
  const functions = new LocalFunctions(
    [{ name: 'depth', entry: 'depth.mjs', timeoutSeconds: 5, memoryMb: 128 }],
    'us-east-1',
    '000000000000',
    root,
  );
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('hands a deeply nested event to the handler, as Lambda parses any JSON payload (fuzz: 10,000 nested arrays)', async () => {
    // Prepare: nesting past what a recursive clone survives, which Lambda's JSON.parse accepts.
    const depth = 10_000;
    const event: unknown = JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`);

    // Act
    const result = await functions.invoke('depth', event);

    // Assess
    expect(result).toEqual({ depth, leaf: 1 });
  });

  it('starts the handlers cold in each LocalFunctions, as a second local AWS in the process needs', async () => {
    // Prepare: a handler that counts its invocations in module state, as handlers keep clients.
    writeFileSync(join(root, 'count.mjs'), 'let n = 0; export const handler = async () => ++n;');
    const spec = [{ name: 'count', entry: 'count.mjs', timeoutSeconds: 5, memoryMb: 128 }];
    const first = new LocalFunctions(spec, 'us-east-1', '000000000000', root);
    const second = new LocalFunctions(spec, 'us-east-1', '000000000000', root);

    // Act
    const fromFirst = [await first.invoke('count', {}), await first.invoke('count', {})];
    const fromSecond = await second.invoke('count', {});

    // Assess: warm within one, cold in the other.
    expect(fromFirst).toEqual([1, 2]);
    expect(fromSecond).toBe(1);
  });

  it('gives the handler its own copy of the event', async () => {
    // Prepare
    writeFileSync(
      join(root, 'mutate.mjs'),
      'export const handler = async (event) => { event.a[0] = 9; return event; };',
    );
    const mutating = new LocalFunctions(
      [{ name: 'mutate', entry: 'mutate.mjs', timeoutSeconds: 5, memoryMb: 128 }],
      'us-east-1',
      '000000000000',
      root,
    );
    const event = { a: [1, { b: 'c' }], n: null };

    // Act
    const result = await mutating.invoke('mutate', event);

    // Assess
    expect(event).toEqual({ a: [1, { b: 'c' }], n: null });
    expect(result).toEqual({ a: [9, { b: 'c' }], n: null });
  });
});
