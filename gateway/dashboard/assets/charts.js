// Small SVG line charts for the dashboard: a fixed time window, one polyline per series, a few
// grid lines with round values. No dependencies: the gateway serves this file from its binary.
'use strict';

(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const WIDTH = 600;
  const HEIGHT = 170;
  const LEFT = 44;
  const RIGHT = 8;
  const TOP = 8;
  const BOTTOM = 20;

  function element(name, attributes) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  // The smallest "round" number (1, 2, 5 times a power of ten) at or above `value`.
  function niceCeiling(value) {
    if (!(value > 0)) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 5, 10]) {
      if (value <= step * power) return step * power;
    }
    return 10 * power;
  }

  function formatValue(value) {
    if (value >= 1e6) return (value / 1e6).toFixed(value >= 1e7 ? 0 : 1) + 'M';
    if (value >= 1e3) return (value / 1e3).toFixed(value >= 1e4 ? 0 : 1) + 'k';
    if (value >= 10 || Number.isInteger(value)) return String(Math.round(value));
    return value.toFixed(1);
  }

  class LineChart {
    // `figure`: the <figure> to draw in (its <figcaption> gets the legend).
    // `series`: [{key, label, color}].
    constructor(figure, series) {
      this.series = series;
      const caption = figure.querySelector('figcaption');
      for (const s of series) {
        const legend = document.createElement('span');
        legend.className = 'legend';
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = s.color;
        legend.append(swatch, document.createTextNode(s.label));
        caption.append(legend);
      }
      this.svg = element('svg', {viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none',
                                 role: 'img'});
      figure.append(this.svg);
    }

    // `points`: [{time_ms, values: {key: number}}], oldest first; drawn over the window that
    // ends at `end_ms` and lasts `span_ms`.
    render(points, end_ms, span_ms) {
      const svg = this.svg;
      while (svg.firstChild) svg.firstChild.remove();
      const start_ms = end_ms - span_ms;
      let max = 0;
      for (const p of points) {
        for (const s of this.series) max = Math.max(max, p.values[s.key] || 0);
      }
      const top = niceCeiling(max);
      const x = (t) => LEFT + ((t - start_ms) / span_ms) * (WIDTH - LEFT - RIGHT);
      const y = (v) => TOP + (1 - v / top) * (HEIGHT - TOP - BOTTOM);
      for (const fraction of [0, 0.5, 1]) {
        const value = top * fraction;
        svg.append(element('line', {class: 'grid-line', x1: LEFT, x2: WIDTH - RIGHT,
                                    y1: y(value), y2: y(value)}));
        const label = element('text', {class: 'axis-label', x: LEFT - 6, y: y(value) + 3,
                                       'text-anchor': 'end'});
        label.textContent = formatValue(value);
        svg.append(label);
      }
      for (const minutes of [60, 45, 30, 15, 0]) {
        const t = end_ms - minutes * 60000;
        const label = element('text', {class: 'axis-label', x: x(t), y: HEIGHT - 5,
                                       'text-anchor': minutes === 60 ? 'start' :
                                                      minutes === 0 ? 'end' : 'middle'});
        label.textContent = minutes === 0 ? 'now' : `-${minutes} min`;
        svg.append(label);
      }
      const visible = points.filter((p) => p.time_ms >= start_ms);
      for (const s of this.series) {
        const coordinates = visible.map((p) => `${x(p.time_ms).toFixed(1)},${y(p.values[s.key] || 0).toFixed(1)}`);
        const line = element('polyline', {class: 'series', stroke: s.color,
                                          points: coordinates.join(' '), 'data-key': s.key});
        svg.append(line);
        // What the page shows, for whoever reads the chart without eyes (tests, scripts).
        const last = visible.length ? visible[visible.length - 1].values[s.key] || 0 : 0;
        svg.dataset['last_' + s.key] = String(last);
        svg.dataset['peak_' + s.key] = String(Math.max(0, ...visible.map((p) => p.values[s.key] || 0)));
      }
      svg.dataset.points = String(visible.length);
    }
  }

  window.LineChart = LineChart;
  window.formatValue = formatValue;
})();
