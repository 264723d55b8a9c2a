/**
 * Per-table read/write locks in front of dynalite. dynalite locks one item per write; a
 * transaction spans items (and tables), so it takes its tables exclusively while every other
 * request takes them shared: no read or write sees a transaction half-applied, and requests
 * that are not transactions still run side by side as before.
 *
 * Waiters are served in arrival order (no starvation of a transaction behind a stream of
 * reads), and a request takes its tables in name order, so two requests never wait on each
 * other's tables.
 */

interface Waiter {
  readonly exclusive: boolean;
  grant(): void;
}

class ReadWriteLock {
  private readers = 0;
  private writer = false;
  private readonly queue: Waiter[] = [];

  acquire(exclusive: boolean): Promise<() => void> {
    return new Promise((resolve) => {
      this.queue.push({ exclusive, grant: () => resolve(() => this.release(exclusive)) });
      this.pump();
    });
  }

  get idle(): boolean {
    return this.readers === 0 && !this.writer && this.queue.length === 0;
  }

  private release(exclusive: boolean): void {
    if (exclusive) this.writer = false;
    else this.readers--;
    this.pump();
  }

  private pump(): void {
    for (let next = this.queue[0]; next !== undefined; next = this.queue[0]) {
      if (this.writer) return;
      if (next.exclusive) {
        if (this.readers > 0) return;
        this.writer = true;
      } else {
        this.readers++;
      }
      this.queue.shift();
      next.grant();
    }
  }
}

export class TableLocks {
  private readonly locks = new Map<string, ReadWriteLock>();

  /**
   * Take the tables (shared, or exclusive for a transaction), in name order; resolves with the
   * function that releases them all.
   */
  async acquire(tables: Iterable<string>, exclusive: boolean): Promise<() => void> {
    const names = [...new Set(tables)].sort();
    const releases: (() => void)[] = [];
    for (const name of names) {
      let lock = this.locks.get(name);
      if (lock === undefined) {
        lock = new ReadWriteLock();
        this.locks.set(name, lock);
      }
      releases.push(await lock.acquire(exclusive));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const release of releases.reverse()) release();
      for (const name of names) {
        if (this.locks.get(name)?.idle === true) this.locks.delete(name);
      }
    };
  }

  /** Run `work` holding the tables. */
  async with<T>(tables: Iterable<string>, exclusive: boolean, work: () => Promise<T>): Promise<T> {
    const release = await this.acquire(tables, exclusive);
    try {
      return await work();
    } finally {
      release();
    }
  }
}
