// Shared by every page of the public site: language (Russian by default, English on request),
// the header with navigation and the language switch, the footer, a tiny DOM builder, JSON
// fetching that turns problem details into plain messages, and how numbers, dates and
// suppressed small cells are shown. No framework and no build step: the service serves this file
// as it is.
'use strict';

const KQ = (() => {
  const LANGUAGES = ['ru', 'en'];
  const dictionary = { ru: {}, en: {} };
  const listeners = [];

  /** Adds a page's texts: { ru: { key: text }, en: { key: text } }. Texts may hold {name} slots. */
  function addTexts(texts) {
    for (const l of LANGUAGES) Object.assign(dictionary[l], texts[l] || {});
  }

  // The language comes from ?lang= (so a link can carry it), then the visitor's last choice.
  function initialLanguage() {
    const asked = new URLSearchParams(location.search).get('lang');
    if (LANGUAGES.includes(asked)) return asked;
    try {
      const saved = localStorage.getItem('kq.lang');
      if (LANGUAGES.includes(saved)) return saved;
    } catch { /* storage may be disabled; Russian then */ }
    return 'ru';
  }

  let language = initialLanguage();

  const pluralRules = {};
  /** The plural category of n in the current language: Russian one / few / many, English one / other. */
  function pluralCategory(n) {
    pluralRules[language] ??= new Intl.PluralRules(language);
    return pluralRules[language].select(n);
  }

  /**
   * The form of a counted noun for n: the texts hold "plural.NOUN.one", ".few", ".many" (Russian:
   * 1 запись, 2–4 записи, 5–20 записей, 11–14 записей, 21 запись) and ".one", ".other" (English).
   * A category the language lacks falls back to "many", then "other".
   */
  function plural(noun, n) {
    const base = `plural.${noun}`;
    for (const form of [pluralCategory(n), 'many', 'other']) {
      const text = dictionary[language][`${base}.${form}`];
      if (text !== undefined) return text;
    }
    return noun;
  }

  /**
   * The text for a key in the current language (Russian if English lacks it), slots filled. A slot
   * "{size:entry}" takes a number and prints it with its noun in the right plural form
   * ("15 802 записи"), so no text has to pick one form for every count.
   */
  function t(key, slots) {
    let text = dictionary[language][key] ?? dictionary.ru[key];
    if (text === undefined) return key;
    if (slots) {
      text = text.replace(/\{(\w+)(?::(\w+))?\}/g, (m, name, noun) => {
        if (!(name in slots)) return m;
        if (!noun) return String(slots[name]);
        const n = Number(slots[name]);
        return Number.isFinite(n) ? `${number(n)}\u00a0${plural(noun, n)}` : String(slots[name]);
      });
    }
    return text;
  }

  /**
   * A kindergarten's name inside quotation marks, unless the name already has its own: «Детский сад
   * №15 «Радуга»» would nest them, so such a name stays as it is.
   */
  function quotedName(name) {
    const text = String(name ?? '');
    if (/[«»"“”„]/.test(text)) return text;
    return language === 'ru' ? `«${text}»` : `“${text}”`;
  }

  /**
   * Fills static markup: data-i18n="key" sets the text, data-i18n-attr="attr:key;attr:key" sets
   * attributes (placeholder, aria-label, title, content).
   */
  function applyTexts(root = document) {
    for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
    for (const node of root.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of node.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split(':').map(s => s.trim());
        if (attr && key) node.setAttribute(attr, t(key));
      }
    }
  }

  /** Pages re-render what they built from data when the language changes. */
  function onLanguageChange(callback) { listeners.push(callback); }

  function setLanguage(next) {
    if (!LANGUAGES.includes(next) || next === language) return;
    language = next;
    try { localStorage.setItem('kq.lang', next); } catch { /* not remembered then */ }
    const url = new URL(location.href);
    if (url.searchParams.has('lang')) { url.searchParams.set('lang', next); history.replaceState(null, '', url); }
    document.documentElement.lang = next;
    applyTexts();
    renderChrome();
    for (const callback of listeners) callback(next);
  }

  /**
   * A DOM element: el('a', { href: '/x', class: 'y' }, 'text', child). Strings become text nodes,
   * never markup, so data from the API cannot inject HTML. Attributes with null/false are skipped.
   */
  function el(tag, attributes, ...children) {
    const svg = ['svg', 'g', 'rect', 'text', 'line', 'title', 'desc', 'path', 'circle', 'polyline', 'tspan'].includes(tag);
    const node = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Replaces a node's children. */
  function fill(node, ...children) {
    node.replaceChildren();
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /**
   * A table in a box that scrolls sideways on a phone (the page itself never does). The box is a
   * named region a keyboard can reach, so its hidden columns can be scrolled to without a mouse;
   * its name is the table's caption unless one is given.
   */
  function tableWrap(table, label) {
    const name = label || table.querySelector('caption')?.textContent || t('table');
    const wrap = el('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': name }, table);
    const hint = el('p', { class: 'scroll-hint', 'aria-hidden': 'true', hidden: true }, t('table.scrollHint'));
    const box = el('div', { class: 'table-box' }, hint, wrap);
    watchOverflow(box, wrap, hint);
    return box;
  }

  /**
   * A table wider than its box says so: the box gets data-overflow (CSS shades the edge that has
   * more to show) and a hint "листайте вбок" shows above it; both follow scrolling and resizing.
   */
  function watchOverflow(box, wrap, hint) {
    const update = () => {
      const more = wrap.scrollWidth - wrap.clientWidth;
      const overflows = more > 1;
      hint.hidden = !overflows;
      if (overflows) box.dataset.overflow = 'true'; else delete box.dataset.overflow;
      if (overflows && wrap.scrollLeft > 1) box.dataset.scrolledStart = 'true'; else delete box.dataset.scrolledStart;
      if (overflows && wrap.scrollLeft < more - 1) box.dataset.moreRight = 'true'; else delete box.dataset.moreRight;
    };
    wrap.addEventListener('scroll', update, { passive: true });
    if (typeof ResizeObserver === 'function') {
      const observer = new ResizeObserver(update);
      observer.observe(wrap);
      // The table changes width when rows are filled in (the dashboard's search, "show more").
      const table = wrap.firstElementChild;
      if (table) observer.observe(table);
    }
    requestAnimationFrame(update);
  }

  /**
   * Calls the API. Resolves to { ok, status, body, text, retryAfter }; never throws for HTTP
   * errors, and a network failure comes back as status 0, so pages always have something to say.
   */
  async function request(path, options = {}) {
    try {
      const response = await fetch(path, { ...options, headers: { Accept: 'application/json', ...(options.headers || {}) } });
      const text = await response.text();
      let body = null;
      try { body = text ? JSON.parse(text) : null; } catch { body = null; }
      return { ok: response.ok, status: response.status, body, text, retryAfter: Number(response.headers.get('Retry-After')) || null };
    } catch {
      return { ok: false, status: 0, body: null, text: '', retryAfter: null };
    }
  }

  const getJson = path => request(path);
  const postJson = (path, value) => request(path, {
    method: 'POST', body: JSON.stringify(value), headers: { 'Content-Type': 'application/json' },
  });

  /** A plain sentence for a failed call, in the current language. */
  function failureMessage(result) {
    if (result.status === 0) return t('error.network');
    if (result.status === 429) return t('error.tooMany', { seconds: result.retryAfter || 60 });
    if (result.status === 503) return t('error.notReady');
    return t('error.generic', { status: result.status });
  }

  const numberFormats = {};
  /** 12 345 in Russian, 12,345 in English. */
  function number(n) {
    numberFormats[language] ??= new Intl.NumberFormat(language === 'ru' ? 'ru-RU' : 'en-GB');
    return numberFormats[language].format(n);
  }

  /** A local date "2026-11-23" as "23 ноября 2026 г." / "23 November 2026" (no time zone shift). */
  function date(isoDate) {
    if (!isoDate) return '';
    const [y, m, d] = isoDate.split('-').map(Number);
    if (!d) return isoDate;
    return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(language === 'ru' ? 'ru-RU' : 'en-GB',
      { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  }

  /** A span of seconds as "2 ч 5 мин" / "2 h 5 min" (under a minute: "меньше минуты"); null: "—". */
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    const minutes = Math.floor(seconds / 60);
    if (minutes < 1) return t('duration.underMinute');
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const rest = minutes % 60;
    return [days ? t('duration.d', { n: days }) : '', hours ? t('duration.h', { n: hours }) : '', rest ? t('duration.m', { n: rest }) : '']
      .filter(Boolean).join(' ');
  }

  /** The address of a kindergarten's own page (seats, queue by group and tier, 12 months). */
  const kindergartenHref = id => `/kindergarten.html?id=${encodeURIComponent(id)}`;

  /** A month "2026-11" as "ноябрь 2026 г." / "November 2026", or short ("нояб." / "Nov"). */
  function month(yearMonth, long = true) {
    const [y, m] = yearMonth.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString(language === 'ru' ? 'ru-RU' : 'en-GB',
      long ? { month: 'long', year: 'numeric', timeZone: 'UTC' } : { month: 'short', timeZone: 'UTC' });
  }

  /** An instant "2026-11-22T23:42:34.934Z" in the reader's own time zone. */
  function dateTime(isoInstant) {
    if (!isoInstant) return '';
    const at = new Date(isoInstant);
    if (Number.isNaN(at.getTime())) return isoInstant;
    return at.toLocaleString(language === 'ru' ? 'ru-RU' : 'en-GB',
      { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  /**
   * A published count as the API gives it: a number, or null with a marker ("<5" below the
   * threshold; "hidden" when secondary suppression hid it so that no small cell can be worked
   * out). Returns { value, marker } with value null when suppressed.
   */
  function countOf(value, marker) {
    if (value !== null && value !== undefined) return { value, marker: null };
    return { value: null, marker: marker || 'hidden' };
  }

  /** A count's text: the number, "< 5" or "скрыто". */
  function countText(count) {
    if (count.value !== null && count.value !== undefined) return number(count.value);
    return count.marker === '<5' ? '< 5' : t('cell.hidden');
  }

  /** A count as a <span> with its text, and a spoken label for "< 5" and "скрыто". */
  function countCell(count) {
    if (count.value !== null && count.value !== undefined) return el('span', { class: 'count' }, countText(count));
    const title = t(count.marker === '<5' ? 'cell.small.title' : 'cell.hidden.title');
    return el('span', { class: `count ${count.marker === '<5' ? 'small' : 'hidden'}`, title, 'aria-label': title }, countText(count));
  }

  /** An age group's or a priority tier's name; an id the texts do not know stays as it is. */
  const groupName = id => (id ? (t(`group.${id}`) === `group.${id}` ? id : t(`group.${id}`)) : '');
  const tierName = id => (id ? (t(`tier.${id}`) === `tier.${id}` ? id : t(`tier.${id}`)) : '');

  const PAGES = [
    { id: 'dashboard', href: '/', key: 'nav.dashboard' },
    { id: 'position', href: '/position.html', key: 'nav.position' },
    { id: 'check', href: '/check.html', key: 'nav.check' },
    { id: 'signals', href: '/signals.html', key: 'nav.signals' },
    { id: 'how', href: '/how.html', key: 'nav.how' },
  ];

  // The header and footer are the same on every page; the page names itself in <body data-page>.
  function renderChrome() {
    const current = document.body.dataset.page;
    const header = document.getElementById('site-header');
    if (header) {
      fill(header,
        el('div', { class: 'bar' },
          el('a', { class: 'brand', href: '/' }, t('site.name')),
          el('button', {
            id: 'lang-switch', type: 'button', class: 'lang', lang: language === 'ru' ? 'en' : 'ru',
            'aria-label': language === 'ru' ? 'Switch to English' : 'Переключить на русский',
            onclick: () => setLanguage(language === 'ru' ? 'en' : 'ru'),
          }, language === 'ru' ? 'English' : 'Русский')),
        el('nav', { 'aria-label': t('nav.label') },
          el('ul', {}, PAGES.map(p => el('li', {},
            el('a', { href: p.href, 'aria-current': p.id === current ? 'page' : null }, t(p.key)))))));
    }
    const footer = document.getElementById('site-footer');
    if (footer) {
      fill(footer,
        el('p', {}, t('footer.about')),
        el('p', {},
          el('a', { href: '/docs.html?doc=spec' }, t('footer.spec')), ' · ',
          el('a', { href: '/docs.html?doc=verifying' }, t('footer.verifying')), ' · ',
          el('a', { href: '/api/v1/public/log' }, t('footer.log')), ' · ',
          el('a', { href: '/swagger' }, t('footer.api'))));
    }
  }

  addTexts({
    ru: {
      'site.name': 'Очередь в детские сады',
      'skip': 'Перейти к содержанию',
      'nav.label': 'Разделы сайта',
      'nav.dashboard': 'Статистика очереди',
      'nav.position': 'Моё место в очереди',
      'nav.check': 'Проверить самому',
      'nav.how': 'Как это работает',
      'nav.signals': 'Сигналы',
      'duration.underMinute': 'меньше минуты',
      'duration.d': '{n} дн.', 'duration.h': '{n} ч', 'duration.m': '{n} мин',
      'footer.about': 'Места распределяет программа по опубликованным правилам. Каждое решение записано в открытый журнал, который может проверить любой. Личных данных детей на этом сайте нет.',
      'footer.spec': 'Полные правила (SPEC, англ.)',
      'footer.verifying': 'Как проверить журнал (англ.)',
      'footer.log': 'Журнал целиком',
      'footer.api': 'API для разработчиков',
      'error.network': 'Не удалось связаться с сервером. Проверьте подключение к интернету и попробуйте ещё раз.',
      'error.tooMany': 'Слишком много запросов с вашего адреса. Попробуйте снова через {seconds} с.',
      'error.notReady': 'Данные сейчас обновляются. Попробуйте через несколько секунд.',
      'error.generic': 'Что-то пошло не так (код {status}). Попробуйте позже.',
      'cell.small.title': 'меньше 5: точное число скрыто, чтобы нельзя было узнать конкретного ребёнка',
      'cell.hidden': 'скрыто',
      'cell.hidden.title': 'скрыто, чтобы по сумме нельзя было вычислить маленькое число',
      'loading': 'Загрузка…',
      'table': 'Таблица',
      'table.scrollHint': 'Таблица шире экрана: листайте её вбок →',
      'total': 'Всего',
      // Counted nouns, for slots such as {size:entry} (see t and plural).
      'plural.entry.one': 'запись', 'plural.entry.few': 'записи', 'plural.entry.many': 'записей',
      // After «по» (dative): по 1 записи, по 2 записям, по 15 802 записям.
      'plural.entryDative.one': 'записи', 'plural.entryDative.few': 'записям', 'plural.entryDative.many': 'записям',
      'plural.day.one': 'день', 'plural.day.few': 'дня', 'plural.day.many': 'дней',
      'measure.waitingNow': 'Ждут места сейчас',
      'measure.waitingLater': 'Ждут с более поздней даты',
      'measure.offered': 'Получили направление',
      'measure.enrolled': 'Зачислены',
      'month': 'Месяц',
      'month.soFar': '(ещё идёт)',
      'group.early': 'Ранний возраст (1–2 года)',
      'group.junior': 'Младшая (3 года)',
      'group.middle': 'Средняя (4 года)',
      'group.senior': 'Старшая (5 лет)',
      'group.preparatory': 'Подготовительная (6 лет)',
      'tier.extraordinary': 'Внеочередное право',
      'tier.first': 'Первоочередное право',
      'tier.sibling': 'Брат или сестра в этом саду',
      'tier.catchment': 'Живут рядом с садом',
      'tier.general': 'Общая очередь',
    },
    en: {
      'site.name': 'Kindergarten queue',
      'skip': 'Skip to content',
      'nav.label': 'Site sections',
      'nav.dashboard': 'Queue statistics',
      'nav.position': 'My place in the queue',
      'nav.check': 'Check it yourself',
      'nav.how': 'How it works',
      'nav.signals': 'Signals',
      'duration.underMinute': 'under a minute',
      'duration.d': '{n} d', 'duration.h': '{n} h', 'duration.m': '{n} min',
      'footer.about': 'Places are assigned by a program following published rules. Every decision is written to a public log that anyone can check. This site holds no personal data of children.',
      'footer.spec': 'Full rules (SPEC)',
      'footer.verifying': 'How to verify the log',
      'footer.log': 'The whole log',
      'footer.api': 'API for developers',
      'error.network': 'Could not reach the server. Check your internet connection and try again.',
      'error.tooMany': 'Too many requests from your address. Try again in {seconds} s.',
      'error.notReady': 'The figures are being updated. Try again in a few seconds.',
      'error.generic': 'Something went wrong (code {status}). Please try later.',
      'cell.small.title': 'fewer than 5: the exact number is hidden so that no child can be identified',
      'cell.hidden': 'hidden',
      'cell.hidden.title': 'hidden so that a small number cannot be worked out from the totals',
      'loading': 'Loading…',
      'table': 'Table',
      'table.scrollHint': 'The table is wider than the screen: scroll it sideways →',
      'total': 'Total',
      'plural.entry.one': 'entry', 'plural.entry.other': 'entries',
      'plural.entryDative.one': 'entry', 'plural.entryDative.other': 'entries',
      'plural.day.one': 'day', 'plural.day.other': 'days',
      'measure.waitingNow': 'Waiting now',
      'measure.waitingLater': 'Waiting for a later date',
      'measure.offered': 'Offered a place',
      'measure.enrolled': 'Enrolled',
      'month': 'Month',
      'month.soFar': '(in progress)',
      'group.early': 'Early years (1–2)',
      'group.junior': 'Junior (3)',
      'group.middle': 'Middle (4)',
      'group.senior': 'Senior (5)',
      'group.preparatory': 'Preparatory (6)',
      'tier.extraordinary': 'Extraordinary right',
      'tier.first': 'First-priority right',
      'tier.sibling': 'Sibling at this kindergarten',
      'tier.catchment': 'Lives near the kindergarten',
      'tier.general': 'General queue',
    },
  });

  // Page scripts are deferred and run after this one; they add their texts before DOMContentLoaded.
  document.addEventListener('DOMContentLoaded', () => {
    document.documentElement.lang = language;
    applyTexts();
    renderChrome();
  });

  return {
    addTexts, t, plural, quotedName, applyTexts, onLanguageChange, setLanguage, el, fill, tableWrap, request, getJson, postJson, failureMessage,
    number, date, month, dateTime, duration, kindergartenHref, countOf, countText, countCell, groupName, tierName, get language() { return language; },
  };
})();
