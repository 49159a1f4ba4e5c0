'use strict';
// The hub's web console in headless Chromium, with a real device (azure-iot-device over AMQP) on the other side:
// telemetry shows (hostile and oversized bodies escaped and cut), a C2D message sent from the page reaches the
// device and its feedback shows, a method call and a desired-property edit round-trip, and garbage on the AMQP
// port shows as a refusal in health while the page keeps working. Screenshots of each view go to SCREENSHOT_DIR.
const path = require('path');
const net = require('net');
const tls = require('tls');
const { chromium } = require('playwright-core');
const { Client, Message } = require('azure-iot-device');
const { Amqp } = require('azure-iot-device-amqp');
const { required, deadline, done, fail } = require('./common');

deadline(Number(process.env.SCRIPT_TIMEOUT_SECONDS || 55));
const url = required('WEB_URL');
const owner = required('OWNER_CONNECTION_STRING');
const spki = required('SERVER_SPKI');
const hubPort = Number(required('HUB_PORT'));
const shots = required('SCREENSHOT_DIR');
const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
const BIG = 256 * 1024;

const step = (name) => console.log(`STEP ${name} ${new Date().toISOString().slice(11, 23)}`);
const promisify = (fn) => new Promise((resolve, reject) => fn((e, r) => (e ? reject(e) : resolve(r))));

async function startDevice() {
  const device = Client.fromConnectionString(required('DEVICE_CONNECTION_STRING'), Amqp);
  device.on('error', fail);
  const c2d = [];
  device.on('message', (msg) => {
    const line = `C2D ${msg.messageId} ${msg.data.toString()} color=${msg.properties.getValue('color')}`;
    console.log(line);
    c2d.push(line);
    device.complete(msg, (e) => { if (e) fail(e); });
  });
  await promisify((cb) => device.open(cb));
  device.onDeviceMethod('reboot', (req, res) => {
    console.log(`METHOD reboot ${JSON.stringify(req.payload)}`);
    res.send(200, { rebooted: true, delay: req.payload && req.payload.delay }, (e) => { if (e) fail(e); });
  });
  const twin = await promisify((cb) => device.getTwin(cb));
  twin.on('properties.desired', (delta) => {
    if (delta.fanSpeed === undefined) return;
    console.log(`DESIRED fanSpeed=${delta.fanSpeed}`);
    twin.properties.reported.update({ fanSpeed: delta.fanSpeed, appliedBy: 'device' }, (e) => { if (e) fail(e); });
  });
  const send = (body, props) => {
    const m = new Message(body);
    m.contentType = 'application/json';
    for (const [k, v] of Object.entries(props || {})) m.properties.add(k, v);
    return promisify((cb) => device.sendEvent(m, cb));
  };
  let n = 0;
  const timer = setInterval(() => {
    n++;
    send(JSON.stringify({ temperature: +(21 + 3 * Math.sin(n / 4)).toFixed(2), n }), { source: 'web-test' }).catch(fail);
  }, 200);
  return { device, send, c2d, stop: () => clearInterval(timer) };
}

/** A socket that speaks no TLS, and a TLS one that sends an AMQP header and then a frame far past the frame limit. */
function hostile() {
  return new Promise((resolve) => {
    const raw = net.connect(hubPort, '127.0.0.1', () => raw.write(Buffer.from('GET / HTTP/1.1\r\n\r\n\x00\xff\xfe garbage', 'binary')));
    raw.on('error', () => {});
    raw.on('close', () => {
      const t = tls.connect({ port: hubPort, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false }, () => {
        t.write(Buffer.concat([Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0]), Buffer.from([0x7f, 0xff, 0xff, 0xff, 2, 0, 0, 0]), Buffer.alloc(64, 0xee)]));
      });
      t.on('error', () => {});
      t.on('close', resolve);
      setTimeout(() => { t.destroy(); resolve(); }, 3000);
    });
    setTimeout(() => raw.destroy(), 1500);
  });
}

async function main() {
  const dev = await startDevice();
  step('device-open');
  // The hub's certificate is pinned by its public key hash: TLS is checked, against this hub only.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [`--ignore-certificate-errors-spki-list=${spki}`] });
  const errors = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const shot = (name) => page.screenshot({ path: path.join(shots, `local-hub-${name}.png`) });

    await page.goto(url);
    await page.fill('#credential', 'not a credential');
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('login-error').textContent.includes('Expected a policy'));
    // A well-formed connection string with a wrong key is refused by the hub, and nothing is kept.
    await page.fill('#credential', owner.replace(/SharedAccessKey=[^;]+/, 'SharedAccessKey=' + Buffer.alloc(32, 7).toString('base64')));
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => !/^(|Expected a policy.*)$/.test(document.getElementById('login-error').textContent) && !sessionStorage.getItem('localhub.token'));
    console.log(`OK wrong key refused: ${await page.textContent('#login-error')}`);
    const refusedLoads = errors.filter((e) => e.includes('status of 401')).length;   // the browser logs the refused call
    errors.splice(0, errors.length, ...errors.filter((e) => !e.includes('status of 401')));
    if (refusedLoads !== 1) throw new Error(`expected one refused call, saw ${refusedLoads}`);
    await page.fill('#credential', owner);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#live.on', { timeout: 10000 });
    // The tab keeps its session across a reload.
    await page.reload();
    await page.waitForSelector('#live.on', { timeout: 10000 });
    const stored = await page.evaluate(() => sessionStorage.getItem('localhub.token'));
    if (!stored.startsWith('SharedAccessSignature ') || stored.includes(owner.split('SharedAccessKey=')[1])) throw new Error('session keeps more than a token');
    step('signed-in');

    // Devices: the connected device, and one added from the page with its connection string.
    await page.waitForSelector('tr[data-device="dev1"] .dot.on');
    await page.fill('#new-device-id', 'web-added');
    await page.click('#add-device button');
    await page.waitForFunction(() => document.getElementById('cs-output').value.includes('DeviceId=web-added;SharedAccessKey='));
    await page.waitForSelector('tr[data-device="web-added"]');
    await page.fill('#new-device-id', 'dev2');
    await page.fill('#new-module-id', 'sensor');
    await page.click('#add-device button');
    await page.waitForFunction(() => document.getElementById('cs-output').value.includes('DeviceId=dev2;ModuleId=sensor;'));
    await page.waitForSelector('tr[data-device="dev2/sensor"]');
    await page.waitForFunction(() => +document.querySelector('tr[data-device="dev1"] td:nth-child(5)').textContent > 3);
    await shot('devices');
    console.log('OK devices');
    step('devices');

    // Telemetry: a hostile body and a 256 KB one arrive among the stream; the chart follows "temperature".
    await page.click('nav button[data-view=telemetry]');
    await page.fill('#chart-field', 'temperature');
    await dev.send(HOSTILE, { note: '<b>bold?</b>' });
    await dev.send('A'.repeat(BIG));
    await page.waitForFunction((h) => Array.from(document.querySelectorAll('#tel-list pre.body')).some((p) => p.textContent === h), HOSTILE);
    await page.waitForFunction((n) => Array.from(document.querySelectorAll('#tel-list .cut')).some((c) => c.textContent.includes(`of ${n} bytes`)), BIG);
    const injected = await page.evaluate(() => ({ pwned: window.__pwned, imgs: document.querySelectorAll('#tel-list img, #tel-list script').length,
      prop: Array.from(document.querySelectorAll('#tel-list td')).some((td) => td.textContent === '<b>bold?</b>'),
      longest: Math.max(...Array.from(document.querySelectorAll('#tel-list pre.body')).map((p) => p.textContent.length)) }));
    if (injected.pwned !== undefined || injected.imgs !== 0 || !injected.prop) throw new Error('device data was parsed as HTML: ' + JSON.stringify(injected));
    if (injected.longest > 4097) throw new Error(`body shown uncut: ${injected.longest} characters`);
    console.log(`OK telemetry escaped longest=${injected.longest}`);
    await page.fill('#tel-filter', 'temperature');
    await page.waitForTimeout(2500);   // a few chart points
    await page.click('#tel-pause');
    await page.click('#tel-list .msg details summary');
    await page.waitForTimeout(600);
    if (!(await page.textContent('#tel-status')).startsWith('paused, ')) throw new Error('pause shows no count');
    await shot('telemetry');
    await page.click('#tel-pause');
    await page.fill('#tel-filter', '');
    step('telemetry');

    // Commands: C2D with properties and ack=full, then its feedback; a method; a desired edit the device reports back.
    await page.click('nav button[data-view=commands]');
    await page.selectOption('#cmd-device', 'dev1');
    await page.fill('#c2d-body', 'hello from the page');
    await page.fill('#c2d-id', 'web-c2d-1');
    await page.fill('#c2d-props', 'color=red');
    await page.selectOption('#c2d-ack', 'full');
    await page.click('#c2d-send');
    await page.waitForSelector('tr[data-message-id="web-c2d-1"] .status-Success', { timeout: 15000 });
    if (!dev.c2d.some((l) => l === 'C2D web-c2d-1 hello from the page color=red')) throw new Error('device did not get the C2D message: ' + dev.c2d);
    console.log('OK c2d feedback Success');
    await page.fill('#method-name', 'reboot');
    await page.fill('#method-payload', '{"delay":1}');
    await page.click('#method-invoke');
    await page.waitForFunction(() => document.getElementById('method-status').textContent === 'status 200');
    const result = JSON.parse(await page.textContent('#method-result'));
    if (!result.rebooted || result.delay !== 1) throw new Error('method result ' + JSON.stringify(result));
    console.log('OK method 200');
    await page.fill('#twin-desired', '{"fanSpeed":3}');
    await page.click('#twin-apply');
    await page.waitForFunction(() => document.getElementById('twin-reported').textContent.includes('"appliedBy": "device"'), null, { timeout: 15000 });
    const reported = JSON.parse(await page.textContent('#twin-reported'));
    if (reported.fanSpeed !== 3) throw new Error('reported ' + JSON.stringify(reported));
    console.log('OK twin reported fanSpeed=3');
    await shot('commands');
    step('commands');

    // Health: garbage on the AMQP port is a refusal; the page keeps streaming.
    await page.click('nav button[data-view=health]');
    await hostile();
    const refused = (text) => page.waitForFunction((t) => Array.from(document.querySelectorAll('#refusals tbody tr')).some((r) => r.textContent.includes(t)), text, { timeout: 10000 });
    await refused('HandshakeFailed');
    await refused('amqp:connection:framing-error');
    const before = await page.evaluate(() => +document.querySelector('tr[data-device="dev1"] td:nth-child(5)').textContent);
    await page.waitForFunction((b) => +document.querySelector('tr[data-device="dev1"] td:nth-child(5)').textContent > b + 2, before);
    if (!(await page.isVisible('#live.on'))) throw new Error('stream dropped after the hostile connection');
    await shot('health');
    console.log('OK health refusal shown, stream alive');
    step('health');

    // Phone width: the same page, one column.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('nav button[data-view=telemetry]');
    await page.waitForTimeout(1200);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 2) throw new Error(`page is ${overflow}px wider than a phone`);
    await shot('phone');
    console.log('OK phone width');
    if (errors.length) throw new Error('page errors: ' + errors.join(' | '));
  } finally {
    dev.stop();
    await browser.close();
  }
  await promisify((cb) => dev.device.close(cb));
  done('OK all');
}

main().catch(fail);
