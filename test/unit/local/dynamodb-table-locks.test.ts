import { describe, expect, it } from 'vitest';
import { TableLocks } from '../../../infra/local/services/dynamodb/table-locks';

/** Let every settled promise run its continuations. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('local DynamoDB table locks', () => {
  it('lets shared holders of a table run together', async () => {
    // Prepare
    const locks = new TableLocks();
    const granted: string[] = [];

    // Act
    void locks.acquire(['t'], false).then(() => granted.push('first'));
    void locks.acquire(['t'], false).then(() => granted.push('second'));
    await settle();

    // Assess
    expect(granted).toEqual(['first', 'second']);
  });

  it('keeps an exclusive holder apart from everything else on its tables only', async () => {
    // Prepare
    const locks = new TableLocks();
    const granted: string[] = [];
    const releaseReader = await locks.acquire(['a'], false);

    // Act
    let releaseWriter: (() => void) | undefined;
    void locks.acquire(['b', 'a'], true).then((release) => {
      granted.push('transaction');
      releaseWriter = release;
    });
    await settle();
    const whileReaderHeld = [...granted];
    releaseReader();
    await settle();
    void locks.acquire(['b'], false).then(() => granted.push('read of b'));
    void locks.acquire(['c'], false).then(() => granted.push('read of c'));
    await settle();
    const whileWriterHeld = [...granted];
    releaseWriter?.();
    await settle();

    // Assess
    expect(whileReaderHeld).toEqual([]);
    expect(whileWriterHeld).toEqual(['transaction', 'read of c']);
    expect(granted).toEqual(['transaction', 'read of c', 'read of b']);
  });

  it('serves a waiting transaction before reads that arrive after it', async () => {
    // Prepare
    const locks = new TableLocks();
    const order: string[] = [];
    const first = await locks.acquire(['t'], false);

    // Act
    const writer = locks.acquire(['t'], true).then((release) => {
      order.push('writer');
      release();
    });
    const reader = locks.acquire(['t'], false).then((release) => {
      order.push('reader');
      release();
    });
    await settle();
    first();
    await Promise.all([writer, reader]);

    // Assess
    expect(order).toEqual(['writer', 'reader']);
  });
});
