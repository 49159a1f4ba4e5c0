'use strict';
// Telemetry and commands views (C2D with feedback, direct methods, twin).
(function () {
  const LC = window.LocalConsole = window.LocalConsole || {};
  const $ = (id) => document.getElementById(id);
  const el = (...a) => LC.el(...a);
  const MAX_SHOWN = 200;
  let paused = false, missed = 0, chart = null, lastIn = null, skippedBase = null, skipped = 0;
  const sent = new Map();   // message-id -> row of the C2D table

  // ---- telemetry ----

  function matches(t) {
    const device = $('tel-device').value;
    if (device && t.deviceId !== device) return false;
    const f = $('tel-filter').value.trim().toLowerCase();
    if (!f) return true;
    const hay = [t.deviceId, t.bodyText || t.bodyHex || '', JSON.stringify(t.properties), JSON.stringify(t.applicationProperties)].join(' ');
    return hay.toLowerCase().includes(f);
  }

  function fieldValue(t, path) {
    if (!path || t.bodyText === undefined || t.truncated) return undefined;
    let v;
    try { v = JSON.parse(t.bodyText); } catch { return undefined; }
    for (const k of path.split('.')) { if (v === null || typeof v !== 'object') return undefined; v = v[k]; }
    return typeof v === 'number' && isFinite(v) ? v : undefined;
  }

  function table(title, map) {
    const rows = Object.entries(map || {});
    if (!rows.length) return null;
    return el('div', {}, el('b', {}, title), el('table', {}, el('tbody', {}, ...rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v === null ? 'null' : v))))));
  }

  function card(t) {
    const body = t.bodyText !== undefined ? t.bodyText : t.bodyHex;
    const shown = t.bodyText !== undefined ? `${t.bodyText.length} characters` : `${t.bodyHex.length / 2} bytes (hex)`;
    return el('div', { class: 'msg', 'data-seq': `${t.partition}:${t.sequenceNumber}` },
      el('div', { class: 'meta' }, `${t.deviceId}${t.moduleId ? '/' + t.moduleId : ''} · ${new Date(t.enqueuedTime).toLocaleTimeString()} · `
        + `partition ${t.partition} · seq ${t.sequenceNumber} · ${t.bodyLength} bytes${t.fromBatch ? ' · batch' : ''}${t.bodyText === undefined ? ' · binary' : ''}`),
      el('pre', { class: 'body' }, body),
      t.truncated ? el('div', { class: 'cut' }, `cut: ${shown} shown of ${t.bodyLength} bytes`) : null,
      el('details', {}, el('summary', {}, 'properties, application properties, annotations'),
        table('Properties', t.properties), table('Application properties', t.applicationProperties), table('Annotations', t.annotations)));
  }

  LC.resetTelemetry = function () {
    const list = $('tel-list');
    list.replaceChildren();
    const shown = LC.state.telemetry.filter(matches).slice(-MAX_SHOWN);
    for (let i = shown.length - 1; i >= 0; i--) list.append(card(shown[i]));
    missed = 0;
    lastIn = null;
    status();
    if (chart) {
      chart.clear();
      chart.field = $('chart-field').value.trim();
      for (const t of LC.state.telemetry.filter(matches)) {
        const ms = Date.parse(t.enqueuedTime);
        chart.countMessage(ms);
        const v = fieldValue(t, chart.field);
        if (v !== undefined) chart.addValue(ms, v);
      }
      chart.draw();
    }
  };

  LC.onTelemetry = function (t) {
    const all = LC.state.telemetry;
    all.push(t);
    if (all.length > MAX_SHOWN) all.shift();
    if (!matches(t)) return;
    const v = fieldValue(t, chart.field);
    if (v !== undefined) chart.addValue(Date.parse(t.enqueuedTime), v);
    if (paused) { missed++; status(); return; }
    const list = $('tel-list');
    list.prepend(card(t));
    while (list.children.length > MAX_SHOWN) list.lastChild.remove();
  };

  /** Each second: the rate bar from the devices' "in" counters, and how many messages the hub did not push live. */
  LC.onStats = function () {
    const device = $('tel-device').value;
    let total = 0;
    for (const d of LC.state.devices) if (!device || d.deviceId === device) total += d.in;
    if (lastIn !== null && total >= lastIn) chart.setRate(Date.now() - 1000, total - lastIn);
    lastIn = total;
    const h = LC.state.health;
    if (skippedBase === null) skippedBase = h.liveTelemetrySkipped || 0;
    skipped = (h.liveTelemetrySkipped || 0) - skippedBase;
    status();
  };

  function status() {
    const thinned = skipped > 0 ? `${skipped} messages not shown live (over ${LC.state.health.liveTelemetryPerSecond}/s; counted in the chart)` : '';
    $('tel-status').textContent = [paused ? `paused, ${missed} new` : '', thinned].filter(Boolean).join(' · ');
    $('tel-pause').textContent = paused ? 'Resume' : 'Pause';
  }

  // ---- devices in the selects ----

  LC.onDevices = function () {
    const ids = [];
    for (const d of LC.state.devices) { ids.push(d.deviceId); for (const m of d.modules) ids.push(`${d.deviceId}/${m.moduleId}`); }
    for (const [sel, withAll] of [[$('tel-device'), true], [$('cmd-device'), false]]) {
      const want = (withAll ? [''] : []).concat(ids.filter((i) => withAll ? !i.includes('/') : true));
      const have = Array.from(sel.options).map((o) => o.value);
      if (want.join('\n') === have.join('\n')) continue;
      const current = sel.value;
      sel.replaceChildren(...want.map((v) => el('option', { value: v }, v || 'all devices')));
      if (want.includes(current)) sel.value = current;
    }
  };

  // ---- C2D ----

  function parseProps(text) {
    const props = {};
    for (const line of text.split('\n')) {
      const t = line.trim();
      if (!t) continue;
      const i = t.indexOf('=');
      if (i <= 0) throw new Error(`Property line "${t}" is not key=value.`);
      props[t.slice(0, i).trim()] = t.slice(i + 1).trim();
    }
    return props;
  }

  function addSentRow(id, device, ack) {
    const outcome = el('td', { class: 'outcome' }, 'queued');
    const row = el('tr', { 'data-message-id': id }, el('td', {}, id), el('td', {}, device), el('td', {}, ack), outcome);
    $('c2d-list').tBodies[0].prepend(row);
    sent.set(id, outcome);
    while (sent.size > 100) sent.delete(sent.keys().next().value);
    // The device may settle it before the send's answer comes back.
    const done = LC.state.c2d.filter((o) => o.messageId === id).pop();
    if (done) showOutcome(outcome, done);
  }

  function showOutcome(cell, o) {
    cell.replaceChildren(el('span', { class: 'status-' + o.status }, o.status), o.feedback ? ' · feedback sent' : ' · no feedback (ack ' + o.ack + ')');
  }

  LC.onC2d = function (o) {
    LC.state.c2d.push(o);
    if (LC.state.c2d.length > 100) LC.state.c2d.shift();
    const cell = sent.get(o.messageId);
    if (cell) showOutcome(cell, o);
  };

  LC.resetC2d = function () {
    for (const o of LC.state.c2d) { const cell = sent.get(o.messageId); if (cell) showOutcome(cell, o); }
  };

  const deviceParts = () => { const v = $('cmd-device').value; const i = v.indexOf('/'); return i < 0 ? [v, null] : [v.slice(0, i), v.slice(i + 1)]; };
  const twinPath = () => { const [d, m] = deviceParts(); return '/twins/' + encodeURIComponent(d) + (m ? '/modules/' + encodeURIComponent(m) : ''); };

  // ---- twin ----

  const pretty = (v) => JSON.stringify(v === undefined ? null : v, null, 2);

  async function loadTwin() {
    $('twin-error').textContent = '';
    if (!$('cmd-device').value) return;
    try {
      const t = await LC.api(twinPath() + '?api-version=2021-04-12');
      $('twin-desired-view').textContent = pretty(t.properties.desired);
      $('twin-reported').textContent = pretty(t.properties.reported);
      $('twin-version').textContent = `etag ${t.etag} · ${t.connectionState}`;
    } catch (e) { $('twin-error').textContent = e.message; }
  }

  LC.onHubEvent = function (e) {
    // A reported patch or a desired change on the selected identity: show the twin as it is now.
    if (e.kind !== 'TwinRequest' || !/PATCH/.test(e.reason || '')) return;
    const [d, m] = deviceParts();
    if (e.address === (m ? `${d}/${m}` : d) && !$('view-commands').hidden) loadTwin();
  };

  LC.onView = function (name) {
    if (name === 'commands') loadTwin();
    if (name === 'telemetry') chart.draw();
  };

  LC.init = function () {
    chart = new LC.Chart($('chart'));
    setInterval(() => { if (!$('view-telemetry').hidden) chart.draw(); }, 1000);
    $('tel-pause').addEventListener('click', () => { paused = !paused; if (!paused) LC.resetTelemetry(); else status(); });
    for (const id of ['tel-device', 'tel-filter', 'chart-field']) $(id).addEventListener('input', () => LC.resetTelemetry());
    $('cmd-device').addEventListener('change', loadTwin);
    $('twin-load').addEventListener('click', loadTwin);

    $('c2d-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      $('c2d-error').textContent = '';
      const [device, module] = deviceParts();
      if (module) { $('c2d-error').textContent = 'C2D messages go to devices: the hub has no module C2D queue. Pick the device.'; return; }
      try {
        const body = { body: $('c2d-body').value, messageId: $('c2d-id').value.trim() || undefined, ack: $('c2d-ack').value,
          ttlSeconds: Number($('c2d-ttl').value) || 0, properties: parseProps($('c2d-props').value) };
        const r = await LC.api(`api/devices/${encodeURIComponent(device)}/messages`, { method: 'POST', body });
        addSentRow(r.messageId, device, r.ack);
        $('c2d-id').value = '';
      } catch (err) { $('c2d-error').textContent = err.message; }
    });

    $('method-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      $('method-status').textContent = 'calling…';
      $('method-result').textContent = '';
      try {
        const payload = JSON.parse($('method-payload').value || 'null');
        const r = await LC.api(twinPath() + '/methods?api-version=2021-04-12', { method: 'POST',
          body: { methodName: $('method-name').value.trim(), payload, responseTimeoutInSeconds: Number($('method-timeout').value) || 30 } });
        $('method-status').textContent = `status ${r.status}`;
        $('method-result').textContent = pretty(r.payload);
      } catch (err) { $('method-status').textContent = err instanceof SyntaxError ? 'payload is not JSON: ' + err.message : err.message; }
    });

    $('twin-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      $('twin-error').textContent = '';
      try {
        const desired = JSON.parse($('twin-desired').value);
        await LC.api(twinPath() + '?api-version=2021-04-12', { method: 'PATCH', body: { properties: { desired } } });
        await loadTwin();
      } catch (err) { $('twin-error').textContent = err.message; }
    });
  };
})();
