// The officer UI in a real browser, end to end with the real service: a file dropped into the watched
// share is held by `mugaika serve` in the encrypted quarantine; an officer logs in with password + TOTP,
// finds it with the list's filters and requests its release; another person approves; the file appears
// in its section's drop folder (the service's release path) and every step is in the audit log.
// Screenshots of the main pages go to $ARTIFACT_DIR.
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
  for (const ch of s.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

// RFC 6238 with the step `offset` steps from now (each account needs a new step per login).
function totp(secret, offset) {
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', secret).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  const bin = ((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  return String(bin % 1000000).padStart(6, '0');
}

const uses = {};
const secrets = {};
function code(user) {
  uses[user] = (uses[user] || 0) + 1;
  if (uses[user] > 2) fail('test bug: more than two TOTP codes for ' + user + ' in one step');
  return totp(secrets[user], uses[user] - 1);
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

async function login(browser, user, shotName) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'ja-JP' });
  const page = await context.newPage();
  await page.goto(BASE + '/login');
  await page.fill('#user', user);
  await page.fill('#password', PASSWORD);
  await page.fill('#totp', code(user));
  if (shotName) await page.screenshot({ path: path.join(ART, shotName), fullPage: true });
  await page.click('#login-button');
  try {
    await page.waitForURL('**/items', { timeout: 15000 });
  } catch (e) {
    await page.screenshot({ path: path.join(ART, 'login-failed-' + user + '.png'), fullPage: true });
    fail('login as ' + user + ' did not reach the list: ' + (await page.locator('.msg').allTextContents()).join(' '));
  }
  return { context, page };
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
  const newPw = { MUGAIKA_NEW_PASSWORD: PASSWORD };
  const asUser = (user) => ({ MUGAIKA_PASSWORD: PASSWORD });

  rememberSecret('kanri', mugaika(['user', 'add', 'kanri', '--role', 'admin', '--bootstrap', ...cfg], newPw));
  rememberSecret('sato', mugaika(['user', 'add', 'sato', '--role', 'officer', '--user', 'kanri', '--totp', code('kanri'), ...cfg],
    { ...newPw, ...asUser('kanri') }));
  rememberSecret('suzuki', mugaika(['user', 'add', 'suzuki', '--role', 'approver', '--user', 'kanri', '--totp', code('kanri'), ...cfg],
    { ...newPw, ...asUser('kanri') }));

  // The gateway itself: a staff member drops a photo (images have no sanitizer in this build, so it is
  // held as "unsupported") into the 総務課 share, and the service holds it.
  gateway = spawn(MUGAIKA, ['serve', ...cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  const original = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  fs.mkdirSync(path.join(tmp, 'in', '総務課'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'in', '総務課', '.part-現場写真.png'), original);
  fs.renameSync(path.join(tmp, 'in', '総務課', '.part-現場写真.png'), path.join(tmp, 'in', '総務課', '現場写真.png'));
  let report = null;
  for (let i = 0; i < 600 && !report; ++i) {
    await new Promise((r) => setTimeout(r, 100));
    const files = fs.existsSync(path.join(tmp, 'reports')) ? fs.readdirSync(path.join(tmp, 'reports')) : [];
    if (files.length) report = JSON.parse(fs.readFileSync(path.join(tmp, 'reports', files[0]), 'utf8'));
  }
  check(report && report.verdict === 'quarantined' && report.quarantine_id, 'the service held the dropped file');
  const id = report.quarantine_id;

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
    // The officer finds the item with the list's filters and asks for its release.
    const officer = await login(browser, 'sato', '01-login.png');
    await officer.page.fill('input[name=section]', '総務課');
    await officer.page.selectOption('select[name=state]', 'held');
    await officer.page.click('form.filter button');
    await officer.page.waitForURL('**/items?**');
    await officer.page.screenshot({ path: path.join(ART, '02-list.png'), fullPage: true });
    check(await officer.page.locator('text=現場写真.png').count() === 1, 'the held item is found by section and state');
    await officer.page.click('text=現場写真.png');
    check(await officer.page.locator('text=' + id).count() > 0 || officer.page.url().endsWith(id), 'the item page opens');
    check(await officer.page.locator('#request-kind option[value=original]').count() === 1, 'the release kinds are offered');
    await officer.page.screenshot({ path: path.join(ART, '03-detail.png'), fullPage: true });
    await officer.page.selectOption('#request-kind', 'original');
    await officer.page.fill('#request-reason', '工事現場の写真で、送信元に確認済みのため');
    await officer.page.click('#request-button');
    check(await officer.page.locator('text=解放を依頼しました').count() === 1, 'the release was requested');
    check(await officer.page.locator('#approve-button').count() === 0, 'the requester is not offered the approval');
    await officer.page.screenshot({ path: path.join(ART, '04-requested.png'), fullPage: true });
    const dropped = path.join(tmp, 'out', '総務課', '現場写真.png');
    check(!fs.existsSync(dropped), 'nothing is released before the approval');

    // Another person approves.
    const approver = await login(browser, 'suzuki', null);
    await approver.page.goto(`${BASE}/items/${id}`);
    check(await approver.page.locator('.release-kind').count() === 1, 'the approver sees which kind of release was asked for');
    await approver.page.screenshot({ path: path.join(ART, '05-approver.png'), fullPage: true });
    await approver.page.fill('#approve-note', '内容を確認しました');
    await approver.page.click('#approve-button');
    check(await approver.page.locator('text=承認し、解放しました').count() === 1, 'the approval is confirmed');
    await approver.page.screenshot({ path: path.join(ART, '06-released.png'), fullPage: true });

    check(fs.existsSync(dropped) && fs.readFileSync(dropped).equals(original),
      "the original is in the section's drop folder, byte for byte");

    // Every step is in the audit log, and the chain verifies.
    const lines = fs.readFileSync(path.join(tmp, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const has = (actor, action) => lines.some((l) => l.actor === actor && l.action === action && l.outcome === 'ok');
    check(has('gateway', 'item.verdict') && has('gateway', 'item.hold'), "the gateway's verdict and hold are audited");
    check(has('sato', 'login') && has('suzuki', 'login'), 'both logins are audited');
    check(has('sato', 'item.list') && has('sato', 'item.view'), 'the search and the view are audited');
    check(has('sato', 'release.request') && has('suzuki', 'release.approve'), 'the request and the approval are audited');
    const approval = lines.find((l) => l.action === 'release.approve');
    const delivery = lines.find((l) => l.action === 'release.deliver');
    check(approval.detail.requested_by === 'sato' && approval.detail.kind === 'original' && delivery.detail.released_to === dropped,
      'the approval names the requester and the kind, the delivery its destination');
    check(/OK/.test(mugaika(['audit', 'verify', path.join(tmp, 'audit.log')], {})), 'mugaika audit verify passes');

    // PPAP: a password-protected zip from a business partner is held as "encrypted"; the officer enters
    // the password (sent in a separate mail), another person approves, the members come out disarmed.
    const work = path.join(tmp, 'ppap');
    fs.mkdirSync(work);
    fs.writeFileSync(path.join(work, 'quote.csv'), '品目,金額\n机,=1+2\n');
    execFileSync('zip', ['-q', '-P', 'Tokyo-2026!', path.join(work, 'quote.zip'), 'quote.csv'], { cwd: work });
    fs.copyFileSync(path.join(work, 'quote.zip'), path.join(tmp, 'in', '総務課', '.part-見積書.zip'));
    fs.renameSync(path.join(tmp, 'in', '総務課', '.part-見積書.zip'), path.join(tmp, 'in', '総務課', '見積書.zip'));
    let held = null;
    for (let i = 0; i < 600 && !held; ++i) {
      await new Promise((r) => setTimeout(r, 100));
      for (const f of fs.readdirSync(path.join(tmp, 'reports'))) {
        const r = JSON.parse(fs.readFileSync(path.join(tmp, 'reports', f), 'utf8'));
        if (r.input.name === '見積書.zip') held = r;
      }
    }
    check(held && held.reason.code === 'encrypted', 'the PPAP zip is held as encrypted');
    await officer.page.goto(`${BASE}/items/${held.quarantine_id}`);
    await officer.page.selectOption('#request-kind', 'ppap');
    await officer.page.fill('#request-password', 'Tokyo-2026!');
    await officer.page.fill('#request-reason', '取引先から別メールでパスワードを受領');
    await officer.page.screenshot({ path: path.join(ART, '07-ppap-request.png'), fullPage: true });
    await officer.page.click('#request-button');
    check(await officer.page.locator('text=解放を依頼しました').count() === 1, 'the PPAP release was requested');
    await approver.page.goto(`${BASE}/items/${held.quarantine_id}`);
    await approver.page.click('#approve-button');
    check(await approver.page.locator('text=承認し、解放しました').count() === 1, 'the PPAP release is approved');
    await approver.page.screenshot({ path: path.join(ART, '08-ppap-released.png'), fullPage: true });
    const zipOut = path.join(tmp, 'out', '総務課', '見積書.zip');
    check(fs.existsSync(zipOut), "the disarmed zip is in the section's drop folder");
    const csv = execFileSync('unzip', ['-p', zipOut, 'quote.csv'], { encoding: 'utf8' });
    check(csv.includes('机') && !csv.includes(',=1+2'), 'its member is decrypted and disarmed (read with unzip, no password)');
    const audit = fs.readFileSync(path.join(tmp, 'audit.log'), 'utf8');
    check(!audit.includes('Tokyo-2026!') && audit.includes('"password":"supplied"'), 'the password never reaches the audit log');

    // Logging out ends the session.
    await officer.page.click('#logout');
    await officer.page.waitForURL('**/login');
    await officer.page.goto(`${BASE}/items`);
    check(officer.page.url().endsWith('/login'), 'after logging out the list needs a new login');
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
