// Screenshots for the README: the dashboard and a briefing, on the demo data, in Debian's Chromium.
// Run by scripts/screenshots.sh, which starts a demo server and passes where it is and how to sign in.
import { chromium } from 'playwright-core';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run scripts/screenshots.sh)`);
  return v;
};
const BASE = env('BASE_URL');
const USER = env('DEMO_USER');
const PASSWORD = env('DEMO_PASSWORD');
const BRIEFING = env('BRIEFING_HTML');
const OUT = env('OUT_DIR');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
});
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=user]', USER);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL(`${BASE}/`), page.click('button[type=submit]')]);
  // The demo's busiest year, the first of the full-scale invasion of Ukraine, against 2021.
  await page.goto(`${BASE}/?period=2022&baseline=previous`);
  await page.setViewportSize({ width: 1360, height: 2100 });
  await page.screenshot({ path: `${OUT}/dashboard.png` });
  await page.setViewportSize({ width: 1360, height: 1000 });
  await page.goto(`${BASE}/incidents`);
  await page.screenshot({ path: `${OUT}/incidents.png` });
  await page.goto(`file://${BRIEFING}`);
  await page.screenshot({ path: `${OUT}/briefing.png` });
  if (errors.length) throw new Error(`console errors: ${errors.join('; ')}`);
  console.log(`screenshots written to ${OUT}`);
} finally {
  await browser.close();
}
