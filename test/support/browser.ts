import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/**
 * Headless Chromium for the console page's tests, bench and screenshots: @sparticuz/chromium's
 * build (it unpacks itself to /tmp on first use), with a fresh profile each time and every
 * background fetch off, since the machines running the tests have no network beyond localhost.
 */
export interface ConsoleBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

const UNPACK_LOCK = join(tmpdir(), 'meshwarden-chromium-unpack.lock');
/** An unpack takes a few seconds; a lock older than this was left by a process that died. */
const STALE_LOCK_MS = 120_000;

/**
 * The browser's path, unpacking it first if needed. @sparticuz/chromium unpacks to
 * `<tmpdir>/chromium` and takes any file there as done, so test files starting in parallel
 * processes (vitest forks) would write it at once and launch a half-written binary: the first
 * unpacks under a lock directory (mkdir is atomic), the others wait for it.
 */
async function browserPath(): Promise<string> {
  if (existsSync(join(tmpdir(), 'chromium')) && !existsSync(UNPACK_LOCK)) return chromium.executablePath();
  for (;;) {
    try {
      mkdirSync(UNPACK_LOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(UNPACK_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) {
        // Its owner died mid-unpack: what it wrote cannot be trusted.
        rmSync(join(tmpdir(), 'chromium'), { force: true });
        rmSync(UNPACK_LOCK, { recursive: true, force: true });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    try {
      return await chromium.executablePath();
    } finally {
      rmSync(UNPACK_LOCK, { recursive: true, force: true });
    }
  }
}

export async function launchBrowser(): Promise<ConsoleBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'meshwarden-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: await browserPath(),
    headless: true,
    args: [
      ...chromium.args,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${profile}`,
    ],
    defaultViewport: { width: 1280, height: 900 },
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Sign in on the console page through the real code flow: the page's Sign in button sends the
 * browser to the local issuer, the person's identity is clicked there, and the issuer sends the
 * browser back with a code the page exchanges (PKCE S256) for a token. Resolves once the page
 * has rendered the signed-in view.
 */
export async function signIn(page: Page, consoleUrl: string, person: string): Promise<void> {
  await page.goto(consoleUrl, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#sign-in:not([hidden])');
  await Promise.all([page.waitForNavigation(), page.click('#sign-in')]);
  await page.waitForSelector(`button[name="person"][value="${person}"]`);
  await Promise.all([page.waitForNavigation(), page.click(`button[name="person"][value="${person}"]`)]);
  await waitForRender(page);
}

/** Wait until the page has rendered its data once (the mesh graph and the decisions are there). */
export async function waitForRender(page: Page): Promise<void> {
  await page.waitForSelector('body[data-rendered="true"]', { timeout: 15_000 });
}

/** The text of an element, as a screen reader is given it. */
export function textOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => el.textContent ?? '');
}

/** Until `check` holds, polling; the page updates itself, so tests wait for what it shows. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
}
