/**
 * `npm run screenshots`: the console page's views as PNG files under docs/console/, taken in
 * headless Chromium against local AWS with the demo mesh and a short story: a deployment that
 * its alarm rolled back, and bob's change held for approval. Run it after changing the page.
 */
import { mkdirSync } from 'node:fs';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import type { Page } from 'puppeteer-core';
import { DEMO } from '../infra/local/demo/seed';
import { GUARD_ENV } from '../test/integration/deployments/guard-env';
import { launchBrowser, signIn, waitForRender } from '../test/support/browser';
import { setDemoWeights } from '../test/support/demo-route';
import { startSeededLocalAws } from '../test/support/local-aws';

const OUT = 'docs/console';
/** Long sections (the decisions) are cut at this height: the top of the list is what a reader needs. */
const MAX_HEIGHT = 1100;

async function shoot(page: Page, selector: string, name: string): Promise<void> {
  const element = await page.waitForSelector(selector);
  const box = await element?.boundingBox();
  if (box === null || box === undefined) throw new Error(`${selector} is not on the page`);
  const pad = 8;
  await page.screenshot({
    path: `${OUT}/${name}.png`,
    captureBeyondViewport: true,
    clip: {
      x: Math.max(0, box.x - pad),
      y: Math.max(0, box.y - pad),
      width: box.width + 2 * pad,
      height: Math.min(box.height + 2 * pad, MAX_HEIGHT),
    },
  });
  console.log(`${OUT}/${name}.png`);
}

mkdirSync(OUT, { recursive: true });
const [local, chromium] = await Promise.all([
  startSeededLocalAws({ functionEnv: GUARD_ENV }),
  launchBrowser(),
]);
try {
  // The story: bob's change held for approval, then a deployment its alarm rolled back.
  await setDemoWeights(local, 'iamUser', 70, 30);
  await setDemoWeights(local, 'admin', 80, 20);
  await new CloudWatchClient(local.clientConfig()).send(
    new SetAlarmStateCommand({
      AlarmName: DEMO.alarms[0],
      StateValue: 'ALARM',
      StateReason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
    }),
  );
  await local.aws.drain();

  const url = `${local.aws.httpApiUrl}/`;
  const page = await chromium.browser.newPage();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#sign-in:not([hidden])');
  await page.screenshot({ path: `${OUT}/signed-out.png`, clip: { x: 0, y: 0, width: 1280, height: 260 } });
  console.log(`${OUT}/signed-out.png`);
  await Promise.all([page.waitForNavigation(), page.click('#sign-in')]);
  await page.waitForSelector('button[name="person"]');
  await page.screenshot({
    path: `${OUT}/sign-in-local-issuer.png`,
    clip: { x: 0, y: 0, width: 1280, height: 420 },
  });
  console.log(`${OUT}/sign-in-local-issuer.png`);
  await Promise.all([page.waitForNavigation(), page.click('button[name="person"][value="priya"]')]);
  await waitForRender(page);
  await page.waitForSelector('#certificates-body table');
  await page.waitForSelector('[data-rollback]');
  await page.screenshot({ path: `${OUT}/overview.png` });
  console.log(`${OUT}/overview.png`);
  await shoot(page, '#mesh', 'mesh');
  await shoot(page, '#deployments', 'deployments');
  await shoot(page, '#approvals', 'approvals-approver');
  // The newest decision with its diff open: what the change was.
  await page.$eval('[data-decision] details', (d) => {
    (d as { open: boolean }).open = true;
  });
  await shoot(page, '#decisions', 'decisions');
  await shoot(page, '#certificates', 'certificates');

  // A viewer's view of the same approval: no buttons (sessionStorage is per tab: a new tab signs in anew).
  const viewer = await chromium.browser.newPage();
  await signIn(viewer, url, 'victor');
  await shoot(viewer, '#approvals', 'approvals-viewer');

  // An operator's view of an open deployment: its actions, and the confirmation Roll back asks for.
  // The alarm clears first: a deployment opened while its alarm fires is rolled back at once.
  await new CloudWatchClient(local.clientConfig()).send(
    new SetAlarmStateCommand({ AlarmName: DEMO.alarms[0], StateValue: 'OK', StateReason: 'Recovered' }),
  );
  await local.aws.drain();
  await setDemoWeights(local, 'admin', 80, 20);
  const operator = await chromium.browser.newPage();
  await signIn(operator, url, 'omar');
  await operator.waitForSelector('[data-deployment] button[data-action="rollback"]');
  await shoot(operator, '[data-deployment]', 'deployment-actions');
  await operator.click('[data-deployment] button[data-action="rollback"]');
  await operator.waitForSelector('#confirm[open]');
  await operator.screenshot({ path: `${OUT}/deployment-confirm.png` });
  console.log(`${OUT}/deployment-confirm.png`);
  await operator.type('#confirm-note', 'errors in the web-v2 logs');
  await operator.click('#confirm-ok');
  await operator.waitForSelector('[data-deployment] .rollback-label');
  await shoot(operator, '[data-deployment]', 'deployment-rolled-back-by-operator');
} finally {
  await chromium.close();
  await local.aws.close();
}
