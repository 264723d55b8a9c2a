import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../infra/local/types';
import { GUARD_ENV } from '../integration/deployments/guard-env';
import { type ConsoleBrowser, launchBrowser, signIn, textOf } from '../support/browser';
import { setDemoWeights } from '../support/demo-route';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';

/** The console page in headless Chromium: a viewer sees approvals but may not decide them. */
describe('console page: a viewer', () => {
  let local: TestLocalAws;
  let chromium: ConsoleBrowser;
  let page: Page;
  const seen: BusEvent[] = [];

  beforeAll(async () => {
    [local, chromium] = await Promise.all([startSeededLocalAws({ functionEnv: GUARD_ENV }), launchBrowser()]);
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
    page = await chromium.browser.newPage();
  });
  afterAll(async () => {
    await chromium?.close();
    await local?.aws.close();
  });

  it('sees bob’s held change without Approve or Reject, and the API answers 403 to its token', async () => {
    // Prepare
    await setDemoWeights(local, 'iamUser', 70, 30);
    const approvalId = String(
      seen.find((e) => e['detail-type'] === 'ApprovalRequested')?.detail.approvalId ?? 'none',
    );
    await signIn(page, `${local.aws.httpApiUrl}/`, 'victor');
    const card = `[data-approval="${approvalId}"]`;

    // Act: the viewer's own token, from the sign-in the page did, calls approve directly
    const answer = await page.evaluate(async (id) => {
      const response = await fetch(`/api/approvals/${id}/approve`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${sessionStorage.getItem('meshwarden.token')}`,
          'content-type': 'application/json',
        },
        body: '{}',
      });
      return { status: response.status, body: (await response.json()) as { requiredRole?: string } };
    }, approvalId);
    await local.aws.drain();

    // Assess
    expect(await textOf(page, '#signed-in-as')).toContain('prod: viewer; prod-net: viewer)');
    expect(await textOf(page, card)).toContain('pending');
    expect(await page.$$('button.approve, button.reject')).toHaveLength(0);
    expect(answer).toEqual({ status: 403, body: expect.objectContaining({ requiredRole: 'approver' }) });
    expect(seen.filter((e) => e['detail-type'] === 'ApprovalDecided')).toEqual([]);
    expect(await textOf(page, '[data-routes="prod"]')).toContain('web-v1 90 / web-v2 10');
  }, 60_000);

  it('has landmarks, a heading per section, named SVGs, buttons as buttons and a visible focus', async () => {
    // Prepare
    const own = await chromium.browser.newPage();
    await signIn(own, `${local.aws.httpApiUrl}/`, 'victor');
    // Act
    const landmarks = await own.$$eval('header, nav[aria-label], main, footer', (els) =>
      els.map((el) => el.tagName.toLowerCase()),
    );
    const headings = await own.$$eval('section > h2', (els) => els.map((el) => el.textContent ?? ''));
    const labelledBy = await own.$$eval('section[aria-labelledby]', (els) => els.length);
    const svgs = await own.$$eval('svg', (els) =>
      els.map((el) => ({
        role: el.getAttribute('role'),
        names: (el.getAttribute('aria-labelledby') ?? '')
          .split(' ')
          .map((id: string): string => el.querySelector(`[id="${id}"]`)?.textContent ?? ''),
      })),
    );
    const clickable = await own.$$eval('[onclick], [role="button"]', (els) => els.length);
    await own.keyboard.press('Tab');
    const focused = await own.evaluate(() => {
      const active = globalThis as unknown as {
        document: { activeElement: { textContent: string } & object };
        getComputedStyle(el: object): { outlineStyle: string; outlineWidth: string };
      };
      const style = active.getComputedStyle(active.document.activeElement);
      return {
        text: active.document.activeElement.textContent,
        outline: style.outlineStyle,
        width: style.outlineWidth,
      };
    });
    // Assess
    expect(landmarks).toEqual(['header', 'nav', 'main', 'footer']);
    expect(headings).toEqual(['Mesh', 'Deployments', 'Approvals', 'Decisions', 'Certificates by expiry']);
    expect(labelledBy).toBe(5);
    expect(svgs.length).toBeGreaterThan(0);
    for (const svg of svgs) {
      expect(svg.role).toBe('img');
      expect(svg.names.every((name: string) => name.length > 0)).toBe(true);
    }
    expect(clickable).toBe(0);
    expect(focused).toEqual({ text: 'Skip to content', outline: 'solid', width: '3px' });
    await own.close();
  }, 60_000);
  it('polls with If-None-Match and leaves the sections as drawn when nothing changed', async () => {
    // Prepare
    const own = await chromium.browser.newPage();
    await signIn(own, `${local.aws.httpApiUrl}/`, 'victor');
    await local.aws.drain();
    const notModified: string[] = [];
    const graphReads: string[] = [];
    own.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (response.status() === 304) notModified.push(path);
      if (path.endsWith('/graph')) graphReads.push(path);
    });
    // Mark what is drawn now: a redraw replaces these nodes.
    await own.$$eval('#mesh-body > *, #decisions-body > *', (els) => {
      for (const el of els) el.setAttribute('data-drawn', 'before');
    });
    // Act: wait for two refreshes (every 3 s)
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    // Assess
    expect(notModified).toEqual(expect.arrayContaining(['/api/me', '/api/decisions', '/api/deployments']));
    // Nothing moved, so the graph (a route read each) was not read again.
    expect(graphReads).toEqual([]);
    // One card for the mesh, one for the demo's service network (not created here: it says so).
    expect(await own.$$eval('#mesh-body > [data-drawn="before"]', (els) => els.length)).toBe(2);
    expect(await own.$$eval('#decisions-body > [data-drawn="before"]', (els) => els.length)).toBe(1);
    await own.close();
  }, 60_000);
});
