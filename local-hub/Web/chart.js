'use strict';
// A small self-drawn chart on a canvas: messages per second (bars) and one numeric field (line), last 60 s.
(function () {
  const WINDOW_MS = 60000;

  function Chart(canvas) {
    this.canvas = canvas;
    this.rates = new Map();   // second -> count
    this.values = [];         // [time ms, number]
    this.field = '';
  }

  Chart.prototype.countMessage = function (ms) {
    const s = Math.floor(ms / 1000);
    this.rates.set(s, (this.rates.get(s) || 0) + 1);
  };

  /** A whole second's count, from the hub's own counters (exact even when live messages are thinned out). */
  Chart.prototype.setRate = function (ms, n) { this.rates.set(Math.floor(ms / 1000), n); };

  Chart.prototype.addValue = function (ms, v) {
    this.values.push([ms, v]);
    if (this.values.length > 2000) this.values.shift();
  };

  Chart.prototype.clear = function () { this.rates.clear(); this.values = []; };

  Chart.prototype.draw = function () {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(200, c.clientWidth), h = Math.max(120, c.clientHeight);
    if (c.width !== Math.round(w * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const now = Date.now(), start = now - WINDOW_MS;
    const left = 44, right = w - 44, top = 16, bottom = h - 18;
    const x = (ms) => left + ((ms - start) / WINDOW_MS) * (right - left);
    g.font = '11px system-ui, sans-serif';
    g.strokeStyle = '#d9dee7'; g.fillStyle = '#667085';
    g.beginPath(); g.moveTo(left, bottom); g.lineTo(right, bottom); g.stroke();
    for (let t = 0; t <= 60; t += 15) g.fillText(`-${60 - t}s`, x(start + t * 1000) - 10, h - 4);
    // Rates: bars against the left axis.
    for (const s of this.rates.keys()) if (s * 1000 < start - 1000) this.rates.delete(s);
    const maxRate = Math.max(1, ...this.rates.values());
    const barW = Math.max(1, (right - left) / 60 - 1);
    g.fillStyle = 'rgba(36, 88, 211, 0.35)';
    for (const [s, n] of this.rates) {
      const bh = ((bottom - top) * n) / maxRate;
      g.fillRect(x(s * 1000), bottom - bh, barW, bh);
    }
    g.fillStyle = '#2458d3';
    g.fillText(`${maxRate} msg/s`, 2, top + 4);
    g.fillText('0', 2, bottom);
    // The numeric field: a line against the right axis.
    const pts = this.values.filter((p) => p[0] >= start);
    if (this.field) {
      g.fillStyle = '#c05621';
      g.fillText(this.field, right - 100, top - 4);
      if (pts.length) {
        let lo = Math.min(...pts.map((p) => p[1])), hi = Math.max(...pts.map((p) => p[1]));
        if (lo === hi) { lo -= 1; hi += 1; }
        const y = (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);
        g.strokeStyle = '#c05621'; g.lineWidth = 2;
        g.beginPath();
        pts.forEach((p, i) => (i ? g.lineTo(x(p[0]), y(p[1])) : g.moveTo(x(p[0]), y(p[1]))));
        g.stroke(); g.lineWidth = 1;
        for (const p of pts) g.fillRect(x(p[0]) - 1.5, y(p[1]) - 1.5, 3, 3);
        g.fillText(String(+hi.toPrecision(6)), right + 4, top + 4);
        g.fillText(String(+lo.toPrecision(6)), right + 4, bottom);
      }
    }
  };

  window.LocalConsole = window.LocalConsole || {};
  window.LocalConsole.Chart = Chart;
})();
