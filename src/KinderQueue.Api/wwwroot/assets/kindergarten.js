// One kindergarten (/kindergarten.html?id=…): seats and queue per age group, who waits now by
// priority tier, and month by month how many new applications listed it and how many children
// were waiting for it at the month's end. It shows GET /api/v1/public/kindergartens/{id}
// (SPEC.md §14.4) as published: those are the dashboard's own cells, small ones "< 5".
'use strict';

(() => {
  const { el, t, fill, groupName, tierName } = KQ;
  const MEASURES = ['waitingNow', 'waitingLater', 'offered', 'enrolled'];
  const LIST = '/#kindergartens-h';
  let data = null;
  let failure = null; // () => the message, when the kindergarten cannot be shown

  const countOf = c => KQ.countOf(c?.value, c?.marker);
  const cell = (count, attrs) => el('td', { class: 'num', ...attrs }, KQ.countCell(countOf(count)));
  // No places loaded for a group is not zero places: the group simply is not offered that year.
  const seats = (n, field) => el('td', { class: 'num', 'data-field': field }, n === null || n === undefined ? '—' : KQ.number(n));

  async function load() {
    const id = new URLSearchParams(location.search).get('id')?.trim() ?? '';
    if (!id) {
      failure = () => problem(t('kgp.missing'));
      render();
      return;
    }
    const result = await KQ.getJson(`/api/v1/public/kindergartens/${encodeURIComponent(id)}`);
    if (result.ok && result.body) {
      data = result.body;
      failure = null;
    } else if (result.status === 404) {
      failure = () => problem(t('kgp.notFound'));
    } else {
      failure = () => problem(KQ.failureMessage(result), true);
    }
    render();
  }

  function problem(text, retry = false) {
    return el('div', { class: 'message bad', role: 'alert', id: 'kindergarten-error' },
      el('strong', {}, t('kgp.failed')),
      el('p', {}, text),
      el('p', {}, el('a', { href: LIST }, t('kgp.toList'))),
      retry ? el('button', { type: 'button', class: 'secondary', onclick: load }, t('kgp.retry')) : null);
  }

  function render() {
    const root = document.getElementById('kindergarten');
    const heading = document.getElementById('kindergarten-heading');
    if (!data) {
      heading.textContent = t('kindergarten.heading');
      document.title = t('kindergarten.title');
      if (failure) fill(root, failure());
      return;
    }
    heading.textContent = data.name;
    document.title = t('kgp.title', { name: data.name });
    fill(root,
      el('p', { class: 'lead' }, t('kgp.lead', { district: data.districtName, date: KQ.date(data.asOf) })),
      groupsSection(),
      tiersSection(),
      monthsSection(),
      el('p', { class: 'muted' }, t('kgp.note')),
      el('p', {}, el('a', { href: LIST }, t('kgp.toList'))));
  }

  function groupsSection() {
    return el('section', { 'aria-labelledby': 'groups-h' },
      el('h2', { id: 'groups-h' }, t('kgp.groups')),
      KQ.tableWrap(
        el('table', { id: 'groups-table' },
          el('caption', {}, t('kgp.groups.table')),
          el('thead', {}, el('tr', {},
            el('th', { scope: 'col' }, t('kgp.group')),
            el('th', { scope: 'col', class: 'num' }, t('kgp.seats')),
            el('th', { scope: 'col', class: 'num' }, t('kgp.seatsNextYear')),
            MEASURES.map(m => el('th', { scope: 'col', class: 'num' }, t(`measure.${m}`))))),
          el('tbody', {}, data.groups.map(g => el('tr', { 'data-group': g.group },
            el('th', { scope: 'row' }, groupName(g.group)),
            seats(g.seats, 'seats'),
            seats(g.seatsNextYear, 'seatsNextYear'),
            MEASURES.map(m => cell(g[m]?.total, { 'data-field': m }))))))));
  }

  function tiersSection() {
    return el('section', { 'aria-labelledby': 'tiers-h' },
      el('h2', { id: 'tiers-h' }, t('kgp.tiers')),
      el('p', {}, t('kgp.tiers.explain')),
      KQ.tableWrap(
        el('table', { id: 'tiers-table' },
          el('caption', {}, t('kgp.tiers.table')),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('kgp.tier')),
            data.groups.map(g => el('th', { scope: 'col', class: 'num' }, groupName(g.group))))),
          el('tbody', {},
            data.tiers.map((tier, i) => el('tr', { 'data-tier': tier },
              el('th', { scope: 'row' }, tierName(tier)),
              data.groups.map(g => cell(g.waitingNow?.byTier?.[i], { 'data-group': g.group })))),
            el('tr', { 'data-tier': 'total' },
              el('th', { scope: 'row' }, t('total')),
              data.groups.map(g => cell(g.waitingNow?.total, { 'data-group': g.group })))))));
  }

  function monthsSection() {
    const current = data.asOf.slice(0, 7);
    const label = m => KQ.month(m.month) + (m.month === current ? ` ${t('month.soFar')}` : '');
    return el('section', { 'aria-labelledby': 'months-h' },
      el('h2', { id: 'months-h' }, t('kgp.months')),
      el('p', {}, t('kgp.months.explain')),
      data.months.length === 0 ? el('p', {}, t('kgp.months.none')) : [
        KQCharts.columns({
          title: t('kgp.months.chart'), labelHeader: t('month'), valueHeader: t('kgp.newApplications'),
          rows: data.months.map(m => ({ label: label(m), shortLabel: KQ.month(m.month, false), count: countOf(m.newApplications) })),
        }),
        KQ.tableWrap(
          el('table', { id: 'months-table' },
            el('caption', {}, t('kgp.months.table')),
            el('thead', {}, el('tr', {},
              el('th', { scope: 'col' }, t('month')),
              el('th', { scope: 'col', class: 'num' }, t('kgp.newApplications')),
              el('th', { scope: 'col', class: 'num' }, t('kgp.waitingAtEnd')))),
            el('tbody', {}, data.months.map(m => el('tr', { 'data-month': m.month },
              el('th', { scope: 'row' }, label(m)),
              cell(m.newApplications, { 'data-field': 'newApplications' }),
              // The month in progress has not ended: nothing to count yet.
              m.waitingAtEnd ? cell(m.waitingAtEnd, { 'data-field': 'waitingAtEnd' })
                : el('td', { class: 'num', 'data-field': 'waitingAtEnd' }, '—')))))),
      ]);
  }

  KQ.addTexts({
    ru: {
      'kindergarten.title': 'Детский сад — очередь в детские сады',
      'kindergarten.heading': 'Детский сад',
      'kgp.title': '{name} — очередь в детские сады',
      'kgp.lead': 'Район: {district}. Данные на {date}', // the date ends with «г.»
      'kgp.failed': 'Не получилось показать детский сад',
      'kgp.missing': 'В адресе страницы не указан детский сад. Выберите его в таблице детских садов.',
      'kgp.notFound': 'Такого детского сада нет в реестре. Проверьте адрес или выберите сад в таблице детских садов.',
      'kgp.retry': 'Попробовать ещё раз',
      'kgp.toList': 'Все детские сады',
      'kgp.groups': 'Места и очередь по возрастным группам',
      'kgp.groups.table': 'Места и очередь в этот сад по возрастным группам',
      'kgp.group': 'Возрастная группа',
      'kgp.seats': 'Мест',
      'kgp.seatsNextYear': 'Мест на следующий год',
      'kgp.tiers': 'Кто ждёт места сейчас',
      'kgp.tiers.explain': 'Дети, которые ждут места в этом саду уже сейчас, по уровню очереди: у кого уровень выше, тот получает место раньше; внутри уровня — кто раньше встал в очередь.',
      'kgp.tiers.table': 'Ждут места сейчас: по уровню очереди и возрастной группе',
      'kgp.tier': 'Уровень очереди',
      'kgp.months': 'Как менялась очередь за 12 месяцев',
      'kgp.months.explain': 'Сколько новых заявлений указали этот сад в каждом месяце и сколько детей ждали места в нём в конце месяца.',
      'kgp.months.none': 'Пока нет данных по месяцам.',
      'kgp.months.chart': 'Новых заявлений с этим садом по месяцам',
      'kgp.months.table': 'Новые заявления и очередь в конце месяца',
      'kgp.newApplications': 'Новых заявлений',
      'kgp.waitingAtEnd': 'Ждали в конце месяца',
      'kgp.note': 'Ребёнок, указавший несколько садов, посчитан в каждом из них. Числа меньше 5 не показываются («< 5»), а некоторые другие скрыты, чтобы маленькое число нельзя было вычислить по суммам.',
    },
    en: {
      'kindergarten.title': 'Kindergarten — kindergarten queue',
      'kindergarten.heading': 'Kindergarten',
      'kgp.title': '{name} — kindergarten queue',
      'kgp.lead': 'District: {district}. Figures as of {date}.',
      'kgp.failed': 'The kindergarten could not be shown',
      'kgp.missing': 'The page address names no kindergarten. Choose one in the table of kindergartens.',
      'kgp.notFound': 'There is no such kindergarten in the register. Check the address or choose one in the table of kindergartens.',
      'kgp.retry': 'Try again',
      'kgp.toList': 'All kindergartens',
      'kgp.groups': 'Places and queue by age group',
      'kgp.groups.table': 'Places and queue at this kindergarten by age group',
      'kgp.group': 'Age group',
      'kgp.seats': 'Places',
      'kgp.seatsNextYear': 'Places next year',
      'kgp.tiers': 'Who is waiting now',
      'kgp.tiers.explain': 'Children waiting for a place at this kindergarten now, by priority tier: a higher tier gets a place first; within a tier, whoever applied earlier.',
      'kgp.tiers.table': 'Waiting now: by priority tier and age group',
      'kgp.tier': 'Priority tier',
      'kgp.months': 'The last 12 months',
      'kgp.months.explain': 'How many new applications listed this kindergarten each month, and how many children were waiting for it at the end of the month.',
      'kgp.months.none': 'No monthly figures yet.',
      'kgp.months.chart': 'New applications listing this kindergarten, by month',
      'kgp.months.table': 'New applications and the queue at the end of each month',
      'kgp.newApplications': 'New applications',
      'kgp.waitingAtEnd': 'Waiting at the end of the month',
      'kgp.note': 'A child who listed several kindergartens is counted at each. Numbers below 5 are not shown ("< 5"), and some others are hidden so that a small number cannot be worked out from the totals.',
    },
  });

  document.addEventListener('DOMContentLoaded', load);
  KQ.onLanguageChange(render);
})();
