// "How it works" (how.html: the Russian explainer for parents) and the document pages
// (docs.html?doc=spec|verifying|explainer). The document is fetched from /docs/… and rendered by
// markdown.js into plain DOM nodes. Above it, a short box links to the other documents and the
// check page and says which language the document is in; only that box follows the page language,
// the document itself is published in one language.
//
// DOM contract: #doc (data-doc names the document on how.html; docs.html reads ?doc=) gets
//   #doc-links  the box of links (a <nav>), re-rendered on a language change;
//   #doc-body   the rendered document, lang="ru"/"en", data-doc="<name>" once rendered; headings
//               carry GitHub-style ids, so /docs.html?doc=spec#76-… opens at §7.6;
//   #doc-contents a folded list of sections for a long document without its own (SPEC.md);
//   #doc-status a message when the document is unknown or could not be loaded (role="alert" on failure).
// #doc gets aria-busy="true" while loading and data-state="loading|ready|unknown|failed".
'use strict';

(() => {
  const DOCUMENTS = {
    explainer: { path: '/docs/explainer.ru.md', lang: 'ru', page: '/how.html' },
    spec: { path: '/docs/SPEC.md', lang: 'en', page: '/docs.html?doc=spec' },
    verifying: { path: '/docs/VERIFYING.md', lang: 'en', page: '/docs.html?doc=verifying' },
  };

  KQ.addTexts({
    ru: {
      'how.title': 'Как это работает',
      'docs.title': 'Документы',
      'docs.links.label': 'Другие документы',
      'docs.link.explainer': 'Как это работает',
      'docs.link.explainer.hint': 'простое объяснение для родителей, на русском',
      'docs.link.spec': 'Полные правила (спецификация)',
      'docs.link.spec.hint': 'точное описание для специалистов, на английском',
      'docs.link.verifying': 'Как проверяющие проверяют журнал программой kq',
      'docs.link.verifying.hint': 'инструкция для независимых проверяющих, на английском',
      'docs.link.check': 'Проверить самому',
      'docs.link.check.hint': 'проверьте квитанцию о включении заявления прямо в браузере',
      'docs.note.english': 'Этот документ на английском языке. Простое объяснение на русском — на странице «Как это работает».',
      'docs.unknown.title': 'Такого документа нет',
      'docs.unknown.text': 'Возможно, ссылка устарела или в ней опечатка. Вот документы, которые здесь опубликованы:',
      'docs.failed.title': 'Документ не загрузился',
      'docs.retry': 'Попробовать ещё раз',
      'docs.contents': 'Содержание',
    },
    en: {
      'how.title': 'How it works',
      'docs.title': 'Documents',
      'docs.links.label': 'Other documents',
      'docs.link.explainer': 'How it works',
      'docs.link.explainer.hint': 'a plain explanation for parents, in Russian',
      'docs.link.spec': 'The full rules (specification)',
      'docs.link.spec.hint': 'the exact description for specialists, in English',
      'docs.link.verifying': 'How validators check the log with the kq tool',
      'docs.link.verifying.hint': 'instructions for independent validators, in English',
      'docs.link.check': 'Check it yourself',
      'docs.link.check.hint': 'check the receipt for your application right in the browser',
      'docs.note.russian': 'This explanation for parents is written in Russian only. The full specification, which is the exact version of these rules, is in English.',
      'docs.unknown.title': 'There is no such document',
      'docs.unknown.text': 'The link may be out of date or mistyped. These are the documents published here:',
      'docs.failed.title': 'The document did not load',
      'docs.retry': 'Try again',
      'docs.contents': 'Contents',
    },
  });

  const state = { name: null, status: 'loading', failure: null, title: null };
  let root, links, status, body;

  document.addEventListener('DOMContentLoaded', () => {
    root = document.getElementById('doc');
    if (!root) return;
    state.name = root.dataset.doc || new URLSearchParams(location.search).get('doc') || '';
    links = KQ.el('nav', { id: 'doc-links', class: 'card doc-links' });
    status = KQ.el('div', { id: 'doc-status', 'aria-live': 'polite' });
    body = KQ.el('div', { id: 'doc-body' });
    KQ.fill(root, links, status, body);
    KQ.onLanguageChange(renderAround);
    if (!Object.hasOwn(DOCUMENTS, state.name)) { setStatus('unknown'); return; }
    load();
  });

  async function load() {
    const doc = DOCUMENTS[state.name];
    setStatus('loading');
    let result;
    try {
      const response = await fetch(doc.path, { headers: { Accept: 'text/markdown, text/plain' } });
      result = { ok: response.ok, status: response.status, text: response.ok ? await response.text() : '', retryAfter: Number(response.headers.get('Retry-After')) || null };
    } catch {
      result = { ok: false, status: 0, text: '', retryAfter: null };
    }
    if (!result.ok) { state.failure = result; setStatus('failed'); return; }

    KQ.fill(body, KQMarkdown.render(result.text, { linkDoc: (name, anchor) => `/docs.html?doc=${name}${anchor ? `#${anchor}` : ''}` }));
    body.lang = doc.lang;
    body.dataset.doc = state.name;
    addContents();
    const heading = body.querySelector('h1, h2');
    if (heading) {
      state.title = heading.textContent;
      // The title now names the document; the language switch must not put the shell's back.
      document.querySelector('title')?.removeAttribute('data-i18n');
    }
    setStatus('ready');
    scrollToHash();
  }

  /**
   * A long document without contents of its own (SPEC.md) gets a folded list of its sections
   * after the title, so a reader on a phone can jump to §7.4 without scrolling through 2,000 lines.
   */
  function addContents() {
    if (body.querySelector('a[href^="#"]')) return;                 // it has its own (the explainer)
    const sections = [...body.querySelectorAll('h2, h3')];
    if (sections.length < 12) return;
    const list = KQ.el('ol', {});
    let sub = null;
    for (const h of sections) {
      const item = KQ.el('li', {}, KQ.el('a', { href: `#${h.id}` }, h.textContent));
      if (h.tagName === 'H2' || !list.lastElementChild) { list.append(item); sub = null; }
      else {
        if (!sub) list.lastElementChild.append(sub = KQ.el('ol', {}));
        sub.append(item);
      }
    }
    const contents = KQ.el('details', { id: 'doc-contents', class: 'doc-contents' },
      KQ.el('summary', { 'data-i18n': 'docs.contents', lang: KQ.language }, KQ.t('docs.contents')), list);
    const title = body.querySelector('h1');
    if (title) title.after(contents); else body.prepend(contents);
  }

  // The browser looked for the #fragment before the document existed; look again now.
  function scrollToHash() {
    if (location.hash.length < 2) return;
    let id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch { return; }
    const target = document.getElementById(id);
    if (target && body.contains(target)) target.scrollIntoView();
  }

  function setStatus(next) {
    state.status = next;
    root.dataset.state = next;
    if (next === 'loading') root.setAttribute('aria-busy', 'true');
    else root.removeAttribute('aria-busy');
    renderAround();
  }

  function linkItem(key, href) {
    return KQ.el('li', {},
      KQ.el('a', { href }, KQ.t(`docs.link.${key}`)), ' — ',
      KQ.el('span', { class: 'hint' }, KQ.t(`docs.link.${key}.hint`)));
  }

  function linkList(except) {
    const items = [
      ['explainer', DOCUMENTS.explainer.page], ['spec', DOCUMENTS.spec.page],
      ['verifying', DOCUMENTS.verifying.page], ['check', '/check.html'],
    ].filter(([key]) => key !== except);
    return KQ.el('ul', {}, items.map(([key, href]) => linkItem(key, href)));
  }

  /** The box of links and the status message: everything on the page that follows the page language. */
  function renderAround() {
    const summary = body.querySelector('#doc-contents summary');
    if (summary) summary.lang = KQ.language;                       // its text follows the page, not the document
    if (state.title) document.title = `${state.title} — ${KQ.t('site.name')}`;
    const known = Object.hasOwn(DOCUMENTS, state.name);
    if (known) {
      const doc = DOCUMENTS[state.name];
      let note = null;
      if (doc.lang === 'ru' && KQ.language === 'en') note = KQ.el('p', { class: 'doc-language', lang: 'en' }, KQ.t('docs.note.russian'));
      if (doc.lang === 'en' && KQ.language === 'ru') note = KQ.el('p', { class: 'doc-language', lang: 'ru' }, KQ.t('docs.note.english'));
      links.hidden = false;
      links.setAttribute('aria-label', KQ.t('docs.links.label'));
      KQ.fill(links, note, linkList(state.name));
    } else {
      links.hidden = true;
      KQ.fill(links);
    }

    if (state.status === 'unknown') {
      document.title = `${KQ.t('docs.unknown.title')} — ${KQ.t('site.name')}`;
      KQ.fill(status, KQ.el('div', { class: 'message warn' },
        KQ.el('h1', {}, KQ.t('docs.unknown.title')),
        KQ.el('p', {}, KQ.t('docs.unknown.text')),
        linkList(null)));
    } else if (state.status === 'failed') {
      KQ.fill(status, KQ.el('div', { class: 'message bad', role: 'alert' },
        KQ.el('strong', {}, KQ.t('docs.failed.title')),
        KQ.el('p', {}, KQ.failureMessage(state.failure)),
        KQ.el('button', { type: 'button', class: 'secondary', onclick: load }, KQ.t('docs.retry'))));
    } else if (state.status === 'loading') {
      KQ.fill(status, KQ.el('p', { class: 'muted' }, KQ.t('loading')));
    } else {
      KQ.fill(status);
    }
  }
})();
