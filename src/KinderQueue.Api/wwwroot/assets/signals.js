// The public page «Сигналы / Signals» (issue 13, SPEC §17): every anomaly signal the log raises,
// exactly as /api/v1/public/signals publishes it, with the entries behind it (each a link to that
// entry of the public log), its review timeline with the published explanations
// (/api/v1/public/signals/explanations) and the time to the first public response. Filters by
// kind, status, district and kindergarten narrow the list and are kept in the address, so a link
// can carry them. Nothing here computes a signal: the page shows what the service publishes and
// kq verify recomputes.
'use strict';

(() => {
  const { el, t, fill } = KQ;
  const KINDS = ['capacity-cut-before-round', 'backdated-registrations', 'claim-burst-staff', 'claim-burst-kindergarten',
    'claim-verified-before-offer', 'capacity-not-loaded', 'exceptional-enrolments', 'staff-changes-before-round', 'mass-position-loss'];
  const STATUSES = ['new', 'investigating', 'explained', 'confirmed'];
  const FILTERS = ['kind', 'status', 'district', 'kindergarten'];
  let doc = null;
  let texts = new Map(); // sha256 → { text, redacted }
  const view = Object.fromEntries(FILTERS.map(f => [f, new URLSearchParams(location.search).get(f) ?? '']));

  /** The public log's view of one entry: its canonical bytes, one NDJSON line. */
  const entryHref = seq => `/api/v1/public/log?from=${encodeURIComponent(seq)}&count=1`;
  const kindName = k => (t(`signal.kind.${k}`) === `signal.kind.${k}` ? k : t(`signal.kind.${k}`));
  const statusName = s => (t(`signal.status.${s}`) === `signal.status.${s}` ? s : t(`signal.status.${s}`));

  async function load() {
    const root = document.getElementById('signals');
    const [signals, explanations] = await Promise.all([KQ.getJson('/api/v1/public/signals'), KQ.getJson('/api/v1/public/signals/explanations')]);
    if (!signals.ok || !signals.body) {
      fill(root, el('div', { class: 'message bad', role: 'alert' },
        el('strong', {}, t('signals.failed')), el('p', {}, KQ.failureMessage(signals)),
        el('button', { type: 'button', class: 'secondary', onclick: load }, t('signals.retry'))));
      return;
    }
    doc = signals.body;
    // Without the texts the signals are still true; each step then says its text could not be loaded.
    texts = new Map((explanations.ok && explanations.body ? explanations.body.explanations : []).map(e => [e.sha256, e]));
    render();
    let target = null;
    try { target = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null; } catch { /* stay on top */ }
    target?.scrollIntoView();
  }

  const districtOf = s => s.subject.district ?? '';
  const kindergartenOf = s => s.subject.kindergarten ?? '';
  const matches = s => (!view.kind || s.kind === view.kind) && (!view.status || s.status === view.status)
    && (!view.district || districtOf(s) === view.district) && (!view.kindergarten || kindergartenOf(s) === view.kindergarten);

  function render() {
    if (!doc) return;
    const root = document.getElementById('signals');
    fill(root,
      el('p', { class: 'lead' }, t('signals.page.explain', { size: doc.size })),
      el('p', {}, el('a', { href: '/api/v1/public/signals.atom', type: 'application/atom+xml', id: 'atom-link' }, t('signals.atom')),
        ' · ', el('a', { href: '/api/v1/public/signals' }, t('signals.json')), ' · ', el('a', { href: '/#signals-summary-h' }, t('signals.toDashboard'))),
      filters(),
      el('p', { id: 'signals-count', 'aria-live': 'polite' }, ''),
      el('div', { id: 'signal-list' }));
    refresh();
  }

  function filters() {
    const values = {
      kind: KINDS.filter(k => doc.signals.some(s => s.kind === k)),
      status: STATUSES,
      district: [...new Set(doc.signals.map(districtOf).filter(Boolean))].sort(),
      kindergarten: [...new Set(doc.signals.map(kindergartenOf).filter(Boolean))].sort(),
    };
    const label = (f, v) => (f === 'kind' ? kindName(v) : f === 'status' ? statusName(v) : v);
    return el('form', { class: 'filters', id: 'signal-filters', onsubmit: e => e.preventDefault() },
      FILTERS.map(f => el('div', {},
        el('label', { for: `filter-${f}` }, t(`signals.filter.${f}`)),
        el('select', { id: `filter-${f}`, name: f, onchange: e => { view[f] = e.target.value; remember(); refresh(); } },
          el('option', { value: '' }, t('signals.filter.all')),
          values[f].map(v => el('option', { value: v, selected: v === view[f] }, label(f, v)))))));
  }

  /** The filters in the address (replaceState: no history entry per choice). */
  function remember() {
    const url = new URL(location.href);
    for (const f of FILTERS) {
      if (view[f]) url.searchParams.set(f, view[f]); else url.searchParams.delete(f);
    }
    history.replaceState(null, '', url);
  }

  function refresh() {
    const shown = doc.signals.filter(matches);
    fill(document.getElementById('signals-count'), t('signals.count', { shown: KQ.number(shown.length), total: KQ.number(doc.signals.length) }));
    const list = document.getElementById('signal-list');
    if (doc.signals.length === 0) fill(list, el('p', {}, t('signals.none')));
    else if (shown.length === 0) fill(list, el('p', {}, t('signals.noneMatch')));
    else fill(list, shown.map(signal));
  }

  function subjectText(subject) {
    const parts = [];
    for (const key of ['district', 'kindergarten', 'actor', 'channel', 'round', 'month', 'year']) {
      if (subject[key] !== null && subject[key] !== undefined) parts.push(`${t(`signals.subject.${key}`)}: ${subject[key]}`);
    }
    return parts.length ? parts.join(', ') : t('signals.subject.region');
  }

  function explanationOf(hash) {
    const e = texts.get(hash);
    if (!e) return el('span', { class: 'muted' }, t('signals.text.missing'));
    if (e.redacted || e.text === null) return el('span', { class: 'muted' }, t('signals.text.redacted'));
    return el('q', {}, e.text);
  }

  function signal(s) {
    const headingId = `${s.id}-h`;
    return el('article', {
      class: 'signal', id: s.id, 'aria-labelledby': headingId,
      'data-kind': s.kind, 'data-status': s.status, 'data-district': districtOf(s), 'data-kindergarten': kindergartenOf(s),
    },
    el('h2', { id: headingId }, kindName(s.kind), ' — ', el('span', { class: `status status-${s.status}` }, statusName(s.status))),
    el('dl', { class: 'facts' },
      el('dt', {}, t('signals.subject')), el('dd', { 'data-field': 'subject' }, subjectText(s.subject)),
      el('dt', {}, t('signals.raised')), el('dd', { 'data-field': 'raised' },
        KQ.dateTime(s.raisedAt), ' · ', el('a', { href: entryHref(s.raisedSeq), class: 'entry-link' }, t('signals.entry', { seq: s.raisedSeq }))),
      el('dt', {}, t('signals.value')), el('dd', { 'data-field': 'value' }, t('signals.valueOf', { value: KQ.number(s.value), threshold: KQ.number(s.threshold) })),
      el('dt', {}, t('signals.firstResponse')), el('dd', { 'data-field': 'first-response' }, s.firstResponseSeconds === null ? t('signals.noResponse') : KQ.duration(s.firstResponseSeconds)),
      el('dt', {}, t('signals.entries')), el('dd', { 'data-field': 'entries' },
        el('ul', { class: 'entries' }, s.entries.map(seq => el('li', {}, el('a', { href: entryHref(seq), class: 'entry-link', 'data-seq': seq }, t('signals.entry', { seq }))))))),
    el('h3', {}, t('signals.timeline')),
    s.timeline.length === 0 ? el('p', { class: 'muted' }, t('signals.noResponse'))
      : el('ol', { class: 'timeline' }, s.timeline.map(step => el('li', { 'data-seq': step.seq, 'data-status': step.status },
        el('strong', {}, statusName(step.status)), ` (${step.outcome}) · ${KQ.dateTime(step.at)} · `,
        el('a', { href: entryHref(step.seq), class: 'entry-link' }, t('signals.entry', { seq: step.seq })),
        el('br'), explanationOf(step.explanation)))));
  }

  KQ.addTexts({
    ru: {
      'signals.title': 'Сигналы — очередь в детские сады',
      'signals.page.heading': 'Сигналы',
      'signals.page.explain': 'Сигнал — это место в журнале, куда стоит посмотреть: правило с опубликованным порогом сработало на записях журнала. Сигнал ещё не нарушение: отдел внутреннего контроля его проверяет и публично отвечает. Всё вычислено по журналу (в нём {size:entry}); любой может пересчитать это сам (kq verify).',
      'signals.atom': 'Лента Atom для подписки',
      'signals.json': 'Данные (JSON)',
      'signals.toDashboard': 'Сводка на странице статистики',
      'signals.failed': 'Не удалось загрузить сигналы.',
      'signals.retry': 'Попробовать ещё раз',
      'signals.filter.kind': 'Вид сигнала',
      'signals.filter.status': 'Состояние',
      'signals.filter.district': 'Район',
      'signals.filter.kindergarten': 'Детский сад',
      'signals.filter.all': 'Все',
      'signals.count': 'Показано сигналов: {shown} из {total}.',
      'signals.none': 'Сигналов нет: ни одно правило не сработало.',
      'signals.noneMatch': 'Под выбранные условия сигналов нет.',
      'signals.subject': 'О чём',
      'signals.subject.district': 'район', 'signals.subject.kindergarten': 'детский сад', 'signals.subject.actor': 'сотрудник (псевдоним)',
      'signals.subject.channel': 'канал', 'signals.subject.round': 'тур', 'signals.subject.month': 'месяц', 'signals.subject.year': 'учебный год',
      'signals.subject.region': 'весь регион',
      'signals.raised': 'Возник',
      'signals.value': 'Значение',
      'signals.valueOf': '{value} при пороге {threshold}',
      'signals.firstResponse': 'Время до первого ответа',
      'signals.entries': 'Записи журнала',
      'signals.entry': 'запись № {seq}',
      'signals.timeline': 'Ход проверки',
      'signals.noResponse': 'ответа ещё нет',
      'signals.text.redacted': 'текст пояснения удалён (в нём оказались персональные данные); его хеш остаётся в журнале',
      'signals.text.missing': 'текст пояснения недоступен',
      'signal.status.new': 'новый', 'signal.status.investigating': 'проверяется', 'signal.status.explained': 'объяснён', 'signal.status.confirmed': 'нарушение подтверждено',
      'signal.kind.capacity-cut-before-round': 'Сокращение мест перед туром',
      'signal.kind.backdated-registrations': 'Заявления задним числом',
      'signal.kind.claim-burst-staff': 'Всплеск подтверждённых льгот у сотрудника',
      'signal.kind.claim-burst-kindergarten': 'Всплеск подтверждённых льгот в саду',
      'signal.kind.claim-verified-before-offer': 'Льгота подтверждена перед туром и дала место',
      'signal.kind.capacity-not-loaded': 'Места не загружены к сроку',
      'signal.kind.exceptional-enrolments': 'Зачисления вне алгоритма',
      'signal.kind.staff-changes-before-round': 'Изменения заявлений сотрудником перед туром',
      'signal.kind.mass-position-loss': 'Массовая потеря мест в очереди',
    },
    en: {
      'signals.title': 'Signals — kindergarten queue',
      'signals.page.heading': 'Signals',
      'signals.page.explain': 'A signal is a place in the log worth a look: a rule with a published threshold held on entries of the log. A signal is not yet a violation: internal control checks it and answers in public. Everything is computed from the log ({size:entry}); anyone can recompute it (kq verify).',
      'signals.atom': 'Atom feed to subscribe to',
      'signals.json': 'Data (JSON)',
      'signals.toDashboard': 'Summary on the statistics page',
      'signals.failed': 'Could not load the signals.',
      'signals.retry': 'Try again',
      'signals.filter.kind': 'Kind of signal',
      'signals.filter.status': 'Status',
      'signals.filter.district': 'District',
      'signals.filter.kindergarten': 'Kindergarten',
      'signals.filter.all': 'All',
      'signals.count': 'Signals shown: {shown} of {total}.',
      'signals.none': 'No signals: no rule has held.',
      'signals.noneMatch': 'No signal matches the chosen filters.',
      'signals.subject': 'About',
      'signals.subject.district': 'district', 'signals.subject.kindergarten': 'kindergarten', 'signals.subject.actor': 'staff member (pseudonym)',
      'signals.subject.channel': 'channel', 'signals.subject.round': 'round', 'signals.subject.month': 'month', 'signals.subject.year': 'enrolment year',
      'signals.subject.region': 'the whole region',
      'signals.raised': 'Raised',
      'signals.value': 'Value',
      'signals.valueOf': '{value} against a threshold of {threshold}',
      'signals.firstResponse': 'Time to first response',
      'signals.entries': 'Log entries',
      'signals.entry': 'entry {seq}',
      'signals.timeline': 'Review',
      'signals.noResponse': 'no response yet',
      'signals.text.redacted': 'explanation text redacted (it held personal data); its hash stays in the log',
      'signals.text.missing': 'explanation text not available',
      'signal.status.new': 'new', 'signal.status.investigating': 'under investigation', 'signal.status.explained': 'explained', 'signal.status.confirmed': 'violation confirmed',
      'signal.kind.capacity-cut-before-round': 'Places cut before a round',
      'signal.kind.backdated-registrations': 'Backdated registrations',
      'signal.kind.claim-burst-staff': 'Burst of verified claims by one staff member',
      'signal.kind.claim-burst-kindergarten': 'Burst of verified claims at one kindergarten',
      'signal.kind.claim-verified-before-offer': 'Claim verified just before a round that gave a place',
      'signal.kind.capacity-not-loaded': 'Capacity not loaded by the deadline',
      'signal.kind.exceptional-enrolments': 'Enrolments outside the algorithm',
      'signal.kind.staff-changes-before-round': 'Staff changes to applications before a round',
      'signal.kind.mass-position-loss': 'Many applicants losing many places',
    },
  });

  KQ.onLanguageChange(render);
  document.addEventListener('DOMContentLoaded', load);
})();
