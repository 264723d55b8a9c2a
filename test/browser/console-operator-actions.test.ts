import type { HTTPRequest, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../infra/local/demo/seed';
import { GUARD_ENV } from '../integration/deployments/guard-env';
import { type ConsoleBrowser, eventually, launchBrowser, signIn, textOf } from '../support/browser';
import { setDemoWeights } from '../support/demo-route';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';

/** The open demo deployment's card, once the page shows it in progress. */
async function openDeployment(page: Page): Promise<string> {
  return eventually(async () => {
    const text = await textOf(page, '[data-deployment]').catch(() => '');
    return text.includes(DEMO.routeKey) && text.includes('in-progress') ? text : undefined;
  }, 'the open deployment in the page');
}

/**
 * The console page in headless Chromium against local AWS: an operator rolls the open demo
 * deployment back from the page, after confirming in it; a viewer is offered no action.
 */
describe('console page: deployment actions', () => {
  let local: TestLocalAws;
  let chromium: ConsoleBrowser;

  beforeAll(async () => {
    [local, chromium] = await Promise.all([startSeededLocalAws({ functionEnv: GUARD_ENV }), launchBrowser()]);
  });
  afterAll(async () => {
    await chromium?.close();
    await local?.aws.close();
  });

  it('an operator confirms Roll back and sees the route at 100/0 and the rollback by them in the chart', async () => {
    // Prepare: a person opens a deployment (80/20); omar (on call: operator) signs in
    await setDemoWeights(local, 'admin', 80, 20);
    const page = await chromium.browser.newPage();
    await signIn(page, `${local.aws.httpApiUrl}/`, 'omar');
    await openDeployment(page);
    const offered = await page.$$eval('[data-deployment] button[data-action]', (els) =>
      els.map((el) => el.textContent ?? ''),
    );
    // Hold the POST so the page can be looked at while it is in flight.
    const posts: string[] = [];
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: (() => void) | undefined;
    const inFlight = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    await page.setRequestInterception(true);
    page.on('request', (request: HTTPRequest) => {
      if (request.method() !== 'POST') return void request.continue();
      posts.push(new URL(request.url()).pathname);
      arrived?.();
      void held.then(() => request.continue());
    });

    // Act: Roll back, read the confirmation, add a note, confirm
    await page.click('[data-deployment] button[data-action="rollback"]');
    await page.waitForSelector('#confirm[open]');
    const confirmation = {
      heading: await textOf(page, '#confirm-h'),
      route: await textOf(page, '#confirm-route'),
      now: await textOf(page, '#confirm-now'),
      after: await textOf(page, '#confirm-after'),
      focused: await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement
            .id,
      ),
    };
    await page.type('#confirm-note', 'errors in the web-v2 logs');
    await page.click('#confirm-ok');
    await inFlight;
    const whileInFlight = await page.$$eval('[data-deployment] button[data-action]', (els) =>
      els.map((el) => (el as unknown as { disabled: boolean }).disabled),
    );
    // A second click while the first is in flight does nothing.
    await page.click('[data-deployment] button[data-action="rollback"]').catch(() => undefined);
    const dialogOpenAgain = await page.$('#confirm[open]');
    release?.();
    const outcome = await eventually(async () => {
      const text = await textOf(page, '[data-outcome]').catch(() => '');
      return text.startsWith('Rolled back') ? text : undefined;
    }, 'the API’s answer in the page');
    await local.aws.drain();

    // Assess
    expect(offered).toEqual(['Promote', 'Abort', 'Roll back']);
    expect(confirmation).toEqual({
      heading: `Roll back ${DEMO.routeKey}?`,
      route: DEMO.routeKey,
      now: 'web-v1 80 / web-v2 20',
      after: 'web-v1 100 / web-v2 0',
      focused: 'confirm-cancel',
    });
    expect(whileInFlight).toEqual([true, true, true]);
    expect(dialogOpenAgain).toBeNull();
    expect(posts).toHaveLength(1);
    expect(outcome).toBe(`Rolled back ${DEMO.routeKey}: now web-v1 100 / web-v2 0.`);
    await eventually(
      async () =>
        (await textOf(page, '[data-routes="prod"]')).includes(
          'web-router/web-route sends web-v1 100 / web-v2 0',
        )
          ? true
          : undefined,
      'the graph at 100/0',
    );
    const chart = await eventually(async () => {
      const text = await page
        .$eval('[data-deployment] svg desc', (el) => el.textContent ?? '')
        .catch(() => '');
      return text.includes('Rolled back at') ? text : undefined;
    }, 'the rollback in the chart');
    expect(chart).toContain('web-v1 80 / web-v2 20');
    expect(chart).toContain('web-v1 100 / web-v2 0');
    expect(chart).toContain('aborted by omar@acme.example');
    expect(chart).toContain('errors in the web-v2 logs');
    expect(await textOf(page, '[data-deployment] svg .rollback-label')).toBe(
      '⟲ rollback by omar@acme.example',
    );
    expect(await textOf(page, '[data-deployment]')).toContain('rolled-back');
    // Over: nothing left to do to it.
    expect(await page.$$('[data-deployment] button[data-action]')).toHaveLength(0);
    await page.close();
  }, 60_000);

  it('a viewer is offered no action on the open deployment, and the API refuses one', async () => {
    // Prepare: a deployment open at 80/20; victor (viewer) signs in
    await setDemoWeights(local, 'admin', 80, 20);
    const page = await chromium.browser.newPage();
    await signIn(page, `${local.aws.httpApiUrl}/`, 'victor');
    await openDeployment(page);
    const id = await page.$eval('[data-deployment]', (el) => el.getAttribute('data-deployment') ?? '');

    // Act: the viewer's own token calls rollback directly
    const answer = await page.evaluate(async (deploymentId) => {
      const response = await fetch(`/api/deployments/${deploymentId}/rollback`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${sessionStorage.getItem('meshwarden.token')}`,
          'content-type': 'application/json',
        },
        body: '{}',
      });
      return { status: response.status, body: (await response.json()) as { requiredRole?: string } };
    }, id);

    // Assess
    expect(await page.$$('button[data-action]')).toHaveLength(0);
    expect(answer).toEqual({ status: 403, body: expect.objectContaining({ requiredRole: 'operator' }) });
    expect(await textOf(page, '[data-routes="prod"]')).toContain('web-v1 80 / web-v2 20');
    await page.close();
  }, 60_000);
});
