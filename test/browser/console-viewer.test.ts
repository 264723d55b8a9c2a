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
    expect(await textOf(page, '#signed-in-as')).toContain('prod: viewer)');
    expect(await textOf(page, card)).toContain('pending');
    expect(await page.$$('button.approve, button.reject')).toHaveLength(0);
    expect(answer).toEqual({ status: 403, body: expect.objectContaining({ requiredRole: 'approver' }) });
    expect(seen.filter((e) => e['detail-type'] === 'ApprovalDecided')).toEqual([]);
    expect(await textOf(page, '[data-routes="prod"]')).toContain('web-v1 90 / web-v2 10');
  }, 60_000);
});
