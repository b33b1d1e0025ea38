// Browser test of the dashboard and the briefings pages: Playwright (playwright-core) driving
// Debian's Chromium over the demo data. Run by crates/server/tests/it/landscape_web.rs, which
// starts the server on a random port and passes what to use in the environment. Prints
// "briefings e2e: OK" when every check passed; screenshots go to $SHOTS.
import { chromium } from 'playwright-core';
import { join } from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (this script is run by the server crate's tests)`);
  return v;
};
const BASE = env('BASE_URL');
const PASSWORD = env('PASSWORD');
const SHOTS = env('SHOTS');

let checks = 0;
function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  checks += 1;
  console.log(`ok ${checks} - ${what}`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=user]', 'analyst');
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL(`${BASE}/`), page.click('button[type=submit]')]);

  // The dashboard for a year with many public incidents.
  await page.goto(`${BASE}/?period=2017&baseline=year-ago`);
  check((await page.textContent('h1')).trim() === 'Dashboard', 'the dashboard renders');
  check((await page.locator('.tile-num').count()) === 3, 'three headline numbers');
  check((await page.locator('.ls-chart svg').count()) >= 4, 'series, map and bar charts are drawn');
  check((await page.locator('a[href^="/incident?key="]').count()) > 0, 'incidents link to their pages');
  await page.screenshot({ path: join(SHOTS, 'dashboard-2017.png'), fullPage: true });
  // The map links a State to its incidents.
  const mapLinks = await page.locator('svg a').count();
  check(mapLinks > 0, `the map links affected States (${mapLinks})`);
  // The period picker moves to the previous period.
  await page.click('.ls-step a >> nth=0');
  check(page.url().includes('period=2016'), 'the previous-period link goes to 2016');

  // Generate a public briefing and read it.
  await page.goto(`${BASE}/briefings`);
  await page.fill('form[action="/briefings"] input[name=period]', '2017');
  await page.selectOption('select[name=baseline]', 'year-ago');
  await page.selectOption('select[name=audience]', 'public');
  await Promise.all([page.waitForURL(/\/briefings\/\d+$/), page.click('form[action="/briefings"] button[type=submit]')]);
  check((await page.textContent('h1')).includes('2017'), 'the new edition is shown');
  check(await page.isVisible('.briefing-doc'), 'the briefing is shown inline');
  check((await page.locator('.briefing-doc svg').count()) >= 2, 'the briefing has its charts and map');
  await page.screenshot({ path: join(SHOTS, 'briefing-2017-public.png'), fullPage: true });
  const pdf = await context.request.get(page.url() + '/download?format=pdf');
  const head = (await pdf.body()).subarray(0, 4).toString();
  check(pdf.status() === 200 && head === '%PDF', 'the PDF downloads');
  await page.goto(`${BASE}/briefings`);
  check((await page.locator('a[href^="/briefings/"]').count()) >= 1, 'the edition is listed');
  await page.screenshot({ path: join(SHOTS, 'briefings.png'), fullPage: true });

  check(errors.length === 0, `no script or CSP errors in the console (${errors.join('; ')})`);
  await context.close();
  console.log(`briefings e2e: OK (${checks} checks)`);
} finally {
  await browser.close();
}
