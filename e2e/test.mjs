// Browser test of the web app: Playwright (playwright-core) driving Debian's Chromium.
// Run by crates/server/tests/it/web.rs, which starts the server on a random port with a fixture
// store and passes what to look for in the environment. Prints "e2e: OK" when every check passed.
import { chromium } from 'playwright-core';
import { join } from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (this script is run by the server crate's tests)`);
  return v;
};
const BASE = env('BASE_URL');
const PASSWORD = env('PASSWORD');
const AMBER_ID = env('AMBER_ID');
const CLEAR_ID = env('CLEAR_ID');
const AMBER_TITLE = env('AMBER_TITLE');
const CLEAR_TITLE = env('CLEAR_TITLE');
const AMBER_KEY = env('AMBER_KEY');
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
  // No --user-data-dir: launch() starts Chromium with a new, empty profile of its own every time.
});

async function signIn(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Refused pages (the 404s this test asks for, the favicon) are expected; CSP refusals are not.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  await page.goto(`${BASE}/`);
  check(page.url().endsWith('/login'), `${name}: an anonymous visit goes to the sign-in page`);
  await page.fill('input[name=user]', name);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL(`${BASE}/`), page.click('button[type=submit]')]);
  check((await page.textContent('h1')).trim() === 'Dashboard', `${name}: signed in, the dashboard renders`);
  return { context, page, errors };
}

async function text(page) {
  return page.evaluate(() => document.documentElement.outerHTML);
}

try {
  // The GREEN reader.
  {
    const { context, page, errors } = await signIn('reader');
    check(await page.isVisible('.who-clearance .tlp-green'), 'reader: the clearance badge says GREEN');
    check((await page.locator('.tile-num').count()) === 3, 'reader: the dashboard shows its tiles');
    const looks = [
      '/', '/reports', '/reports?tlp=AMBER', '/reports?q=Quietfalcon', '/search',
      '/search?q=AMBER', '/search?q=malware', '/incidents', '/incidents?tlp=AMBER',
      '/incidents?q=Quietfalcon',
    ];
    for (const path of looks) {
      const resp = await page.goto(`${BASE}${path}`);
      check(resp.status() === 200, `reader: ${path} answers 200`);
      const html = await text(page);
      check(!html.includes(AMBER_ID) && !html.includes(AMBER_TITLE) && !html.includes('TLP:AMBER'),
        `reader: ${path} shows nothing AMBER`);
    }
    await page.goto(`${BASE}/reports`);
    check(await page.isVisible(`text=${CLEAR_TITLE}`), 'reader: the CLEAR report is listed');
    check(await page.evaluate(() => window.__xss === undefined), 'reader: stored markup in a title is inert');
    check((await page.locator('.tlp-clear').count()) > 0, 'reader: the list shows TLP badges');
    await page.goto(`${BASE}/incidents`);
    check(await page.isVisible(`table.grid a:text("${CLEAR_TITLE}")`), 'reader: the CLEAR incident is listed');
    check(await page.evaluate(() => window.__xss === undefined), 'reader: stored markup in an incident title is inert');
    await page.fill('input[name=q]', 'port authority');
    await Promise.all([page.waitForURL(/q=port/), page.click('form.filters button[type=submit]')]);
    check(await page.isVisible(`table.grid a:text("${CLEAR_TITLE}")`), 'reader: full-text search finds the incident');
    await page.screenshot({ path: join(SHOTS, 'incidents.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/incident\?key=/), page.click(`table.grid a:text("${CLEAR_TITLE}")`)]);
    check(await page.isVisible('h2:text("Assessment")') && await page.isVisible('h2:text("Reports")'),
      'reader: the incident page shows its reports and assessment');
    check(await page.isVisible('td .tlp-clear'), 'reader: the incident page shows each report\'s TLP');
    await page.screenshot({ path: join(SHOTS, 'incident.png'), fullPage: true });
    let resp = await page.goto(`${BASE}/incident?key=${encodeURIComponent(AMBER_KEY)}`);
    check(resp.status() === 404, `reader: the AMBER incident by URL is refused (${resp.status()})`);
    resp = await page.goto(`${BASE}/admin`);
    check(resp.status() === 403, `reader: the administration page is refused (${resp.status()})`);
    resp = await page.goto(`${BASE}/objects/${AMBER_ID}`);
    check(resp.status() === 404 || resp.status() === 403, `reader: the AMBER object by URL is refused (${resp.status()})`);
    check(!(await text(page)).includes(AMBER_TITLE), 'reader: the refusal shows nothing of it');
    resp = await page.goto(`${BASE}/report?key=${encodeURIComponent(AMBER_KEY)}`);
    check(resp.status() === 404 || resp.status() === 403, `reader: the AMBER report by URL is refused (${resp.status()})`);
    resp = await page.goto(`${BASE}/objects/${CLEAR_ID}`);
    check(resp.status() === 200 && (await page.isVisible('pre.code')), 'reader: a CLEAR object shows its JSON');

    // POSTs without the session's CSRF token are refused (the session's cookie goes with them).
    for (const path of ['/logout', '/contribute']) {
      const r1 = await context.request.post(`${BASE}${path}`, { form: {} , maxRedirects: 0 });
      check(r1.status() === 403, `reader: POST ${path} without a CSRF token is refused (${r1.status()})`);
      const r2 = await context.request.post(`${BASE}${path}`, { form: { csrf: 'forged' }, maxRedirects: 0 });
      check(r2.status() === 403, `reader: POST ${path} with a forged CSRF token is refused (${r2.status()})`);
    }
    await page.goto(`${BASE}/`);
    check((await page.textContent('h1')).trim() === 'Dashboard', 'reader: still signed in after the refused POSTs');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'ts_session');
    check(session && session.httpOnly && session.sameSite === 'Strict', 'reader: the session cookie is HttpOnly and SameSite=Strict');
    await Promise.all([page.waitForURL(`${BASE}/login`), page.click('.who button[type=submit]')]);
    check(page.url().endsWith('/login'), 'reader: signing out returns to the sign-in page');
    await page.goto(`${BASE}/reports`);
    check(page.url().endsWith('/login'), 'reader: after signing out, pages need a new sign-in');
    check(errors.length === 0, `reader: no script or CSP errors in the console (${errors.join('; ')})`);
    await context.close();
  }
  // The AMBER analyst.
  {
    const { context, page, errors } = await signIn('analyst');
    check(await page.isVisible('.who-clearance .tlp-amber'), 'analyst: the clearance badge says AMBER');
    check((await text(page)).includes('TLP:AMBER'), 'analyst: the dashboard counts AMBER material');
    await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });
    check(true, `analyst: dashboard screenshot saved to ${join(SHOTS, 'dashboard.png')}`);
    await page.goto(`${BASE}/reports`);
    await page.selectOption('select[name=tlp]', 'AMBER');
    await Promise.all([page.waitForURL(/tlp=AMBER/), page.click('form.filters button[type=submit]')]);
    check(await page.isVisible(`text=${AMBER_TITLE}`), 'analyst: the TLP filter finds the AMBER report');
    check(!(await page.isVisible(`text=${CLEAR_TITLE}`)), 'analyst: and only it');
    await page.click(`text=${AMBER_TITLE}`);
    check(await page.isVisible('pre.code'), 'analyst: the report page shows the original record');
    check(await page.isVisible('dd .tlp-amber'), 'analyst: the report page shows its TLP badge');
    await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
    const resp = await page.goto(`${BASE}/objects/${AMBER_ID}`);
    check(resp.status() === 200 && (await page.isVisible('pre.code')), 'analyst: the AMBER object page shows its JSON');
    check(errors.length === 0, `analyst: no script or CSP errors in the console (${errors.join('; ')})`);
    await context.close();
  }
  // The administrator.
  {
    const { context, page, errors } = await signIn('admin');
    await page.click('nav a:text("Admin")');
    check((await page.textContent('h1')).trim() === 'Administration', 'admin: the administration page opens from the menu');
    for (const name of ['reader', 'analyst', 'admin']) {
      check(await page.isVisible(`table.grid td:text-is("${name}")`), `admin: user ${name} is listed with role and clearance`);
    }
    check(!(await text(page)).includes('$argon2'), 'admin: no password hash is shown');
    await page.selectOption('select[name=user]', 'reader');
    await page.fill('input[name=label]', 'e2e pull');
    await page.click('form[action="/admin/tokens"] button[type=submit]');
    const secret = (await page.textContent('code.secret')).trim();
    check(secret.startsWith('ts_'), 'admin: a new token is shown once');
    const api = await context.request.get(`${BASE}/api/v1/stats`, { headers: { Authorization: `Bearer ${secret}` } });
    check(api.status() === 200 && (await api.json()).max_tlp === 'GREEN', 'admin: the token opens the API as the reader');
    await page.goto(`${BASE}/admin`);
    check(await page.isVisible('text=e2e pull') && !(await text(page)).includes(secret),
      'admin: the token is listed by its label, never its secret');
    await page.screenshot({ path: join(SHOTS, 'admin.png'), fullPage: true });
    check(errors.length === 0, `admin: no script or CSP errors in the console (${errors.join('; ')})`);
    await context.close();
  }
  console.log(`e2e: OK (${checks} checks)`);
} finally {
  await browser.close();
}
