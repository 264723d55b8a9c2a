import { gzipSync } from 'node:zlib';
import { CONSOLE_PAGE_ROUTE_KEYS } from '../../shared/console-api/route-keys';
import { launchBrowser, signIn, waitForRender } from '../support/browser';
import { startSeededLocalAws } from '../support/local-aws';
import { type Benchmark, type Figure, latencyFigures } from './harness';

const LOADS = Number(process.env.CONSOLE_PAGE_LOADS ?? 20);
const KB = 1024;

/**
 * `npm run bench -- console-page`: the console page against the seeded demo in headless Chromium.
 * First render: from navigation start to the page's `meshwarden:first-render` mark, set once the
 * mesh graph, deployments, approvals and decisions are in the DOM; signed in (the token is in the
 * tab's sessionStorage), each load a fresh navigation with the HTTP cache off. Size: the page's
 * files (HTML, JS, CSS, sign-in configuration) as served, each gzipped.
 */
const consolePage: Benchmark = {
  name: `console page: first render over ${LOADS} fresh signed-in loads (headless Chromium, demo mesh), page size`,
  run: async () => {
    const [local, chromium] = await Promise.all([startSeededLocalAws(), launchBrowser()]);
    try {
      const url = `${local.aws.httpApiUrl}/`;
      const page = await chromium.browser.newPage();
      await signIn(page, url, 'priya');
      await page.setCacheEnabled(false);
      const renders: number[] = [];
      for (let i = 0; i < LOADS + 2; i++) {
        await page.goto(url, { waitUntil: 'domcontentloaded' });
        await waitForRender(page);
        const present =
          (await page.$('svg[data-graph]')) !== null && (await page.$('[data-decision]')) !== null;
        const ms = await page.evaluate(
          () => performance.getEntriesByName('meshwarden:first-render')[0]?.startTime ?? Number.NaN,
        );
        if (!present) throw new Error('the page rendered without its mesh graph or decisions');
        if (Number.isNaN(ms)) throw new Error('the page set no first-render mark');
        // The first two loads warm the functions and the browser; they are not counted.
        if (i >= 2) renders.push(ms);
      }
      let raw = 0;
      let gzipped = 0;
      for (const key of CONSOLE_PAGE_ROUTE_KEYS) {
        const body = Buffer.from(await (await fetch(new URL(key.split(' ')[1] ?? '/', url))).arrayBuffer());
        raw += body.length;
        gzipped += gzipSync(body, { level: 9 }).length;
      }
      const figures: Figure[] = [
        ...latencyFigures('first render (graph and decisions in the DOM)', renders, 500),
        { name: 'page size (HTML + JS + CSS + config), raw', value: raw / KB, unit: 'KB' },
        { name: 'page size (HTML + JS + CSS + config), gzip', value: gzipped / KB, unit: 'KB', target: 100 },
      ];
      return figures;
    } finally {
      await chromium.close();
      await local.aws.close();
    }
  },
};

export default [consolePage];
