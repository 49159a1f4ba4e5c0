'use strict';
// The local hub's web console: sign-in, the live event stream, devices and health views.
// Device data is only ever put in the page with textContent (see el()), never as HTML.
const TOKEN_KEY = 'localhub.token';
const LC = window.LocalConsole = window.LocalConsole || {};
const $ = (id) => document.getElementById(id);

/** Builds an element; string children become text nodes, so device-supplied text is never parsed as HTML. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v; else if (k === 'style') e.style.cssText = v;   // CSSOM: allowed by the page's CSP
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
LC.el = el;

const state = LC.state = { devices: [], health: {}, telemetry: [], refusals: [], c2d: [], events: [], hub: {} };
let token = sessionStorage.getItem(TOKEN_KEY);
let streamGeneration = 0;

/** SAS token from a policy connection string, signed in the browser (WebCrypto HMAC-SHA256, 8 h). */
async function tokenFrom(credential) {
  const text = credential.trim();
  if (/^SharedAccessSignature\s/.test(text)) return text;
  const parts = {};
  for (const p of text.split(';')) { const i = p.indexOf('='); if (i > 0) parts[p.slice(0, i).trim()] = p.slice(i + 1).trim(); }
  if (!parts.HostName || !parts.SharedAccessKeyName || !parts.SharedAccessKey)
    throw new Error('Expected a policy connection string (HostName, SharedAccessKeyName, SharedAccessKey) or a SharedAccessSignature token.');
  const sr = encodeURIComponent(parts.HostName);
  const se = Math.floor(Date.now() / 1000) + 8 * 3600;
  let raw;
  try { raw = Uint8Array.from(atob(parts.SharedAccessKey), (c) => c.charCodeAt(0)); } catch { throw new Error('SharedAccessKey is not base64.'); }
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(sr + '\n' + se)));
  const b64 = btoa(String.fromCharCode(...sig));
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(b64)}&se=${se}&skn=${encodeURIComponent(parts.SharedAccessKeyName)}`;
}

/** Calls the hub with the credential; throws an Error carrying the hub's message on a non-2xx answer. */
async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: token }, options.body !== undefined ? { 'Content-Type': 'application/json' } : {});
  const res = await fetch(path, { method: options.method || 'GET', headers, cache: 'no-store',
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  // A refused session ends it; a call the policy lacks a right for (RegistryRead...) only shows its error.
  if (res.status === 401 && options.session) { signOut((json && json.ExceptionMessage) || 'Unauthorized'); }
  if (!res.ok) {
    const err = new Error((json && (json.ExceptionMessage || json.Message)) || `HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return json;
}
LC.api = api;

function showSignedIn(on) {
  $('login').hidden = on; $('tabs').hidden = !on; $('views').hidden = !on; $('sign-out').hidden = !on;
}

function signOut(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  streamGeneration++;
  showSignedIn(false);
  $('login-error').textContent = reason || '';
  setLive(false);
}

async function signIn(credential) {
  token = await tokenFrom(credential);
  const s = await api('api/state', { session: true });
  sessionStorage.setItem(TOKEN_KEY, token);
  $('credential').value = '';
  $('login-error').textContent = '';
  showSignedIn(true);
  applyState(s);
  stream(++streamGeneration);
}

function applyState(s) {
  Object.assign(state, { devices: s.devices, health: s.health, hub: s.hub, telemetry: s.telemetry, refusals: s.refusals, c2d: s.c2d });
  $('hub-name').textContent = `${s.hub.name} · amqps :${s.hub.amqpPort}`;
  state.events = [];
  $('events').replaceChildren();
  for (const e of s.events || []) onHubEvent(e);
  renderDevices(); renderHealth(); LC.onDevices(); LC.resetTelemetry(); LC.resetC2d();
}

function setLive(on) { const b = $('live'); b.textContent = on ? 'live' : 'offline'; b.className = 'badge ' + (on ? 'on' : 'off'); }

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Server-sent events read through fetch, so the credential travels in a header and never in a URL. */
async function stream(generation) {
  while (generation === streamGeneration && token) {
    try {
      const res = await fetch('api/events', { headers: { Authorization: token }, cache: 'no-store' });
      if (res.status === 401) { signOut('The credential was refused.'); return; }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      setLive(true);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done || generation !== streamGeneration) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) { onFrame(buffer.slice(0, end)); buffer = buffer.slice(end + 2); }
        if (buffer.length > 4 * 1024 * 1024) buffer = '';   // a frame this large is not the hub's
      }
    } catch (e) { console.warn('event stream', e); }
    setLive(false);
    if (generation !== streamGeneration) return;
    await sleep(2000);
    try { applyState(await api('api/state', { session: true })); } catch { /* retried with the stream */ }
  }
}

function onFrame(frame) {
  let kind = 'message', data = '';
  for (const line of frame.split('\n')) {
    if (line.startsWith('event: ')) kind = line.slice(7); else if (line.startsWith('data: ')) data += line.slice(6);
  }
  if (!data) return;
  let msg;
  try { msg = JSON.parse(data); } catch { return; }
  switch (kind) {
    case 'stats': state.devices = msg.devices; state.health = msg.health; renderDevices(); renderHealth(); LC.onDevices(); LC.onStats(); break;
    case 'telemetry': LC.onTelemetry(msg); break;
    case 'c2d': LC.onC2d(msg); break;
    case 'refusal': state.refusals.push(msg); if (state.refusals.length > 100) state.refusals.shift(); renderRefusals(); break;
    case 'hub': onHubEvent(msg); break;
  }
}

function onHubEvent(e) {
  state.events.push(e);
  if (state.events.length > 50) state.events.shift();
  const list = $('events');
  list.prepend(el('li', {}, `${e.time.slice(11, 23)} ${e.kind} conn=${e.connectionId} ${e.deviceId || ''} ${e.address || ''} ${e.reason || ''}`));
  while (list.children.length > 50) list.lastChild.remove();
  LC.onHubEvent(e);
}

const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '—');

function renderDevices() {
  const body = $('devices').tBodies[0];
  body.replaceChildren();
  for (const d of state.devices) {
    const connected = d.connected > 0;
    body.append(el('tr', { 'data-device': d.deviceId },
      el('td', {}, d.deviceId),
      el('td', {}, el('span', { class: 'dot' + (connected ? ' on' : '') }), connected ? `connected (${d.connected})` : 'offline'),
      el('td', {}, d.auth || '—'), el('td', {}, time(d.lastActivity)), el('td', {}, d.in), el('td', {}, d.out),
      el('td', {}, d.reconnects), el('td', {}, d.renewals), el('td', {}, d.c2dQueued),
      el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: () => copyConnectionString(d.deviceId) }, 'Connection string'))));
    for (const m of d.modules) {
      const id = `${d.deviceId}/${m.moduleId}`;
      body.append(el('tr', { class: 'module', 'data-device': id }, el('td', {}, m.moduleId), el('td', {}, m.methods ? 'methods attached' : ''),
        el('td', {}), el('td', {}), el('td', {}), el('td', {}), el('td', {}), el('td', {}), el('td', {}),
        el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: () => copyConnectionString(id) }, 'Connection string'))));
    }
  }
}

async function copyConnectionString(id) {
  try {
    const r = await api(`api/devices/${id.split('/').map(encodeURIComponent).join('%2F')}/connection-string`);
    showConnectionString(r.connectionString);
  } catch (e) { $('devices-error').textContent = e.message; }
}

function showConnectionString(cs) {
  const out = $('cs-output');
  out.value = cs;
  out.select();
  if (navigator.clipboard) navigator.clipboard.writeText(cs).catch(() => { /* selected: Ctrl+C works */ });
}

const kb = (n) => (n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : (n / 1024).toFixed(1) + ' KB');

function renderHealth() {
  const h = state.health;
  if (!h || h.connections === undefined) return;
  $('h-connections').textContent = `${h.connections} / ${h.maxConnections}`;
  $('h-auth').textContent = h.authenticated;
  $('h-unauth').textContent = `${h.unauthenticated} / ${h.maxUnauthenticated}`;
  $('h-rate').textContent = h.messagesPerSecond;
  const m = h.memory;
  const bar = (label, b) => el('div', { class: 'bar' }, el('span', {}, `${label}: ${kb(b.used)} of ${kb(b.max)}`),
    el('div', { class: 'track' }, el('div', { class: 'fill', style: `width:${Math.min(100, (100 * b.used) / Math.max(1, b.max)).toFixed(1)}%` })));
  $('h-memory').replaceChildren(bar('Telemetry kept for observation', m.observedTelemetry), bar('Event Hubs partitions', m.partitions),
    bar('C2D queues', m.c2d), el('p', { class: 'hint' }, `Process: managed heap ${kb(m.managedHeap)}, working set ${kb(m.workingSet)}.`));
  renderRefusals();
}

let refusalsShown = -1;
function renderRefusals() {
  const key = state.refusals.length ? state.refusals[state.refusals.length - 1].time + state.refusals.length : '';
  if (key === refusalsShown) return;
  refusalsShown = key;
  const body = $('refusals').tBodies[0];
  body.replaceChildren();
  for (const r of state.refusals.slice().reverse()) {
    body.append(el('tr', {}, el('td', {}, time(r.time)), el('td', {}, r.kind), el('td', {}, r.connectionId || ''),
      el('td', {}, r.deviceId || r.address || ''), el('td', {}, r.condition || ''), el('td', { class: 'reason' }, r.reason || '')));
  }
}

function showView(name) {
  for (const b of document.querySelectorAll('nav button')) b.classList.toggle('active', b.dataset.view === name);
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== 'view-' + name;
  LC.onView(name);
}

document.addEventListener('DOMContentLoaded', () => {
  for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => showView(b.dataset.view));
  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    $('login-error').textContent = '';
    signIn($('credential').value).catch((err) => { token = null; $('login-error').textContent = err.message; });
  });
  $('sign-out').addEventListener('click', () => signOut(''));
  $('add-device').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('devices-error').textContent = '';
    const moduleId = $('new-module-id').value.trim();
    try {
      const r = await api('api/devices', { method: 'POST', body: { deviceId: $('new-device-id').value.trim(), moduleId: moduleId || undefined } });
      showConnectionString(r.connectionString);
      $('new-device-id').value = ''; $('new-module-id').value = '';
      applyState(await api('api/state', { session: true }));
    } catch (err) { $('devices-error').textContent = err.message; }
  });
  LC.init();
  if (token) {
    showSignedIn(true);
    api('api/state', { session: true }).then((s) => { applyState(s); stream(++streamGeneration); }).catch((e) => signOut(e.message));
  } else showSignedIn(false);
});
