import { mkdtempSync, rmSync } from 'node:fs';
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

export async function launchBrowser(): Promise<ConsoleBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'meshwarden-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: await chromium.executablePath(),
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
