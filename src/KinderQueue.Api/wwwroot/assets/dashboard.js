// The public dashboard: everything /api/v1/public/dashboard publishes, as charts with their
// numbers and as tables, in plain words, and the monthly count of reads of personal data
// (/api/v1/public/private-reads). It shows exactly the published values: a suppressed queue cell
// stays "< 5" or "скрыто", and any sum we show is of published values only (so it reveals nothing
// the API does not). Enrolments, their share, months and channels are exact.
'use strict';

(() => {
  const { el, t, fill } = KQ;
  const MEASURES = ['waitingNow', 'waitingLater', 'offered', 'enrolled'];
  let data = null;
  let reads = null; // /api/v1/public/private-reads, or { failed } when it could not be loaded
  let signalsDoc = null; // /api/v1/public/signals, or { failed }
  const PAGE = 25; // kindergarten rows shown at a time: 100 kindergartens × 5 groups is too long a page
  const view = { measure: 'waitingNow', search: '', group: '', limit: PAGE };

  /** A count inside a QueueCounts object: { byTier: {tier: n|null}, total, suppressed?: {...} }. */
  const tierCount = (counts, tier) => KQ.countOf(counts?.byTier?.[tier], counts?.suppressed?.byTier?.[tier]);
  const totalCount = counts => KQ.countOf(counts?.total, counts?.suppressed?.total);
  const fieldCount = (row, key) => KQ.countOf(row?.[key], row?.suppressed?.[key]);
  const cellOf = count => KQ.countCell(count);

  const { groupName, tierName } = KQ;
  const districtName = id => data.register.districts.find(d => d.id === id)?.name ?? id;

  /** Σ of published values; { value, atLeast } where atLeast means some addends were suppressed. */
  function sumOf(counts) {
    let value = 0;
    let atLeast = false;
    for (const c of counts) {
      if (c.value === null) atLeast = true;
      else value += c.value;
    }
    return { value, atLeast };
  }

  function sumText(sum) {
    return sum.atLeast ? t('sum.atLeast', { n: KQ.number(sum.value) }) : KQ.number(sum.value);
  }

  async function load() {
    const root = document.getElementById('dashboard');
    const result = await KQ.getJson('/api/v1/public/dashboard');
    if (!result.ok || !result.body) {
      fill(root, el('div', { class: 'message bad', role: 'alert' },
        el('strong', {}, t('dash.failed')), el('p', {}, KQ.failureMessage(result)),
        el('button', { type: 'button', class: 'secondary', onclick: load }, t('dash.retry'))));
      return;
    }
    data = result.body;
    render();
    loadReads();
    loadSignals();
    // A link to a section ("/#kindergartens-h", from a kindergarten's page) names an element that
    // exists only now: the browser looked for it before the data came.
    let target = null;
    try { target = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null; } catch { /* a malformed address: stay on top */ }
    target?.scrollIntoView();
  }

  function render() {
    if (!data) return;
    const root = document.getElementById('dashboard');
    root.setAttribute('aria-busy', 'true');
    fill(root,
      summary(),
      byGroupSection(),
      byDistrictSection(),
      waitingSection(),
      dynamicsSection(),
      shareSection(),
      signalSummarySection(),
      signalsSection(),
      readsSection(),
      kindergartenSection(),
      el('p', { class: 'muted' }, t('dash.suppressionNote', { threshold: data.threshold })));
    root.removeAttribute('aria-busy');
  }

  // ------------------------------------------------------------------ summary

  function summary() {
    const region = data.queues.region;
    // A hidden region total still has a floor everyone can add up: the age groups' published totals.
    const floor = m => sumOf(data.queues.regionByGroup.map(r => totalCount(r[m])));
    const value = (count, m) => {
      const least = count.value === null && count.marker === 'hidden' ? floor(m).value : 0;
      if (least === 0) return cellOf(count);
      return el('span', { class: 'count hidden', title: t('cell.hidden.title') }, t('sum.atLeast', { n: KQ.number(least) }));
    };
    const figure = (metric, count, label, m) => el('li', { class: 'figure', 'data-metric': metric },
      el('span', { class: 'value' }, value(count, m)), el('span', { class: 'label' }, label));
    const share = data.enrolments.allTime.share;
    return el('section', { 'aria-labelledby': 'summary-h' },
      el('p', { class: 'lead', id: 'summary-h' }, t('dash.asOf', {
        date: KQ.date(data.asOf), entries: data.basis, criteria: data.criteria ?? '—',
      })),
      // The region's headline metric: exact, with its verdict (every enrolment is an entry of the log).
      el('p', { class: `headline ${share ? (share.met ? 'good' : 'bad') : ''}`, 'data-metric': 'headline.share' },
        el('strong', {}, t('share.headline')), ' ', shareText(share)),
      region ? el('ul', { class: 'figures' },
        MEASURES.map(m => figure(`region.${m}`, totalCount(region[m]), t(`measure.${m}.long`), m)))
        : el('p', {}, t('dash.noCriteria')));
  }

  // ------------------------------------------------------------------ by age group and tier

  function measureSelect(id) {
    return el('div', {},
      el('label', { for: id }, t('dash.measure')),
      el('select', { id, onchange: e => { view.measure = e.target.value; render(); document.getElementById(id)?.focus(); } },
        MEASURES.map(m => el('option', { value: m, selected: m === view.measure }, t(`measure.${m}`)))));
  }

  function byGroupSection() {
    const rows = data.queues.regionByGroup;
    const m = view.measure;
    return el('section', { 'aria-labelledby': 'groups-h' },
      el('h2', { id: 'groups-h' }, t('dash.byGroup')),
      el('p', {}, t(`measure.${m}.explain`)),
      measureSelect('measure-groups'),
      KQCharts.bars({
        title: t('dash.byGroup.chart', { measure: t(`measure.${m}`) }),
        labelHeader: t('dash.group'), valueHeader: t(`measure.${m}`),
        rows: rows.map(r => ({ label: groupName(r.group), count: totalCount(r[m]) })),
      }),
      KQ.tableWrap(
        el('table', { id: 'groups-table', 'data-measure': m },
          el('caption', {}, t('dash.byGroup.table', { measure: t(`measure.${m}`) })),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('dash.group')),
            data.tiers.map(tier => el('th', { scope: 'col', class: 'num' }, tierName(tier))),
            el('th', { scope: 'col', class: 'num' }, t('total')))),
          el('tbody', {}, rows.map(r => el('tr', { 'data-group': r.group },
            el('th', { scope: 'row' }, groupName(r.group)),
            data.tiers.map(tier => el('td', { class: 'num', 'data-tier': tier }, cellOf(tierCount(r[m], tier)))),
            el('td', { class: 'num', 'data-tier': 'total' }, cellOf(totalCount(r[m]))))))))); 
  }

  // ------------------------------------------------------------------ by district

  function byDistrictSection() {
    const m = view.measure;
    const districts = data.register.districts;
    const row = (d, g) => data.queues.districts.find(r => r.district === d && r.group === g);
    return el('section', { 'aria-labelledby': 'districts-h' },
      el('h2', { id: 'districts-h' }, t('dash.byDistrict')),
      el('p', {}, t('dash.byDistrict.explain')),
      measureSelect('measure-districts'),
      KQ.tableWrap(
        el('table', { id: 'districts-table', 'data-measure': m },
          el('caption', {}, t('dash.byDistrict.table', { measure: t(`measure.${m}`) })),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('dash.district')),
            data.groups.map(g => el('th', { scope: 'col', class: 'num' }, groupName(g))))),
          el('tbody', {}, districts.map(d => el('tr', { 'data-district': d.id },
            el('th', { scope: 'row' }, d.name),
            data.groups.map(g => el('td', { class: 'num', 'data-group': g }, cellOf(totalCount(row(d.id, g)?.[m]))))))))));
  }

  // ------------------------------------------------------------------ waiting time

  function waitingSection() {
    const w = data.waitingTimes;
    const days = n => (n === null || n === undefined ? '—' : t('days', { n: KQ.number(n) }));
    const anyOffer = w.region.median !== null && w.region.median !== undefined;
    return el('section', { 'aria-labelledby': 'waiting-h' },
      el('h2', { id: 'waiting-h' }, t('dash.waiting')),
      el('p', {}, t('dash.waiting.explain', { from: KQ.date(w.from), to: KQ.date(w.to) })),
      anyOffer ? el('p', { 'data-metric': 'waiting.region' }, t('dash.waiting.region', { median: days(w.region.median), p90: days(w.region.p90) }))
        : el('p', {}, t('dash.waiting.none')),
      KQCharts.bars({
        title: t('dash.waiting.chart'), labelHeader: t('dash.district'), valueHeader: t('dash.median'),
        rows: w.districts.map(d => ({ label: districtName(d.district), count: KQ.countOf(d.median, 'hidden') })),
      }),
      KQ.tableWrap(
        el('table', { id: 'waiting-table' },
          el('caption', {}, t('dash.waiting.table')),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('dash.district')),
            el('th', { scope: 'col', class: 'num' }, t('dash.median')), el('th', { scope: 'col', class: 'num' }, t('dash.p90')))),
          el('tbody', {}, w.districts.map(d => el('tr', { 'data-district': d.district },
            el('th', { scope: 'row' }, districtName(d.district)),
            el('td', { class: 'num' }, days(d.median)), el('td', { class: 'num' }, days(d.p90))))))));
  }

  // ------------------------------------------------------------------ dynamics, declines and expiries

  const FLOWS = ['submitted', 'offers', 'declined', 'expired', 'enrolments', 'withdrawals', 'waitingAtEnd'];

  function dynamicsSection() {
    const months = data.months;
    const label = m => KQ.month(m.month) + (m.complete ? '' : ` ${t('month.soFar')}`);
    const declined = sumOf(months.map(m => fieldCount(m, 'declined')));
    const expired = sumOf(months.map(m => fieldCount(m, 'expired')));
    const offers = sumOf(months.map(m => fieldCount(m, 'offers')));
    return el('section', { 'aria-labelledby': 'dynamics-h' },
      el('h2', { id: 'dynamics-h' }, t('dash.dynamics')),
      months.length === 0 ? el('p', {}, t('dash.dynamics.none')) : [
        KQCharts.columns({
          title: t('dash.dynamics.chart'), labelHeader: t('month'), valueHeader: t('flow.waitingAtEnd'),
          rows: months.map(m => ({ label: label(m), shortLabel: KQ.month(m.month, false), count: fieldCount(m, 'waitingAtEnd') })),
        }),
        KQ.tableWrap(
          el('table', { id: 'months-table' },
            el('caption', {}, t('dash.dynamics.table')),
            el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('month')),
              FLOWS.map(f => el('th', { scope: 'col', class: 'num' }, t(`flow.${f}`))))),
            el('tbody', {}, months.map(m => el('tr', { 'data-month': m.month },
              el('th', { scope: 'row' }, label(m)),
              FLOWS.map(f => el('td', { class: 'num', 'data-flow': f }, cellOf(fieldCount(m, f))))))))),
        el('h3', {}, t('dash.declines')),
        el('ul', { class: 'figures' },
          el('li', { class: 'figure', 'data-metric': 'offers.total' }, el('span', { class: 'value' }, sumText(offers)), el('span', { class: 'label' }, t('dash.offersMade'))),
          el('li', { class: 'figure', 'data-metric': 'declined.total' }, el('span', { class: 'value' }, sumText(declined)), el('span', { class: 'label' }, t('dash.declined'))),
          el('li', { class: 'figure', 'data-metric': 'expired.total' }, el('span', { class: 'value' }, sumText(expired)), el('span', { class: 'label' }, t('dash.expired')))),
        el('p', {}, t('dash.declines.explain')),
      ]);
  }

  // ------------------------------------------------------------------ share by the algorithm

  function percent(bp) {
    return `${new Intl.NumberFormat(KQ.language === 'ru' ? 'ru-RU' : 'en-GB', { maximumFractionDigits: 2 }).format(bp / 100)} %`;
  }

  function shareText(share) {
    if (!share) return t('share.none');
    const target = percent(data.enrolments.targetBasisPoints);
    return `${percent(share.basisPoints)}. ${share.met ? t('share.met', { target }) : t('share.notMet', { target })}`;
  }

  function shareBlock(title, row, metric) {
    return el('div', { class: 'card', 'data-metric': metric },
      el('h3', {}, title),
      el('p', {}, el('strong', {}, shareText(row.share))),
      row.share ? KQCharts.shareBand({
        title: t('share.chart'), min: row.share.basisPoints, max: row.share.basisPoints, target: data.enrolments.targetBasisPoints,
        targetLabel: t('share.target', { target: percent(data.enrolments.targetBasisPoints) }),
        description: shareText(row.share),
      }) : null,
      el('p', {}, t('share.byAlgorithm'), ' ', el('span', { 'data-count': 'byAlgorithm' }, KQ.number(row.byAlgorithm)), '; ',
        t('share.exceptional'), ' ', el('span', { 'data-count': 'exceptional' }, KQ.number(row.exceptional)), '.'),
      row.legalBases?.length ? [
        el('p', {}, t('share.bases')),
        el('ul', { class: 'bases' }, row.legalBases.map(b => el('li', { 'data-basis': b.basis },
          b.name ? b.name[KQ.language] ?? b.name.ru : b.basis, ': ', KQ.number(b.enrolments)))),
      ] : null);
  }

  function shareSection() {
    const e = data.enrolments;
    return el('section', { 'aria-labelledby': 'share-h' },
      el('h2', { id: 'share-h' }, t('share.heading')),
      el('p', {}, t('share.explain')),
      shareBlock(t('share.allTime'), e.allTime, 'share.allTime'),
      e.years.map(y => shareBlock(t('share.year', { year: y.year }), y, `share.${y.year}`)));
  }

  // ------------------------------------------------------------------ reads of personal data

  async function loadReads() {
    const result = await KQ.getJson('/api/v1/public/private-reads');
    reads = result.ok && result.body ? result.body : { failed: KQ.failureMessage(result) };
    const section = document.getElementById('reads');
    if (section) section.replaceWith(readsSection());
  }

  const PURPOSES = ['commitment-check', 'complaint', 'court-request', 'data-subject-request', 'inspection'];

  function readsSection() {
    const body = reads === null ? el('p', { 'aria-busy': 'true' }, t('reads.loading'))
      : reads.failed ? el('p', { class: 'message bad' }, t('reads.failed'), ' ', reads.failed)
        : reads.months.length === 0 ? el('p', {}, t('reads.none'))
          : readsTable();
    return el('section', { id: 'reads', 'aria-labelledby': 'reads-h' },
      el('h2', { id: 'reads-h' }, t('reads.heading')),
      el('p', {}, t('reads.explain')),
      body);
  }

  function readsTable() {
    const months = [...new Set(reads.months.map(r => r.month))].sort();
    const count = (month, purpose) => reads.months.find(r => r.month === month && r.purpose === purpose)?.count ?? 0;
    return KQ.tableWrap(
      el('table', { id: 'reads-table' },
        el('caption', {}, t('reads.caption', { total: KQ.number(reads.total) })),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('reads.month')),
          PURPOSES.map(p => el('th', { scope: 'col', class: 'num' }, t(`purpose.${p}`))))),
        el('tbody', {}, months.map(m => el('tr', { 'data-month': m },
          el('th', { scope: 'row' }, KQ.month(m, true)),
          PURPOSES.map(p => el('td', { class: 'num', 'data-purpose': p }, KQ.number(count(m, p)))))))));
  }

  // ------------------------------------------------------------------ signals: summary of the workflow

  async function loadSignals() {
    const result = await KQ.getJson('/api/v1/public/signals');
    signalsDoc = result.ok && result.body ? result.body : { failed: KQ.failureMessage(result) };
    const section = document.getElementById('signals-summary');
    if (section) section.replaceWith(signalSummarySection());
  }

  /**
   * The signals' summary as the signals document publishes it (SPEC §17): how many are in each
   * status, the median time to the first public response, the share of all signals answered within
   * an hour (the brief's target), and confirmed violations per month; the page lists each signal.
   */
  function signalSummarySection() {
    const head = [el('h2', { id: 'signals-summary-h' }, t('sig.heading')), el('p', {}, t('sig.explain'))];
    const link = el('p', {}, el('a', { href: '/signals.html', id: 'signals-page-link' }, t('sig.toPage')), ' · ',
      el('a', { href: '/api/v1/public/signals.atom', type: 'application/atom+xml' }, t('sig.atom')));
    if (signalsDoc === null) return el('section', { id: 'signals-summary', 'aria-labelledby': 'signals-summary-h' }, head, el('p', { 'aria-busy': 'true' }, t('loading')), link);
    if (signalsDoc.failed) return el('section', { id: 'signals-summary', 'aria-labelledby': 'signals-summary-h' }, head, el('p', { class: 'message bad' }, t('sig.failed'), ' ', signalsDoc.failed), link);
    const s = signalsDoc.summary;
    const figure = (metric, value, label) => el('li', { class: 'figure', 'data-metric': metric },
      el('span', { class: 'value' }, value), el('span', { class: 'label' }, label));
    const share = s.total.total === 0 ? '—' : `${KQ.number(Math.round((100 * s.firstResponse.withinOneHour) / s.total.total))}\u00a0%`;
    return el('section', { id: 'signals-summary', 'aria-labelledby': 'signals-summary-h' }, head,
      el('ul', { class: 'figures' },
        figure('signals.total', KQ.number(s.total.total), t('sig.total')),
        ['new', 'investigating', 'explained', 'confirmed'].map(st => figure(`signals.${st}`, KQ.number(s.total[st]), t(`sig.status.${st}`))),
        figure('signals.median', KQ.duration(s.firstResponse.medianSeconds), t('sig.median')),
        figure('signals.withinHour', share, t('sig.withinHour', { n: KQ.number(s.firstResponse.withinOneHour), total: KQ.number(s.total.total) }))),
      s.confirmedByMonth.length === 0 ? el('p', { id: 'confirmed-none' }, t('sig.noConfirmed')) : KQ.tableWrap(
        el('table', { id: 'confirmed-table' },
          el('caption', {}, t('sig.confirmedByMonth')),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('month')), el('th', { scope: 'col', class: 'num' }, t('sig.confirmed')))),
          el('tbody', {}, s.confirmedByMonth.map(m => el('tr', { 'data-month': m.month },
            el('th', { scope: 'row' }, KQ.month(m.month, true)), el('td', { class: 'num' }, KQ.number(m.confirmed))))))),
      link);
  }

  // ------------------------------------------------------------------ anomaly signals

  function signalsSection() {
    const a = data.anomalies;
    return el('section', { 'aria-labelledby': 'signals-h' },
      el('h2', { id: 'signals-h' }, t('signals.heading')),
      el('p', {}, t('signals.explain')),
      el('h3', {}, t('signals.backdated')),
      el('p', {}, t('signals.backdated.explain')),
      KQ.tableWrap(
        el('table', { id: 'backdated-table' },
          el('caption', {}, t('signals.backdated')),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('signals.channel')),
            el('th', { scope: 'col', class: 'num' }, t('signals.submitted')), el('th', { scope: 'col', class: 'num' }, t('signals.backdatedCount')))),
          el('tbody', {}, a.backdated.map(c => el('tr', { 'data-channel': c.channel },
            el('th', { scope: 'row' }, t(`channel.${c.channel}`)),
            el('td', { class: 'num' }, cellOf(fieldCount(c, 'submitted'))), el('td', { class: 'num' }, cellOf(fieldCount(c, 'backdated')))))))),
      el('h3', {}, t('signals.cuts')),
      el('p', {}, t('signals.cuts.explain', { days: a.cutWindowDays })),
      a.capacityCuts.length === 0 ? el('p', {}, t('signals.noRounds')) : KQ.tableWrap(
        el('table', { id: 'cuts-table' },
          el('caption', {}, t('signals.cuts')),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('signals.round')), el('th', { scope: 'col' }, t('signals.date')),
            el('th', { scope: 'col', class: 'num' }, t('signals.programs')), el('th', { scope: 'col', class: 'num' }, t('signals.seats')))),
          el('tbody', {}, a.capacityCuts.map(r => el('tr', {},
            el('th', { scope: 'row' }, r.round), el('td', {}, KQ.date(r.date)),
            el('td', { class: 'num' }, KQ.number(r.programs)),
            el('td', { class: 'num' }, r.seats > 0 ? t('signals.seatsCut', { n: KQ.number(r.seats) }) : t('signals.noCut'))))))));
  }

  // ------------------------------------------------------------------ kindergartens

  function kindergartenSection() {
    const section = el('section', { 'aria-labelledby': 'kindergartens-h' },
      el('h2', { id: 'kindergartens-h' }, t('kg.heading')),
      el('p', {}, t('kg.explain')),
      el('div', { class: 'filters' },
        el('div', {},
          el('label', { for: 'kg-search' }, t('kg.search'), el('span', { class: 'hint' }, t('kg.search.hint'))),
          el('input', { id: 'kg-search', type: 'search', value: view.search, autocomplete: 'off', oninput: e => { view.search = e.target.value; view.limit = PAGE; refresh(); } })),
        el('div', {},
          el('label', { for: 'kg-group' }, t('dash.group')),
          el('select', { id: 'kg-group', onchange: e => { view.group = e.target.value; view.limit = PAGE; refresh(); } },
            el('option', { value: '', selected: view.group === '' }, t('kg.allGroups')),
            data.groups.map(g => el('option', { value: g, selected: view.group === g }, groupName(g)))))),
      el('p', { id: 'kg-count', 'aria-live': 'polite' }));
    const body = el('tbody');
    section.append(KQ.tableWrap(
      el('table', { id: 'kindergartens-table' },
        el('caption', {}, t('kg.table')),
        el('thead', {}, el('tr', {},
          // On a phone the district column goes and the group moves under the name, so the numbers fit.
          el('th', { scope: 'col' }, t('kg.name')), el('th', { scope: 'col', class: 'wide-only' }, t('dash.district')), el('th', { scope: 'col', class: 'wide-only' }, t('dash.group')),
          el('th', { scope: 'col', class: 'num' }, t('kg.seats')),
          MEASURES.map(m => el('th', { scope: 'col', class: 'num' }, t(`measure.${m}`))))),
        body)));

    const names = new Map(data.register.kindergartens.map(k => [k.id, k]));
    // The API lists kindergartens by id as text (ds-100, ds-101, …, ds-11); people read numbers by
    // value: ds-2 before ds-11. The sort is stable, so each kindergarten's age groups keep their order.
    const natural = new Intl.Collator('ru', { numeric: true });
    const ordered = [...data.queues.kindergartens].sort((a, b) => natural.compare(a.kindergarten, b.kindergarten));
    function refresh() {
      const needle = view.search.trim().toLocaleLowerCase();
      const rows = ordered.filter(r => {
        if (view.group && r.group !== view.group) return false;
        if (!needle) return true;
        const k = names.get(r.kindergarten);
        return `${k?.name ?? ''} ${r.kindergarten} ${districtName(r.district)}`.toLocaleLowerCase().includes(needle);
      });
      const shown = rows.slice(0, view.limit);
      fill(body, shown.map(r => el('tr', { 'data-kindergarten': r.kindergarten, 'data-group': r.group },
        el('th', { scope: 'row' }, el('a', { href: KQ.kindergartenHref(r.kindergarten) }, names.get(r.kindergarten)?.name ?? r.kindergarten),
          el('span', { class: 'narrow-only row-note' }, groupName(r.group))),
        el('td', { class: 'wide-only' }, districtName(r.district)),
        el('td', { class: 'wide-only', 'data-field': 'group' }, groupName(r.group)),
        el('td', { class: 'num', 'data-field': 'seats' }, KQ.number(r.seats)),
        MEASURES.map(m => el('td', { class: 'num', 'data-field': m }, cellOf(totalCount(r[m])))))));
      const count = section.querySelector('#kg-count');
      count.textContent = t('kg.count', { n: KQ.number(shown.length), found: KQ.number(rows.length), all: KQ.number(data.queues.kindergartens.length) });
      const more = section.querySelector('#kg-more');
      more.hidden = shown.length >= rows.length;
      more.textContent = t('kg.more', { n: KQ.number(Math.min(PAGE, rows.length - shown.length)) });
    }
    section.append(el('button', { type: 'button', class: 'secondary', id: 'kg-more', onclick: () => { view.limit += PAGE; refresh(); } }));
    refresh();
    return section;
  }

  // ------------------------------------------------------------------ federal portal link (issue 14)

  let portalLink = null; // /api/v1/public/federal-portal: { link, downSince, backlog }

  async function loadPortalLink() {
    const result = await KQ.getJson('/api/v1/public/federal-portal');
    portalLink = result.ok && result.body ? result.body : null;
    renderPortalLink();
  }

  /** In plain words: works, or no link since when, and that applications are still accepted. */
  function renderPortalLink() {
    const p = document.getElementById('portal-link');
    if (!p) return;
    if (!portalLink || portalLink.link === 'not-configured') { p.hidden = true; return; }
    const since = portalLink.downSince
      ? new Date(portalLink.downSince).toLocaleTimeString(KQ.language === 'ru' ? 'ru-RU' : 'en-GB', { hour: '2-digit', minute: '2-digit' })
      : '';
    p.textContent = portalLink.link === 'up' ? t('portal.up') : t('portal.down', { since, backlog: KQ.number(portalLink.backlog) });
    p.hidden = false;
  }

  KQ.addTexts({
    ru: {
      'portal.up': 'Связь с порталом госуслуг: работает.',
      'portal.down': 'Связь с порталом госуслуг: нет связи с {since}, заявления принимаются, уведомления отправятся позже (ждут отправки: {backlog}).',
      'dashboard.title': 'Статистика очереди — очередь в детские сады',
      'dashboard.heading': 'Очередь в детские сады: статистика',
      'dash.failed': 'Статистику сейчас не удалось загрузить.',
      'dash.retry': 'Попробовать ещё раз',
      'dash.asOf': 'Данные на {date}; посчитано по {entries:entryDative} открытого журнала; правила очереди — версия {criteria}.',
      'dash.noCriteria': 'Правила очереди ещё не опубликованы, поэтому очереди пока нет.',
      'dash.suppressionNote': 'В таблицах очереди по садам, группам и категориям числа меньше {threshold} показаны как «< 5», а некоторые другие — как «скрыто»: так таблица не указывает на семью с льготой. Зачисления, их доля, движение по месяцам и каналы подачи — точные. Все числа на этой странице можно пересчитать по открытому журналу.',
      'dash.measure': 'Что показать',
      'measure.waitingNow.long': 'детей ждут места сейчас',
      'measure.waitingLater.long': 'детей ждут места с более поздней даты',
      'measure.offered.long': 'направлений ждут ответа родителей',
      'measure.enrolled.long': 'детей зачислены',
      'measure.waitingNow.explain': 'Дети, которые ждут места и хотят пойти в сад уже в этом учебном году.',
      'measure.waitingLater.explain': 'Дети, которые стоят в очереди, но хотят пойти в сад позже (например, со следующего года).',
      'measure.offered.explain': 'Дети, которым выдано направление, на которое родители ещё не ответили.',
      'measure.enrolled.explain': 'Дети, зачисленные в детский сад.',
      'dash.byGroup': 'Очередь по возрастным группам и льготам',
      'dash.byGroup.chart': '{measure}: по возрастным группам',
      'dash.byGroup.table': '{measure}: возрастные группы и уровни льгот',
      'dash.group': 'Возрастная группа',
      'dash.byDistrict': 'Очередь по районам',
      'dash.byDistrict.explain': 'Район — это район, где живёт ребёнок. Каждый ребёнок посчитан один раз.',
      'dash.byDistrict.table': '{measure}: районы и возрастные группы',
      'dash.district': 'Район',
      'dash.waiting': 'Сколько ждут места',
      'dash.waiting.explain': 'Сколько дней прошло от постановки в очередь (или от желаемой даты начала, если она позже) до начала посещения сада по первому направлению. Учтены направления, выданные с {from} по {to} включительно.',
      'dash.waiting.region': 'По всему региону половина детей ждала не больше {median}, девять из десяти — не больше {p90}',
      'dash.waiting.none': 'За этот период направлений ещё не было.',
      'dash.waiting.chart': 'Сколько ждут места: медиана по районам, дней',
      'dash.waiting.table': 'Время ожидания по районам',
      'dash.median': 'Половина ждала не больше',
      'dash.p90': '9 из 10 ждали не больше',
      'days': '{n} дн.',
      'dash.dynamics': 'Как менялась очередь',
      'dash.dynamics.none': 'Пока нет данных по месяцам.',
      'dash.dynamics.chart': 'Сколько детей ждали места в конце месяца',
      'dash.dynamics.table': 'Очередь по месяцам',
      'flow.submitted': 'Новых заявлений',
      'flow.offers': 'Выдано направлений',
      'flow.declined': 'Отказались от направления',
      'flow.expired': 'Направление истекло',
      'flow.enrolments': 'Зачислено',
      'flow.withdrawals': 'Заявлений отозвано',
      'flow.waitingAtEnd': 'Ждали в конце месяца',
      'dash.declines': 'Отказы и истёкшие направления',
      'dash.offersMade': 'направлений выдано за всё время',
      'dash.declined': 'раз родители отказались от направления',
      'dash.expired': 'направлений истекли без ответа',
      'dash.declines.explain': 'Отказ и истечение срока — законные решения семьи. Место при этом не пропадает: в следующем туре его получает следующий по очереди.',
      'sum.atLeast': 'не меньше {n}',
      'share.heading': 'Доля мест, распределённых программой',
      'share.explain': 'Почти все места должны распределяться программой по очереди. Исключения — только по решению суда или другому законному основанию, и каждое видно в журнале. Эти числа точные: каждое зачисление — запись открытого журнала, скрывать их незачем.',
      'share.headline': 'Доля мест, распределённых программой, за всё время:',
      'share.allTime': 'За всё время',
      'share.year': 'Зачисления на {year} год',
      'share.none': 'Зачислений ещё не было',
      'share.met': 'Цель — не меньше {target} — выполнена.',
      'share.notMet': 'Цель — не меньше {target} — НЕ выполнена.',
      'share.chart': 'Доля по программе и цель',
      'share.target': 'цель {target}',
      'share.byAlgorithm': 'Зачислено по направлению программы:',
      'share.exceptional': 'вне очереди по законному основанию:',
      'share.bases': 'Законные основания зачислений вне программы (сколько зачислений на каждом):',
      'reads.heading': 'Кто читал персональные данные',
      'reads.explain': 'Имена, контакты и документы хранятся отдельно от журнала. Каждое чтение такой записи человеком (проверка, жалоба, запрос суда, запрос самой семьи, инспекция) записывается до того, как данные показаны. Здесь — сколько таких чтений было за месяц, по целям, без исключений.',
      'reads.caption': 'Чтения персональных данных по месяцам (UTC) и целям; всего {total}',
      'reads.month': 'Месяц',
      'reads.none': 'Персональные данные ещё никто не читал.',
      'reads.loading': 'Загружаем…',
      'reads.failed': 'Не удалось загрузить число чтений.',
      'purpose.commitment-check': 'Сверка с журналом',
      'purpose.complaint': 'Жалоба',
      'purpose.court-request': 'Запрос суда',
      'purpose.data-subject-request': 'Запрос семьи',
      'purpose.inspection': 'Инспекция',
      'sig.heading': 'Сигналы и ответы на них',
      'sig.explain': 'Правила с опубликованными порогами отмечают в журнале места, куда стоит посмотреть. Отдел внутреннего контроля проверяет каждый сигнал и публично отвечает; цель — первый ответ в течение часа.',
      'sig.toPage': 'Все сигналы с записями журнала и ходом проверки',
      'sig.atom': 'лента Atom',
      'sig.failed': 'Не удалось загрузить сигналы.',
      'sig.total': 'Всего сигналов',
      'sig.status.new': 'Новые, без ответа',
      'sig.status.investigating': 'Проверяются',
      'sig.status.explained': 'Объяснены',
      'sig.status.confirmed': 'Нарушение подтверждено',
      'sig.median': 'Медиана времени до первого ответа',
      'sig.withinHour': 'Ответ в течение часа ({n} из {total})',
      'sig.noConfirmed': 'Подтверждённых нарушений пока нет.',
      'sig.confirmedByMonth': 'Подтверждённые нарушения по месяцам',
      'sig.confirmed': 'Подтверждено',
      'signals.heading': 'Сигналы для проверки',
      'signals.explain': 'Эти числа сами по себе не значат нарушения. Они показывают места, куда стоит посмотреть журналистам и общественным наблюдателям.',
      'signals.backdated': 'Заявления с датой постановки раньше даты записи',
      'signals.backdated.explain': 'Так бывает законно: например, заявление подано на федеральном портале раньше, или очередь перенесена из старой системы. Но много таких заявлений в одном канале — повод задать вопрос.',
      'signals.channel': 'Как подано',
      'signals.submitted': 'Заявлений',
      'signals.backdatedCount': 'С более ранней датой',
      'signals.cuts': 'Сокращение мест перед распределением',
      'signals.cuts.explain': 'Сколько мест убрали за {days:day} до каждого тура распределения. Внезапное сокращение перед туром — повод спросить почему.',
      'signals.noRounds': 'Туров распределения ещё не было.',
      'signals.round': 'Тур',
      'signals.date': 'Дата',
      'signals.programs': 'Групп с сокращением',
      'signals.seats': 'Мест убрано',
      'signals.seatsCut': '{n}',
      'signals.noCut': 'нет',
      'kg.heading': 'Детские сады',
      'kg.explain': 'Места в каждой возрастной группе и сколько детей указали этот сад. Ребёнок, указавший несколько садов, посчитан в каждом из них.',
      'kg.search': 'Найти детский сад',
      'kg.search.hint': 'Номер, название или район',
      'kg.allGroups': 'Все группы',
      'kg.table': 'Детские сады: места и очередь',
      'kg.name': 'Детский сад',
      'kg.seats': 'Мест',
      'kg.count': 'Найдено строк: {found} из {all}; показано {n}.',
      'kg.more': 'Показать ещё {n}',
      'channel.centre': 'Лично (МФЦ, управление образования)',
      'channel.federal': 'Госуслуги',
      'channel.portal': 'Региональный портал',
    },
    en: {
      'portal.up': 'Link to the federal services portal (Gosuslugi): working.',
      'portal.down': 'Link to the federal services portal (Gosuslugi): down since {since}; applications are still accepted, notifications will be sent later ({backlog} waiting).',
      'dashboard.title': 'Queue statistics — kindergarten queue',
      'dashboard.heading': 'Kindergarten queue: statistics',
      'dash.failed': 'The statistics could not be loaded right now.',
      'dash.retry': 'Try again',
      'dash.asOf': 'Figures as of {date}, computed from {entries:entryDative} of the public log; queue rules version {criteria}.',
      'dash.noCriteria': 'No queue rules are published yet, so there is no queue yet.',
      'dash.suppressionNote': 'In the queue tables by kindergarten, age group and priority, numbers below {threshold} are shown as "< 5", and some others as "hidden", so that a table does not point at a family with a priority right. Enrolments, their share, the monthly dynamics and the channels are exact. Every number on this page can be recomputed from the public log.',
      'dash.measure': 'What to show',
      'measure.waitingNow.long': 'children waiting for a place now',
      'measure.waitingLater.long': 'children waiting for a place from a later date',
      'measure.offered.long': 'offers awaiting the parents\' answer',
      'measure.enrolled.long': 'children enrolled',
      'measure.waitingNow.explain': 'Children waiting for a place who want to start this school year.',
      'measure.waitingLater.explain': 'Children in the queue who want to start later (for example next year).',
      'measure.offered.explain': 'Children offered a place whose parents have not answered yet.',
      'measure.enrolled.explain': 'Children enrolled in a kindergarten.',
      'dash.byGroup': 'Queue by age group and priority',
      'dash.byGroup.chart': '{measure}: by age group',
      'dash.byGroup.table': '{measure}: age groups and priority tiers',
      'dash.group': 'Age group',
      'dash.byDistrict': 'Queue by district',
      'dash.byDistrict.explain': 'The district is where the child lives. Each child is counted once.',
      'dash.byDistrict.table': '{measure}: districts and age groups',
      'dash.district': 'District',
      'dash.waiting': 'How long children wait',
      'dash.waiting.explain': 'Days from joining the queue (or from the desired start date, if later) to the start at the first offered place. Offers from {from} to {to}.',
      'dash.waiting.region': 'Across the region, half of the children waited at most {median}, and nine in ten at most {p90}.',
      'dash.waiting.none': 'No offers were made in this period yet.',
      'dash.waiting.chart': 'Waiting time: median by district, days',
      'dash.waiting.table': 'Waiting time by district',
      'dash.median': 'Half waited at most',
      'dash.p90': '9 in 10 waited at most',
      'days': '{n} days',
      'dash.dynamics': 'How the queue changed',
      'dash.dynamics.none': 'No monthly figures yet.',
      'dash.dynamics.chart': 'Children waiting for a place at the end of each month',
      'dash.dynamics.table': 'The queue month by month',
      'flow.submitted': 'New applications',
      'flow.offers': 'Offers made',
      'flow.declined': 'Offers declined',
      'flow.expired': 'Offers expired',
      'flow.enrolments': 'Enrolled',
      'flow.withdrawals': 'Applications withdrawn',
      'flow.waitingAtEnd': 'Waiting at month end',
      'dash.declines': 'Offers declined or expired',
      'dash.offersMade': 'offers made in total',
      'dash.declined': 'times parents declined an offer',
      'dash.expired': 'offers expired without an answer',
      'dash.declines.explain': 'Declining or letting an offer expire is a family\'s lawful choice. The place is not lost: the next child in the queue gets it in the next round.',
      'sum.atLeast': 'at least {n}',
      'share.heading': 'Share of places assigned by the program',
      'share.explain': 'Almost every place must be assigned by the program, in queue order. Exceptions are only by court decision or another legal basis, and each one is visible in the log. These numbers are exact: every enrolment is an entry of the public log, so there is nothing to hide.',
      'share.headline': 'Share of places assigned by the program, all time:',
      'share.allTime': 'All time',
      'share.year': 'Enrolments for {year}',
      'share.none': 'No enrolments yet',
      'share.met': 'The target of at least {target} is met.',
      'share.notMet': 'The target of at least {target} is NOT met.',
      'share.chart': 'Share by the program and the target',
      'share.target': 'target {target}',
      'share.byAlgorithm': 'Enrolled after the program\'s offer:',
      'share.exceptional': 'outside the queue on a legal basis:',
      'share.bases': 'Legal bases of enrolments outside the program (how many enrolments on each):',
      'reads.heading': 'Who read personal data',
      'reads.explain': 'Names, contacts and documents are kept apart from the log. Every time a person reads such a record (a check, a complaint, a court request, the family\'s own request, an inspection) the read is recorded before the data is shown. Here is how many reads there were each month, by purpose, without exception.',
      'reads.caption': 'Reads of personal data by month (UTC) and purpose; {total} in all',
      'reads.month': 'Month',
      'reads.none': 'Nobody has read personal data yet.',
      'reads.loading': 'Loading…',
      'reads.failed': 'The number of reads could not be loaded.',
      'purpose.commitment-check': 'Check against the log',
      'purpose.complaint': 'Complaint',
      'purpose.court-request': 'Court request',
      'purpose.data-subject-request': 'Family\'s request',
      'purpose.inspection': 'Inspection',
      'sig.heading': 'Signals and the answers to them',
      'sig.explain': 'Rules with published thresholds mark places in the log worth a look. Internal control checks each signal and answers in public; the target is a first answer within an hour.',
      'sig.toPage': 'Every signal with its log entries and review',
      'sig.atom': 'Atom feed',
      'sig.failed': 'Could not load the signals.',
      'sig.total': 'Signals in all',
      'sig.status.new': 'New, unanswered',
      'sig.status.investigating': 'Under investigation',
      'sig.status.explained': 'Explained',
      'sig.status.confirmed': 'Violation confirmed',
      'sig.median': 'Median time to first response',
      'sig.withinHour': 'Answered within an hour ({n} of {total})',
      'sig.noConfirmed': 'No confirmed violations yet.',
      'sig.confirmedByMonth': 'Confirmed violations by month',
      'sig.confirmed': 'Confirmed',
      'signals.heading': 'Signals worth a look',
      'signals.explain': 'These numbers do not mean wrongdoing by themselves. They point journalists and public observers to places worth checking.',
      'signals.backdated': 'Applications registered earlier than they were recorded',
      'signals.backdated.explain': 'This can be lawful: an application made earlier on the federal portal, or a queue moved from an old system. Many of them in one channel is a reason to ask.',
      'signals.channel': 'Channel',
      'signals.submitted': 'Applications',
      'signals.backdatedCount': 'With an earlier date',
      'signals.cuts': 'Places cut shortly before a round',
      'signals.cuts.explain': 'How many places were removed within {days:day} before each allocation round. A sudden cut before a round is a reason to ask why.',
      'signals.noRounds': 'No allocation rounds yet.',
      'signals.round': 'Round',
      'signals.date': 'Date',
      'signals.programs': 'Groups cut',
      'signals.seats': 'Places removed',
      'signals.seatsCut': '{n}',
      'signals.noCut': 'none',
      'kg.heading': 'Kindergartens',
      'kg.explain': 'Places in each age group and how many children listed the kindergarten. A child who listed several kindergartens is counted in each.',
      'kg.search': 'Find a kindergarten',
      'kg.search.hint': 'Number, name or district',
      'kg.allGroups': 'All groups',
      'kg.table': 'Kindergartens: places and queue',
      'kg.name': 'Kindergarten',
      'kg.seats': 'Places',
      'kg.count': '{found} of {all} rows match; {n} shown.',
      'kg.more': 'Show {n} more',
      'channel.centre': 'In person (service centre, department)',
      'channel.federal': 'Gosuslugi (federal portal)',
      'channel.portal': 'Regional portal',
    },
  });

  document.addEventListener('DOMContentLoaded', load);
  document.addEventListener('DOMContentLoaded', loadPortalLink);
  KQ.onLanguageChange(render);
  KQ.onLanguageChange(renderPortalLink);
})();
