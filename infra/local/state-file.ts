import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A service's state persisted as one JSON file in the data directory. Writes are
 * synchronous and atomic (write to a temporary file, then rename) so that a Ctrl-C never
 * leaves half a file; local AWS is a development tool and its state is small.
 * With no data directory, state lives in memory only.
 */
export class StateFile<T> {
  private readonly file: string | undefined;

  constructor(
    dataDir: string | undefined,
    name: string,
    private readonly initial: () => T,
  ) {
    this.file = dataDir === undefined ? undefined : join(dataDir, `${name}.json`);
    if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  }

  /** The persisted state, or a fresh initial state when there is none yet. */
  load(): T {
    if (this.file === undefined) return this.initial();
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.initial();
      throw new Error(`Cannot read local AWS state ${this.file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  save(state: T): void {
    if (this.file === undefined) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, this.file);
  }
}
