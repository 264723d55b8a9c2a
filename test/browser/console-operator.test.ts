import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { GetRuleCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLatticeDemoRule, LATTICE_DEMO, seedLatticeDemo } from '../../infra/local/demo/lattice-seed';
import { DEMO } from '../../infra/local/demo/seed';
import { GUARD_ENV } from '../integration/deployments/guard-env';
import { type ConsoleBrowser, eventually, launchBrowser, signIn, textOf } from '../support/browser';
import { setDemoWeights } from '../support/demo-route';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';

/**
 * The console page in headless Chromium against local AWS: an operator signs in through the
 * local issuer's code flow and watches a deployment roll back as it happens.
 */
describe('console page: an operator watches a rollback', () => {
  let local: TestLocalAws;
  let chromium: ConsoleBrowser;
  let page: Page;
  /** The Lattice demo rule's target groups as it was seeded: stable 90, canary 10. */
  let latticeTargets: string[];

  beforeAll(async () => {
    [local, chromium] = await Promise.all([startSeededLocalAws({ functionEnv: GUARD_ENV }), launchBrowser()]);
    // The Lattice demo too, as `npm start` seeds it: the page shows prod-net beside prod.
    await seedLatticeDemo(local.clientConfig());
    await local.aws.drain();
    const rule = await findLatticeDemoRule(local.clientConfig());
    if (rule === undefined) throw new Error('the Lattice demo rule was not seeded');
    const lattice = new VPCLatticeClient(local.clientConfig());
    const seeded = await lattice.send(
      new GetRuleCommand({
        serviceIdentifier: rule.serviceId,
        listenerIdentifier: rule.listenerId,
        ruleIdentifier: rule.ruleId,
      }),
    );
    lattice.destroy();
    latticeTargets = (seeded.action?.forward?.targetGroups ?? []).map((t) => String(t.targetGroupIdentifier));
    page = await chromium.browser.newPage();
  });
  afterAll(async () => {
    await chromium?.close();
    await local?.aws.close();
  });

  it('shows the demo mesh and the prod-net web-canary rule at 90/10, then the rollback with its alarm and reason, without reloading', async () => {
    // Prepare: omar (on-call: viewer, operator, approver) signs in through the real PKCE flow
    await signIn(page, `${local.aws.httpApiUrl}/`, 'omar');
    const signedInAs = await textOf(page, '#signed-in-as');
    const routes = await textOf(page, '[data-routes="prod"]');
    const graphLabel = await page.$eval('svg[data-graph="prod"] desc', (el) => el.textContent ?? '');
    const networkRoutes = await textOf(page, '[data-routes="prod-net"]');
    const networkLabel = await page.$eval('svg[data-graph="prod-net"] desc', (el) => el.textContent ?? '');
    const networkHeading = await page.$$eval('#mesh-body h3', (els) => els.map((el) => el.textContent));
    // A reload would lose this mark: the page must update itself.
    await page.evaluate(() => {
      (globalThis as unknown as { stayed: boolean }).stayed = true;
    });

    // Act: a person opens a deployment (80/20), then its alarm fires
    await setDemoWeights(local, 'admin', 80, 20);
    await new CloudWatchClient(local.clientConfig()).send(
      new SetAlarmStateCommand({
        AlarmName: DEMO.alarms[0],
        StateValue: 'ALARM',
        StateReason: '5xx above threshold',
      }),
    );
    await local.aws.drain();

    // Assess
    expect(signedInAs).toContain('omar@acme.example');
    expect(signedInAs).toContain('operator');
    expect(routes).toContain('web-router/web-route sends web-v1 90 / web-v2 10');
    expect(graphLabel).toContain('web-router/web-route sends web-v1 90 / web-v2 10');
    // The Lattice demo's service network: its web-canary rule at 90/10 over its target groups.
    const [stable, canary] = latticeTargets;
    const canaryRule = `${LATTICE_DEMO.service}/${LATTICE_DEMO.listener}/${LATTICE_DEMO.rule} sends ${stable} 90 / ${canary} 10`;
    expect(networkHeading).toContain('Service network prod-net');
    expect(networkRoutes).toContain(canaryRule);
    expect(networkLabel).toContain(canaryRule);
    const rollback = await eventually(async () => {
      const text = await page.$eval('[data-rollback]', (el) => el.textContent ?? '').catch(() => '');
      return text.includes(DEMO.alarms[0]) ? text : undefined;
    }, 'the rollback in the page');
    expect(rollback).toContain(`alarm ${DEMO.alarms[0]}: 5xx above threshold`);
    expect(rollback).toContain('HTTPCode_Target_5XX_Count');
    const deployment = await textOf(page, '[data-deployment]');
    expect(deployment).toContain(DEMO.routeKey);
    expect(deployment).toContain('rolled-back');
    const chart = await page.$eval('[data-deployment] svg desc', (el) => el.textContent ?? '');
    expect(chart).toContain('web-v1 90 / web-v2 10');
    expect(chart).toContain('web-v1 80 / web-v2 20');
    expect(chart).toContain('web-v1 100 / web-v2 0');
    expect(chart).toContain('Rolled back at');
    await eventually(
      async () =>
        (await textOf(page, '[data-routes="prod"]')).includes('sends web-v1 100 / web-v2 0')
          ? true
          : undefined,
      'the graph at 100/0',
    );
    expect(await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed)).toBe(true);
  }, 60_000);
});
