import { ThrottledError } from '../errors';

/** Retry `fn` on ThrottledError with exponential backoff and full jitter; other errors pass at once. */
export async function retryThrottled<T>(
  fn: () => Promise<T>,
  sleep: (ms: number) => Promise<void>,
  attempts = 5,
  baseMs = 100,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof ThrottledError) || attempt >= attempts) throw error;
      await sleep(Math.random() * baseMs * 2 ** attempt);
    }
  }
}
