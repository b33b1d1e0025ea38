// Browser test of the analyst's flow: Playwright (playwright-core) driving Debian's Chromium.
// Run by crates/server/tests/it/analyst.rs, which starts the server on a random port with a fixture
// store and passes what to use in the environment. A contributor submits a report through the
// contribution form and finds it through the incident search; an analyst overrides its assessment
// (rejects a label, adds another) and sees it applied, then generates a briefing and downloads its
// PDF. Prints "analyst e2e: OK" when every check passed; screenshots go to $SHOTS.
import { chromium } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (this script is run by the server crate's tests)`);
  return v;
};
const BASE = env('BASE_URL');
const PASSWORD = env('PASSWORD');
const SHOTS = env('SHOTS');
// A word no fixture report holds, so the search finds only the new report.
const WORD = `quillfeather${Date.now() % 100000}`;
const TITLE = `Ransomware locks Riverside clinic booking systems ${WORD}`;
const UPLOAD_TITLE = `Wiper erases water utility telemetry servers ${Date.now() % 100000}`;

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

async function signIn(name) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Refused loads (the favicon) are expected; CSP refusals and script errors are not.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=user]', name);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL(`${BASE}/`), page.click('button[type=submit]')]);
  check((await page.textContent('h1')).trim() === 'Dashboard', `${name}: signed in`);
  return { context, page, errors };
}

async function findIncident(page, who) {
  await page.goto(`${BASE}/incidents`);
  await page.fill('form.filters input[name=q]', WORD);
  await Promise.all([page.waitForURL(/q=quillfeather/), page.click('form.filters button[type=submit]')]);
  const hit = page.locator(`table.grid a:text("${TITLE}")`);
  check((await hit.count()) === 1, `${who}: the incident search finds the new report's incident`);
  await Promise.all([page.waitForURL(/\/incident\?key=/), hit.click()]);
  check((await page.textContent('h1')).trim() === TITLE, `${who}: the incident page opens`);
}

/// The text of the facts row named `name` on an incident page.
async function fact(page, name) {
  const dt = page.locator(`dl.facts dt:text-is("${name}")`);
  if ((await dt.count()) === 0) return '';
  return (await dt.locator('xpath=following-sibling::dd[1]').textContent()).trim();
}

try {
  // The contributor submits a report and finds it.
  {
    const { context, page, errors } = await signIn('contributor');
    await page.click('nav a:text("Contribute")');
    check((await page.textContent('h1')).trim() === 'Contribute a report', 'contributor: the contribution form opens');
    await page.fill('input[name=title]', TITLE);
    await page.fill('textarea[name=description]',
      'Ransomware locked the booking systems of Riverside clinic; the gang demanded a ransom in bitcoin.');
    await page.fill('input[name=occurred_start]', '2024-05-02');
    await page.fill('input[name=victim_name]', 'Riverside clinic');
    await page.fill('input[name=victim_country]', 'Ukraine');
    await page.fill('input[name=kinds]', 'ransomware');
    await page.selectOption('select[name=tlp]', 'CLEAR');
    await page.selectOption('select[name=contributor_type]', 'member-state');
    await page.click('form[action="/contribute"] button[type=submit]');
    await page.waitForSelector('.notice');
    check((await page.textContent('.notice')).includes('accepted (1 new)'), 'contributor: the report is accepted');
    await page.screenshot({ path: join(SHOTS, 'analyst-contribution.png'), fullPage: true });
    await findIncident(page, 'contributor');
    check((await page.locator('form[action="/incident/assessment"]').count()) === 0,
      'contributor: no decision forms on the incident page');
    // The contributor uploads a native CSV file and finds it under My contributions.
    await page.goto(`${BASE}/contribute`);
    const upload = page.locator('form[action="/contribute/upload"]');
    await upload.locator('input[type=file]').setInputFiles({
      name: 'water-utility.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`title,occurred_start,tlp,kinds\n"${UPLOAD_TITLE}",2024-06-01,CLEAR,wiper\n`),
    });
    await upload.locator('select[name=format]').selectOption('native');
    await upload.locator('select[name=contributor_type]').selectOption('member-state');
    await Promise.all([page.waitForURL(/\/contribute\/upload$/), upload.locator('button[type=submit]').click()]);
    check((await page.textContent('.notice')).includes('water-utility.csv” was ingested'),
      'contributor: the uploaded file is ingested');
    check((await page.locator(`#reports td:text("${UPLOAD_TITLE}")`).count()) === 1,
      'contributor: the upload summary lists the report it brought');
    await page.screenshot({ path: join(SHOTS, 'analyst-upload.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/contributions$/), page.click('#upload a:text("My contributions")')]);
    check((await page.textContent('main')).includes(UPLOAD_TITLE),
      'contributor: My contributions lists the uploaded report');
    check(errors.length === 0, `contributor: no script or CSP errors in the console (${errors.join('; ')})`);
    await context.close();
  }

  // The analyst overrides the assessment: rejects ransomware, adds wiper.
  {
    const { context, page, errors } = await signIn('analyst');
    await findIncident(page, 'analyst');
    check((await fact(page, 'Kinds')).includes('ransomware'), 'analyst: the rules found ransomware');
    await page.screenshot({ path: join(SHOTS, 'analyst-incident-before.png'), fullPage: true });

    await page.selectOption('#decide-finding select[name=finding]', 'threat:ransomware');
    await page.selectOption('#decide-finding select[name=verdict]', 'reject');
    await page.fill('#decide-finding textarea[name=reason]', 'The forensic report shows a wiper posing as ransomware.');
    await Promise.all([page.waitForURL(/recorded=assessment/), page.click('#decide-finding button[type=submit]')]);
    check((await page.textContent('.notice.ok')).includes('recorded and applied'), 'analyst: the rejection is recorded');
    check(!(await fact(page, 'Kinds')).includes('ransomware'), 'analyst: ransomware no longer counts');

    await page.selectOption('#decide-add select[name=finding]', 'threat:wiper');
    await page.fill('#decide-add textarea[name=reason]', 'Disk structures were overwritten; no key was ever offered.');
    await Promise.all([page.waitForURL(/recorded=assessment/), page.click('#decide-add button[type=submit]')]);
    check((await fact(page, 'Kinds')).includes('wiper'), 'analyst: the added wiper label counts');
    const rejected = page.locator('#assessment tr', { hasText: 'ransomware' }).locator('.verdict-reject');
    check((await rejected.count()) >= 1, 'analyst: the finding shows the rejection beside the machine\'s confidence');
    const history = page.locator('#history');
    check((await history.locator('tbody tr').count()) === 2, 'analyst: both decisions are in the history');
    const historyText = await history.textContent();
    check(historyText.includes('analyst') && historyText.includes('wiper posing as ransomware')
      && historyText.includes('no rule found it'),
    'analyst: the history says who, why and the machine\'s judgment');
    await page.screenshot({ path: join(SHOTS, 'analyst-incident-decided.png'), fullPage: true });

    // The list's kind filter follows the decision.
    await page.goto(`${BASE}/incidents?kind=wiper&q=${WORD}`);
    check((await page.locator(`table.grid a:text("${TITLE}")`).count()) === 1, 'analyst: listed under wiper');
    await page.goto(`${BASE}/incidents?kind=ransomware&q=${WORD}`);
    check((await page.locator(`table.grid a:text("${TITLE}")`).count()) === 0, 'analyst: no longer under ransomware');

    // A briefing for 2024, read and downloaded as PDF.
    await page.goto(`${BASE}/briefings`);
    await page.fill('form[action="/briefings"] input[name=period]', '2024');
    await page.selectOption('form[action="/briefings"] select[name=audience]', 'public');
    await Promise.all([page.waitForURL(/\/briefings\/\d+$/), page.click('form[action="/briefings"] button[type=submit]')]);
    check((await page.textContent('h1')).includes('2024'), 'analyst: the new briefing is shown');
    check(await page.isVisible('.briefing-doc'), 'analyst: the briefing renders inline');
    await page.screenshot({ path: join(SHOTS, 'analyst-briefing.png'), fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('a.ls-download:text-is("PDF")'),
    ]);
    const file = await download.path();
    const bytes = await readFile(file);
    check(bytes.subarray(0, 4).toString() === '%PDF', `analyst: the downloaded file is a PDF (${download.suggestedFilename()}, ${bytes.length} bytes)`);
    check(errors.length === 0, `analyst: no script or CSP errors in the console (${errors.join('; ')})`);
    await context.close();
  }
  console.log(`analyst e2e: OK (${checks} checks)`);
} finally {
  await browser.close();
}
