// SVG charts for the dashboard: horizontal bars (categories) and columns (months). Every bar has
// its number written beside it, so the chart reads without colour and without hovering, and every
// chart comes with a table of the same numbers for screen readers and for copying. Charts draw at
// the width they are given (1 SVG unit = 1 CSS pixel) so text stays readable on a phone; they
// redraw when their box changes width.
'use strict';

const KQCharts = (() => {
  const { el, countText } = KQ;
  let serial = 0;

  /** Draws into `figure` whenever its width changes; `draw(width)` returns the SVG. */
  function responsive(figure, draw) {
    const holder = el('div', { class: 'chart-canvas' });
    figure.append(holder);
    let lastWidth = 0;
    const redraw = () => {
      const width = Math.max(260, Math.min(Math.floor(holder.clientWidth || figure.clientWidth || 320), 760));
      if (width === lastWidth) return;
      lastWidth = width;
      KQ.fill(holder, draw(width));
    };
    if ('ResizeObserver' in window) new ResizeObserver(redraw).observe(holder);
    requestAnimationFrame(redraw);
    return holder;
  }

  function numbersTable(caption, headers, rows) {
    return el('details', { class: 'numbers' },
      el('summary', {}, KQ.t('chart.asTable')),
      KQ.tableWrap(
        el('table', {},
          el('caption', {}, caption),
          el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { scope: 'col', class: i > 0 ? 'num' : null }, h)))),
          el('tbody', {}, rows.map(r => el('tr', {}, r.map((c, i) => i === 0 ? el('th', { scope: 'row' }, c) : el('td', { class: 'num' }, c))))))));
  }

  /**
   * A captioned figure whose SVG `draw(width, id)` makes, followed by the table of its numbers
   * (spec.rows: { label, count }).
   */
  function chartWithTable(spec, draw) {
    const id = `chart-${++serial}`;
    const figure = el('figure', { class: 'chart', 'aria-labelledby': `${id}-caption` },
      el('figcaption', { id: `${id}-caption` }, spec.title));
    responsive(figure, width => draw(width, id));
    figure.append(numbersTable(spec.title, [spec.labelHeader || '', spec.valueHeader || KQ.t('chart.value')],
      spec.rows.map(r => [r.label, countText(r.count)])));
    return figure;
  }

  /**
   * Horizontal bars: { title, description, rows: [{ label, count: {value, marker} }], valueHeader }.
   * A suppressed count has no bar, only its marker, so no length hints at a hidden number.
   */
  function bars(spec) {
    const max = Math.max(1, ...spec.rows.map(r => r.count.value ?? 0));
    return chartWithTable(spec, (width, id) => {
      const rowHeight = 44;
      const height = spec.rows.length * rowHeight + 8;
      const valueRoom = 84;
      const barRoom = width - valueRoom;
      const svg = el('svg', {
        width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title`,
      }, el('title', { id: `${id}-title` }, `${spec.title}. ${spec.description || KQ.t('chart.seeTable')}`));
      spec.rows.forEach((row, i) => {
        const y = i * rowHeight + 4;
        svg.append(el('text', { x: 0, y: y + 14 }, row.label));
        const value = row.count.value;
        const length = value === null || value === undefined ? 0 : Math.max(value > 0 ? 2 : 0, Math.round(barRoom * value / max));
        if (length > 0) svg.append(el('rect', { class: 'bar', x: 0, y: y + 20, width: length, height: 16, rx: 2 }));
        svg.append(el('text', { x: length + 6, y: y + 33, 'font-weight': '700' }, countText(row.count)));
      });
      return svg;
    });
  }

  /** Columns over time: { title, description, rows: [{ label, count }], valueHeader }. */
  function columns(spec) {
    const max = Math.max(1, ...spec.rows.map(r => r.count.value ?? 0));
    return chartWithTable(spec, (width, id) => {
      const height = 220;
      const top = 24;
      const bottom = 40;
      const plot = height - top - bottom;
      const slot = Math.min(90, width / Math.max(1, spec.rows.length));
      const svg = el('svg', {
        width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title`,
      }, el('title', { id: `${id}-title` }, `${spec.title}. ${spec.description || KQ.t('chart.seeTable')}`),
      el('line', { class: 'axis', x1: 0, x2: width, y1: top + plot, y2: top + plot }));
      spec.rows.forEach((row, i) => {
        const x = i * slot;
        const value = row.count.value;
        const h = value === null || value === undefined ? 0 : Math.max(value > 0 ? 2 : 0, Math.round(plot * value / max));
        if (h > 0) svg.append(el('rect', { class: 'bar', x: x + slot * 0.15, y: top + plot - h, width: slot * 0.7, height: h, rx: 2 }));
        svg.append(el('text', { x: x + slot / 2, y: top + plot - h - 6, 'text-anchor': 'middle', 'font-weight': '700' }, countText(row.count)));
        // Month labels: every one when they fit, else every few.
        const every = Math.ceil(56 / slot);
        if (i % every === 0) svg.append(el('text', { x: x + slot / 2, y: height - bottom + 18, 'text-anchor': 'middle' }, row.shortLabel || row.label));
      });
      return svg;
    });
  }

  /**
   * The share of enrolments by the algorithm as a band from `min` to `max` (basis points) on a
   * 0–100 % scale, with the target marked by a line and a label: the band is all the published
   * counts allow one to say.
   */
  function shareBand(spec) {
    const id = `chart-${++serial}`;
    const figure = el('figure', { class: 'chart', 'aria-labelledby': `${id}-caption` },
      el('figcaption', { id: `${id}-caption` }, spec.title));
    responsive(figure, width => {
      const height = 70;
      const x = bp => Math.round((width - 2) * bp / 10000) + 1;
      const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title` },
        el('title', { id: `${id}-title` }, `${spec.title}. ${spec.description}`),
        el('rect', { x: 1, y: 22, width: width - 2, height: 18, fill: 'none', stroke: '#4a5561' }),
        el('rect', { class: 'bar', x: x(spec.min), y: 22, width: Math.max(2, x(spec.max) - x(spec.min)), height: 18 }),
        el('line', { x1: x(spec.target), x2: x(spec.target), y1: 14, y2: 48, stroke: '#1b1f24', 'stroke-width': 2, 'stroke-dasharray': '4 2' }),
        el('text', { x: Math.min(x(spec.target), width - 4), y: 11, 'text-anchor': 'end' }, spec.targetLabel),
        el('text', { x: 1, y: 64 }, '0 %'),
        el('text', { x: width - 1, y: 64, 'text-anchor': 'end' }, '100 %'));
      return svg;
    });
    return figure;
  }

  KQ.addTexts({
    ru: { 'chart.asTable': 'Показать числа таблицей', 'chart.value': 'Число', 'chart.seeTable': 'Числа — в таблице под графиком.' },
    en: { 'chart.asTable': 'Show the numbers as a table', 'chart.value': 'Number', 'chart.seeTable': 'The numbers are in the table below the chart.' },
  });

  return { bars, columns, shareBand };
})();
