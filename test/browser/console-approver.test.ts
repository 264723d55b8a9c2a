import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../infra/local/types';
import { GUARD_ENV } from '../integration/deployments/guard-env';
import { type ConsoleBrowser, eventually, launchBrowser, signIn, textOf } from '../support/browser';
import { setDemoWeights } from '../support/demo-route';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';

/** The console page in headless Chromium: an approver approves bob's held change. */
describe('console page: an approver approves a held change', () => {
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

  it('shows bob’s held change with Approve, and applies it when priya approves', async () => {
    // Prepare: bob (an IAM user the demo policy holds) shifts the route to 60/40; it is held
    await setDemoWeights(local, 'iamUser', 60, 40);
    const requested = seen.filter((e) => e['detail-type'] === 'ApprovalRequested');
    expect(requested).toHaveLength(1);
    const approvalId = String(requested[0]?.detail.approvalId);
    await signIn(page, `${local.aws.httpApiUrl}/`, 'priya');
    const card = `[data-approval="${approvalId}"]`;
    const before = await textOf(page, card);
    const routesBefore = await textOf(page, '[data-routes="prod"]');

    // Act
    await page.click(`${card} button.approve`);

    // Assess
    expect(before).toContain('pending');
    expect(before).toContain('bob');
    expect(routesBefore).toContain('web-v1 90 / web-v2 10');
    const applied = await eventually(async () => {
      const text = await page.$eval(`${card} [data-execution]`, (el) => el.textContent ?? '');
      return text.includes('applied') ? text : undefined;
    }, 'the approval applied in the page');
    expect(applied).toContain('applied');
    expect(await textOf(page, card)).toContain('Decided by priya');
    expect(await page.$(`${card} button.approve`)).toBeNull();
    await eventually(
      async () =>
        (await textOf(page, '[data-routes="prod"]')).includes('sends web-v1 60 / web-v2 40')
          ? true
          : undefined,
      'the graph at 60/40',
    );
    const decided = seen.filter((e) => e['detail-type'] === 'ApprovalDecided');
    expect(decided.map((e) => e.detail.decidedBy)).toEqual([
      { slackUserId: 'U0PLATFORM1', identity: 'priya' },
    ]);
  }, 60_000);
});
