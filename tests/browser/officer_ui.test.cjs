// The officer UI in a real browser at the officer PC's usual 1366x768, end to end with the real service:
//   - two admins made at the console; the first adds the people, who enrol themselves with the one-time
//     code (their own password, their authenticator app from the page's QR code / text secret);
//   - the second admin confirms the officer and approver roles on a confirmation page;
//   - a file dropped into the share is held; the officer follows a link to it, signs in and lands on it,
//     and asks for its release; a stale approval (the request was rejected and asked again meanwhile) is
//     refused; the approval of the request on screen, after the original's confirmation page, releases it
//     into the section's drop folder;
//   - a zip with an executable inside is partly held: the page says what was held and where the rest went;
//   - a PPAP zip is released with the password the officer enters;
//   - the auditor filters the audit log.
// Every page is checked for horizontal overflow at 1366 px, and screenshots go to $ARTIFACT_DIR.
'use strict';
const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const MUGAIKA = process.env.MUGAIKA_BINARY;
const ART = process.env.ARTIFACT_DIR;
const PASSWORD = 'correct horse battery';
const VIEWPORT = { width: 1366, height: 768 };

function fail(message) {
  console.error('FAIL: ' + message);
  process.exitCode = 1;
  throw new Error(message);
}
function check(cond, message) {
  if (!cond) fail(message);
  console.log('ok - ' + message);
}

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s.replace(/[\s=]+/g, '')) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

// RFC 6238 at a given step.
function totpAt(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', secret).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  const bin = ((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  return String(bin % 1000000).padStart(6, '0');
}

// Each account may use each 30 s step once, and the server looks one step ahead: the next code is the
// first step after the last one used, waiting for time to catch up when an account is two steps ahead.
const lastStep = {};
const secrets = {};
async function code(user) {
  for (;;) {
    const seconds = Date.now() / 1000;
    if (30 - (seconds % 30) < 3) { await new Promise((r) => setTimeout(r, 3500)); continue; }   // not at a boundary
    const now = Math.floor(seconds / 30);
    const step = Math.max(now, (lastStep[user] ?? -1) + 1);
    if (step <= now + 1) { lastStep[user] = step; return totpAt(secrets[user], step); }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const p = srv.address().port; srv.close(() => resolve(p)); });
  });
}

function mugaika(args, env) {
  return execFileSync(MUGAIKA, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
}

function rememberSecret(user, output) {
  const m = /secret=([A-Z2-7]+)/.exec(output);
  if (!m) fail('no TOTP secret printed for ' + user);
  secrets[user] = base32Decode(m[1]);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(ART, name), fullPage: true });
  // No page may be wider than the officer's screen (broken tables show as a horizontal scrollbar).
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= VIEWPORT.width, `${name}: fits 1366 px (${width} px wide)`);
}

async function newPage(browser) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'ja-JP', viewport: VIEWPORT });
  return context.newPage();
}

async function login(page, user, password, shotName) {
  if (!page.url().includes('/login')) await page.goto(BASE + '/login');
  await page.fill('#user', user);
  await page.fill('#password', password || PASSWORD);
  await page.fill('#totp', await code(user));
  if (shotName) await shot(page, shotName);
  await page.click('#login-button');
  await page.waitForLoadState();
  if (page.url().includes('/login')) {
    await page.screenshot({ path: path.join(ART, 'login-failed-' + user + '.png'), fullPage: true });
    fail('login as ' + user + ' failed: ' + (await page.locator('.msg').allTextContents()).join(' '));
  }
}

async function waitForReport(tmp, name) {
  for (let i = 0; i < 600; ++i) {
    const dir = path.join(tmp, 'reports');
    if (fs.existsSync(dir)) {
      for (const f of fs.readdirSync(dir)) {
        const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
        if (r.input.name === name) return r;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  fail('no report for ' + name);
}

function drop(tmp, name, bytes) {
  const dir = path.join(tmp, 'in', '総務課');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.part-' + name), bytes);
  fs.renameSync(path.join(dir, '.part-' + name), path.join(dir, name));
}

let BASE;
let gateway = null, server = null;   // killed on any failure, so that node can exit

(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mugaika-browser-'));
  const port = await freePort();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-keyout', path.join(tmp, 'ui.key'), '-out', path.join(tmp, 'ui.crt')], { stdio: 'ignore' });
  const config = path.join(tmp, 'mugaika.toml');
  fs.writeFileSync(config, [
    '[paths]', `out = "${tmp}/out"`, `reports = "${tmp}/reports"`,
    '[spool]', `dir = "${tmp}/spool"`,
    '[share]', `inbound = "${tmp}/in"`, 'sections = ["総務課", "財政課"]', 'settle_ms = 300', 'rescan_seconds = 1',
    '[lmtp]', 'enabled = false', '[http]', 'enabled = false', '[log]', 'syslog = false',
    // Malware scanning has tests of its own with a private clamd (tests/e2e/serve_scan_test.cpp).
    '[scan]', 'enabled = false',
    '[quarantine]',
    `store_dir = "${tmp}/store"`, `db = "sqlite:${tmp}/q.db"`, `key_file = "${tmp}/keys/q.key"`,
    `release_dir = "${tmp}/released"`,
    '[officer_ui]', `listen = "127.0.0.1:${port}"`, `tls_cert = "${tmp}/ui.crt"`, `tls_key = "${tmp}/ui.key"`,
    '[audit]', `file = "${tmp}/audit.log"`, 'syslog = false', ''].join('\n'));
  const cfg = ['--config', config];

  // The two admins are made at the console; each sets their own password and sees only their own secret.
  rememberSecret('kanri', mugaika(['user', 'add', 'kanri', '--role', 'admin', '--bootstrap', '--init', ...cfg], { MUGAIKA_NEW_PASSWORD: PASSWORD }));
  rememberSecret('kanri2', mugaika(['user', 'add', 'kanri2', '--role', 'admin', '--bootstrap', ...cfg], { MUGAIKA_NEW_PASSWORD: PASSWORD }));

  // The gateway: a photo cut off in transfer (a PNG that ends in its pixel data: no whole picture can be
  // rebuilt, so it is held as "malformed"), a zip with an executable inside (partly held), later a PPAP zip.
  gateway = spawn(MUGAIKA, ['serve', ...cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  const photo = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
    .subarray(0, 45);
  drop(tmp, '現場写真.png', photo);
  const work = path.join(tmp, 'work');
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, '説明.txt'), '資料の説明です。\n');
  fs.writeFileSync(path.join(work, 'setup.exe'), Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), crypto.randomBytes(200)]));
  execFileSync('zip', ['-q', path.join(work, 'bundle.zip'), '説明.txt', 'setup.exe'], { cwd: work });
  drop(tmp, '資料一式.zip', fs.readFileSync(path.join(work, 'bundle.zip')));
  const held = await waitForReport(tmp, '現場写真.png');
  check(held.verdict === 'quarantined' && held.quarantine_id, 'the service held the dropped photo');
  check(held.reason.code === 'malformed', 'the cut-off photo is held as malformed');
  const partial = await waitForReport(tmp, '資料一式.zip');
  check(partial.verdict === 'disarmed' && partial.quarantine_id && partial.held.length === 1, 'the zip was partly held');
  const id = held.quarantine_id;

  server = spawn(MUGAIKA, ['officer-ui', ...cfg], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    server.stdout.on('data', (d) => { if (String(d).includes('listening')) resolve(); });
    server.on('exit', (c) => reject(new Error('officer-ui exited with ' + c)));
  });
  BASE = `https://127.0.0.1:${port}`;

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  try {
    // The first admin adds the people: each gets a one-time code, nobody's password or secret.
    const admin = await newPage(browser);
    await login(admin, 'kanri', PASSWORD, '01-login.png');
    check(admin.url().endsWith('/users'), 'an admin lands on the accounts page');
    const codes = {};
    for (const [user, role] of [['sato', 'officer'], ['suzuki', 'approver'], ['kato', 'approver'], ['kansa', 'auditor']]) {
      await admin.fill('#add-name', user);
      await admin.selectOption('#add-role', role);
      await admin.click('#add-button');
      codes[user] = (await admin.locator('#enrolment-code').textContent()).trim();
      check(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/.test(codes[user]), `an enrolment code for ${user}`);
      check(await admin.locator('#totp-secret').count() === 0, `the admin sees no secret of ${user}`);
      if (user === 'sato') await shot(admin, '02-users-code.png');
    }

    // Each person enrols with their code: the QR code and the text secret, their own password, the app's code.
    for (const user of ['sato', 'suzuki', 'kato', 'kansa']) {
      const p = await newPage(browser);
      await p.goto(BASE + '/login');
      await p.click('#enrol-link');
      await p.fill('#enrol-user', user);
      await p.fill('#enrol-code', codes[user].toLowerCase().replace(/-/g, ''));   // as typed from paper
      await p.click('#enrol-button');
      check(await p.locator('svg.qr').count() === 1, `${user} sees a QR code`);
      secrets[user] = base32Decode((await p.locator('#totp-secret').textContent()).trim());
      if (user === 'sato') {
        await shot(p, '03-enrol-qr.png');
        // The QR code read by an independent decoder (zbar) carries the same secret as the text.
        const qrPng = path.join(ART, '03-qr-only.png');
        await p.locator('svg.qr').screenshot({ path: qrPng });
        let decoded = null;
        try { decoded = execFileSync('zbarimg', ['--raw', '-q', qrPng], { encoding: 'utf8' }).trim(); } catch (e) { decoded = null; }
        if (decoded === null) console.log('skip - zbarimg not installed (apt-get install zbar-tools): the QR code was not decoded');
        else {
          const m = /^otpauth:\/\/totp\/[^?]*\?secret=([A-Z2-7]+)/.exec(decoded);
          check(m && base32Decode(m[1]).equals(secrets[user]), 'the QR code decodes (zbar) to the secret shown as text');
        }
      }
      await p.fill('#new-password', PASSWORD);
      await p.fill('#new-password2', PASSWORD);
      await p.fill('#enrol-totp', await code(user));
      await p.click('#enrol-finish-button');
      const done = (await p.locator('.msg').allTextContents()).join(' ');
      check(done.includes('登録しました'), `${user} enrolled`);
      if (user === 'sato') {
        check(done.includes('確認を待っています'), "the officer's role awaits the second admin");
        await shot(p, '04-enrol-done.png');
      }
      await p.context().close();
    }

    // The first admin cannot confirm the grants they made; the second admin confirms on a page of its own.
    check(await admin.locator('#confirm-sato').count() === 0, 'no confirm button for the admin who gave the role');
    const admin2 = await newPage(browser);
    await login(admin2, 'kanri2', PASSWORD, null);
    for (const user of ['sato', 'suzuki', 'kato']) {
      await admin2.click(`#confirm-${user}`);
      if (user === 'sato') await shot(admin2, '05-confirm-role.png');
      await admin2.click('#confirm-confirm-button');
    }
    const roles = await admin2.locator('table.users').textContent();
    check(!roles.includes('確認待ち'), 'every role is confirmed');
    await shot(admin2, '06-users.png');

    // The officer follows a link to the held item, signs in and lands on it.
    const officer = await newPage(browser);
    await officer.goto(`${BASE}/items/${id}`);
    check(officer.url().includes('/login?next='), 'a link to an item asks for the login first');
    await login(officer, 'sato', PASSWORD, null);
    check(officer.url().endsWith('/items/' + id), 'after the login the officer is on the linked item');
    await shot(officer, '07-detail.png');
    check(await officer.locator('#request-kind option').count() >= 1, 'the request form offers the kinds that can succeed');
    // A damaged picture of a type that has a sanitizer: disarming again is offered (under raised limits or
    // a fixed decoder it may succeed); a type nothing can disarm is covered by gateway_sink_test.cpp.
    check(await officer.locator('#request-kind option[value=resanitize]').count() === 1,
      'disarming again is offered for a damaged picture');
    check(await officer.locator('#request-password').count() === 0, 'no zip password field for a photo');
    await officer.selectOption('#request-kind', 'original');
    await officer.fill('#request-reason', '工事現場の写真で、送信元に確認済みのため');
    await officer.click('#request-button');
    check(await officer.locator('text=解放を依頼しました').count() === 1, 'the release was requested');
    check(await officer.locator('#approve-button').count() === 0, 'the requester is not offered the approval');

    // The list, with its filters as choices.
    await officer.goto(`${BASE}/items`);
    await officer.selectOption('#filter-section', '総務課');
    await officer.click('form.filter button');
    await officer.waitForURL('**/items?**');
    check(await officer.locator('text=現場写真.png').count() === 1, 'the held item is found by section');
    check((await officer.locator('table.items').textContent()).includes('一部保留'), 'the list says the zip is partly held');
    await shot(officer, '08-list.png');

    // suzuki opens the request; meanwhile kato rejects it and sato asks again: suzuki's approval is stale.
    const approver = await newPage(browser);
    await login(approver, 'suzuki', PASSWORD, null);
    await approver.goto(`${BASE}/items/${id}`);
    check(await approver.locator('.release-kind.danger').count() === 1, 'the approver sees the original in red');
    await shot(approver, '09-approver.png');
    const other = await newPage(browser);
    await login(other, 'kato', PASSWORD, null);
    await other.goto(`${BASE}/items/${id}`);
    await other.fill('#reject-note', '理由の記載が足りません');
    await other.click('#reject-button');
    check(await other.locator('text=却下しました').count() === 1, 'the other approver rejected the request');
    await officer.goto(`${BASE}/items/${id}`);
    await officer.selectOption('#request-kind', 'original');
    await officer.fill('#request-reason', '工事現場の写真。送信元の担当者に電話で確認済み');
    await officer.click('#request-button');
    await approver.fill('#approve-note', '確認しました');
    await approver.click('#approve-button');
    check(await approver.locator('text=解放依頼が変わりました').count() === 1, 'the stale approval is refused');
    await shot(approver, '10-stale-refused.png');
    const dropped = path.join(tmp, 'out', '総務課', '現場写真.png');
    check(!fs.existsSync(dropped), 'nothing was released by the stale approval');

    // The request on screen now, with the original's confirmation page.
    await approver.goto(`${BASE}/items/${id}`);
    await approver.fill('#approve-note', '送信元に確認済み');
    await approver.click('#approve-button');
    check(await approver.locator('#confirm-original').count() === 1, 'the original asks for a confirmation page');
    await shot(approver, '11-confirm-original.png');
    await approver.check('#confirm-original');
    await approver.click('#confirm-original-button');
    check(await approver.locator('text=承認し、解放しました').count() === 1, 'the approval is confirmed');
    check(await approver.locator('#released-to').count() === 1, 'the page says where it went');
    await shot(approver, '12-released.png');
    check(fs.existsSync(dropped) && fs.readFileSync(dropped).equals(photo), "the original is in the section's drop folder");

    // The partly held zip: what was held and where the rest went.
    await officer.goto(`${BASE}/items/${partial.quarantine_id}`);
    const box = await officer.locator('#partial').textContent();
    check(box.includes('setup.exe') && box.includes('総務課 の受け取りフォルダ'), 'the partial hold is explained with its destination');
    check(fs.existsSync(path.join(tmp, 'out', '総務課', '資料一式.zip')), 'the rest of the zip was delivered');
    await shot(officer, '13-partial.png');

    // PPAP: the officer enters the password; the approver releases the members disarmed.
    fs.writeFileSync(path.join(work, 'quote.csv'), '品目,金額\n机,=1+2\n');
    execFileSync('zip', ['-q', '-P', 'Tokyo-2026!', path.join(work, 'quote.zip'), 'quote.csv'], { cwd: work });
    drop(tmp, '見積書.zip', fs.readFileSync(path.join(work, 'quote.zip')));
    const ppap = await waitForReport(tmp, '見積書.zip');
    check(ppap.reason.code === 'encrypted', 'the PPAP zip is held as encrypted');
    await officer.goto(`${BASE}/items/${ppap.quarantine_id}`);
    check(await officer.locator('#request-kind').inputValue() === 'ppap', 'a PPAP zip offers the password first');
    await officer.fill('#request-password', 'Tokyo-2026!');
    // A long reason with no place to break (a pasted link): the tables must still fit the screen.
    await officer.fill('#request-reason', '取引先から別メールでパスワードを受領 https://example.jp/' + 'a'.repeat(180));
    await shot(officer, '14-ppap-request.png');
    await officer.click('#request-button');
    await approver.goto(`${BASE}/items/${ppap.quarantine_id}`);
    await approver.click('#approve-button');
    check(await approver.locator('text=承認し、解放しました').count() === 1, 'the PPAP release is approved');
    await shot(approver, '14b-ppap-released.png');
    const csv = execFileSync('unzip', ['-p', path.join(tmp, 'out', '総務課', '見積書.zip'), 'quote.csv'], { encoding: 'utf8' });
    check(csv.includes('机') && !csv.includes(',=1+2'), 'its member is decrypted and disarmed (read with unzip, no password)');

    // The auditor filters the log: Japanese labels, JST, the verification in Japanese.
    const auditor = await newPage(browser);
    await login(auditor, 'kansa', PASSWORD, null);
    await auditor.goto(`${BASE}/audit`);
    check(await auditor.locator('text=ハッシュチェーンは正常です').count() === 1, 'the chain verifies');
    await auditor.selectOption('#filter-action', 'release.');
    await auditor.click('#audit-filter-button');
    await auditor.waitForURL('**/audit?**');
    const table = await auditor.locator('table.audit').textContent();
    check(table.includes('解放の承認') && table.includes('解放の依頼') && !table.includes('ログイン'),
      'the filtered log shows the release actions by their labels');
    check(table.includes('拒否'), 'the refused stale approval is in it');
    await shot(auditor, '15-audit.png');
    const lines = fs.readFileSync(path.join(tmp, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const approval = lines.find((l) => l.action === 'release.approve' && l.outcome === 'ok');
    check(approval.detail.requested_by === 'sato' && approval.detail.kind === 'original', 'the approval names requester and kind');
    check(lines.some((l) => l.action === 'user.role_confirm' && l.actor === 'kanri2'), 'the role confirmations are audited');
    const audit = fs.readFileSync(path.join(tmp, 'audit.log'), 'utf8');
    check(!audit.includes('Tokyo-2026!') && !audit.includes(codes.sato), 'neither the PPAP password nor a code is in the log');
    check(/OK/.test(mugaika(['audit', 'verify', path.join(tmp, 'audit.log')], {})), 'mugaika audit verify passes');

    // Logging out ends the session.
    await officer.click('#logout');
    await officer.waitForURL('**/login');
    await officer.goto(`${BASE}/items`);
    check(officer.url().includes('/login'), 'after logging out the list needs a new login');
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    gateway.kill('SIGTERM');
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log('browser test passed; screenshots in ' + ART);
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
  for (const child of [gateway, server]) if (child) child.kill('SIGKILL');
});
