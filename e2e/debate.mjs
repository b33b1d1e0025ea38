// Browser test of the open debate's pages: Playwright (playwright-core) driving Debian's Chromium.
// Run by crates/server/tests/it/debate.rs, which starts the server on a random port with a fresh
// store holding a secretariat user. The test creates a meeting (the June 2024 cyber debate's date,
// so its list is open, with a 4-second time limit), inscribes speakers through the forms, opens
// the meeting on the live page, watches the countdown run and the overrun show, and calls the next
// speaker. Prints "e2e debate: OK" when every check passed.
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
const MEETING = 'E2E-1';
const LIMIT_SECONDS = 4;

let checks = 0;
function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  checks += 1;
  console.log(`ok ${checks} - ${what}`);
}

// m:ss or +m:ss as the live page shows it, in seconds (negative past the limit).
function seconds(text) {
  const t = text.trim();
  const over = t.startsWith('+');
  const [m, s] = t.replace('+', '').split(':').map(Number);
  const v = m * 60 + s;
  return over ? -v : v;
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
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });

  await page.goto(`${BASE}/login`);
  await page.fill('input[name=user]', 'secretariat');
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL(`${BASE}/`), page.click('button[type=submit]')]);
  check(true, 'secretariat: signed in');

  // Create the meeting.
  await page.goto(`${BASE}/debate`);
  check(await page.isVisible('text=New meeting'), 'the meetings page offers the secretariat a form');
  await page.fill('input[name=id]', MEETING);
  await page.fill('input[name=start]', '2024-06-20T10:00');
  await page.selectOption('select[name=agenda_item]', 'mips');
  await page.fill('input[name=subtitle]', 'Addressing evolving threats in cyberspace (browser test)');
  await page.fill('input[name=time_limit]', String(LIMIT_SECONDS));
  await Promise.all([
    page.waitForURL(`${BASE}/debate/meetings/${MEETING}`),
    page.click('form[action="/debate"] button[type=submit]'),
  ]);
  check((await page.textContent('h1')).includes(MEETING), 'the meeting page opens after creation');
  check(await page.isVisible('text=Fri 14 Jun 2024, 09:30 EDT'), 'the list\'s opening is shown in New York time with its zone');

  // Inscribe speakers through the form.
  async function inscribe(code, speaker, level) {
    await page.selectOption('#inscribe-form select[name=kind]', 'entity');
    await page.fill('#inscribe-form input[name=code]', code);
    await page.fill('#inscribe-form input[name=speaker_name]', speaker);
    await page.selectOption('#inscribe-form select[name=level]', level);
    await Promise.all([page.waitForURL(/notice=/), page.click('#inscribe-form button[type=submit]')]);
    const notice = await page.textContent('#notice');
    check(/Request no\. \d+ from .* received on .* (EDT|EST)\. Current position on the list of speakers: \d+/.test(notice),
      `${code}: acknowledged with its time stamp and position ("${notice.trim()}")`);
  }
  await inscribe('FRA', 'Mr. Demo Representative of France', 'permanent-representative');
  await inscribe('JPN', 'Ms. Demo Minister of Japan', 'minister');
  await inscribe('SVN', 'Mr. Demo Representative of Slovenia', 'permanent-representative');
  let rows = await page.locator('#speakers tr.speaker').allTextContents();
  check(rows.length === 3 && rows[0].includes('Japan'), 'the minister is first among members');

  // A rule 37 request with its letter: the page's script reads the PDF into the form.
  await page.selectOption('#inscribe-form select[name=kind]', 'entity');
  await page.fill('#inscribe-form input[name=code]', 'EST');
  await page.fill('#inscribe-form input[name=speaker_name]', 'Ms. Demo Representative of Estonia');
  await page.selectOption('#inscribe-form select[name=level]', 'permanent-representative');
  await page.setInputFiles('#inscribe-form input[name=letter_file]', {
    name: 'estonia-rule-37.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.7\n% letter to the President of the Security Council\n%%EOF\n'),
  });
  await page.fill('#inscribe-form input[name=signatory_name]', 'Demo Permanent Representative');
  await page.fill('#inscribe-form input[name=signatory_title]', 'Permanent Representative');
  await page.waitForFunction(() => document.querySelector('#inscribe-form input[name=letter_base64]').value.length > 0);
  await Promise.all([page.waitForURL(/notice=/), page.click('#inscribe-form button[type=submit]')]);
  const ack = await page.textContent('#notice');
  check(/Request no\. \d+ from Estonia .* Current position on the list of speakers: 4/.test(ack),
    `EST (rule 37, letter uploaded): complete and on the list ("${ack.trim()}")`);

  // Move Estonia before Slovenia, with a reason that the list then shows.
  await page.selectOption('#move-form select[name=inscription]', '4'); // Estonia, no. 4
  await page.selectOption('#move-form select[name=where]', 'before');
  await page.selectOption('#move-form select[name=anchor]', '3'); // Slovenia, no. 3
  await page.fill('#move-form input[name=reason]', 'at the request of the presidency');
  await Promise.all([page.waitForURL(/notice=/), page.click('#move-form button[type=submit]')]);
  rows = await page.locator('#speakers tr.speaker').allTextContents();
  check(rows.length === 4 && rows[2].includes('Estonia') && rows[2].includes('at the request of the presidency'),
    'the move is shown with its reason');
  check(rows[3].includes('Slovenia'), 'Slovenia follows Estonia');

  // The live page.
  await page.click('text=Live page for the chamber');
  await page.waitForURL(/\/live$/);
  check((await page.textContent('#floor-name')).includes('Nobody has the floor'), 'live: nobody has the floor before the opening');
  await Promise.all([page.waitForURL(/\/live$/), page.click('button[data-action=open]')]);
  check((await page.textContent('#phase')).includes('in session'), 'live: the meeting is in session');
  await Promise.all([page.waitForURL(/\/live$/), page.click('button[data-action=next]')]);
  check((await page.textContent('#floor-name')).trim() === 'Japan', 'live: Japan has the floor');
  check((await page.textContent('#next-name')).includes('France'), 'live: France is next');

  // The countdown runs.
  const first = seconds(await page.textContent('#countdown'));
  await page.waitForTimeout(1600);
  const second = seconds(await page.textContent('#countdown'));
  check(first <= LIMIT_SECONDS && second < first, `live: the countdown runs (${first}s, then ${second}s)`);

  // Past the limit, the overrun shows.
  await page.waitForSelector('#timer.overrun', { timeout: (LIMIT_SECONDS + 5) * 1000 });
  await page.waitForTimeout(1200);
  const over = await page.textContent('#countdown');
  check(over.trim().startsWith('+') && seconds(over) < 0, `live: the overrun is shown (${over.trim()})`);
  check((await page.textContent('#timer-label')).includes('Over the time limit'), 'live: the timer says it is over the limit');
  await page.screenshot({ path: join(SHOTS, 'debate-live-overrun.png'), fullPage: true });

  // The next speaker; Japan's statement is recorded with its real duration and overrun.
  await Promise.all([page.waitForURL(/\/live$/), page.click('button[data-action=next]')]);
  check((await page.textContent('#floor-name')).trim() === 'France', 'live: the next speaker, France, is called');
  check((await page.textContent('#next-name')).includes('Estonia'), 'live: Estonia, moved ahead, is next');
  const delivered = await page.locator('#statements-body tr').allTextContents();
  check(delivered.length === 1 && delivered[0].includes('Japan') && delivered[0].includes('+0:0'),
    `live: Japan's statement is listed with its duration and overrun (${delivered[0]})`);
  check((await page.textContent('#t-overruns')).trim() === '1', 'live: the totals count one statement over the limit');
  check(!(await page.locator('#timer.overrun').count()), 'live: the new statement starts within its limit');
  await page.waitForTimeout(1200);
  check(seconds(await page.textContent('#countdown')) < LIMIT_SECONDS, 'live: France\'s countdown runs');

  // Suspension and resumption.
  await Promise.all([page.waitForURL(/\/live$/), page.click('button[data-action=suspend]')]);
  check((await page.textContent('#phase')).includes('suspended'), 'live: suspended');
  check((await page.textContent('#t-statements')).trim() === '2', 'live: the suspension ended France\'s statement');
  await Promise.all([page.waitForURL(/\/live$/), page.click('button[data-action=resume]')]);
  check((await page.textContent('#phase')).includes('in session'), 'live: resumed');
  await page.screenshot({ path: join(SHOTS, 'debate-live.png'), fullPage: true });

  // The meeting page shows the same list for the Journal.
  await page.goto(`${BASE}/debate/meetings/${MEETING}`);
  await page.screenshot({ path: join(SHOTS, 'debate-meeting.png'), fullPage: true });
  const journal = await (await context.request.get(`${BASE}/debate/meetings/${MEETING}/export?format=journal`)).text();
  check(journal.includes('Members of the Security Council') && journal.includes('Japan'), 'the Journal text lists the speakers');
  check(errors.length === 0, `no script or CSP errors in the console (${errors.join('; ')})`);
  await context.close();
  console.log(`e2e debate: OK (${checks} checks)`);
} finally {
  await browser.close();
}
