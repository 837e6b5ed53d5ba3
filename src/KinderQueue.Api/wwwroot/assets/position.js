// The position page: a parent enters the application number and the access code (sent in a POST
// body, never in the address, so they stay out of history, logs and referrers) and sees the
// status, the place in each kindergarten's queue, how and why that place changed, the offer and
// its deadline, and each kindergarten's figures. "What is public" shows the application's own entry
// as the public log serves it, field by field with why each is public (SPEC.md §16.1). The receipt
// button fetches the proof that the application is in the public log and hands it to the check page.
'use strict';

(() => {
  const { el, t, fill } = KQ;
  let report = null;
  let credentials = null; // kept in memory only, for the receipt request
  // The application's own log entry, fetched when the parent opens "what is public" (one small,
  // immutable line) and kept for a language switch: { seq, open, state, entry, problem }.
  let published = null;
  // The parent's answer to the offer on this page: null, or { response: 'accept' | 'decline',
  // state: 'confirm' | 'sending' | 'done' | 'closed' | 'failed', key, seq, problem }. The key is the
  // Idempotency-Key of this one answer, so a retry after a lost reply cannot answer twice.
  let answer = null;

  const { groupName, tierName } = KQ;
  const ordinal = n => t('pos.place', { n: KQ.number(n) });

  function form() {
    return el('form', { id: 'lookup-form', method: 'post', action: '/position.html', novalidate: true, onsubmit: submit },
      el('p', {}, t('pos.intro')),
      el('label', { for: 'app-number' }, t('pos.number'), el('span', { class: 'hint', id: 'app-number-hint' }, t('pos.number.hint'))),
      el('input', { id: 'app-number', name: 'number', type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters', 'aria-describedby': 'app-number-hint', required: true, maxlength: 64 }),
      el('label', { for: 'access-code' }, t('pos.code'), el('span', { class: 'hint', id: 'access-code-hint' }, t('pos.code.hint'))),
      el('input', { id: 'access-code', name: 'accessCode', type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters', 'aria-describedby': 'access-code-hint', required: true, maxlength: 64 }),
      el('div', {}, el('button', { type: 'submit', class: 'primary', id: 'lookup-submit' }, t('pos.show'))),
      el('p', { class: 'muted' }, t('pos.privacy')));
  }

  async function submit(event) {
    event.preventDefault();
    const number = document.getElementById('app-number').value.trim();
    const accessCode = document.getElementById('access-code').value.trim();
    const result = document.getElementById('position-result');
    if (!number || !accessCode) {
      showError('missing', t('pos.missing'), null);
      (number ? document.getElementById('access-code') : document.getElementById('app-number')).focus();
      return;
    }
    const button = document.getElementById('lookup-submit');
    button.disabled = true;
    fill(result, el('p', {}, t('loading')));
    const response = await KQ.postJson('/api/v1/public/positions', { number, accessCode });
    button.disabled = false;
    if (response.ok && response.body) {
      report = response.body;
      credentials = { number, accessCode };
      answer = null;
      published = { seq: report.seq, open: false, state: 'idle', entry: null, problem: null };
      renderReport();
      document.getElementById('report-heading')?.focus();
      return;
    }
    report = null;
    credentials = null;
    published = null;
    if (response.status === 404) showError('not-found', t('pos.notFound.title'), t('pos.notFound'));
    else if (response.status === 400) showError('invalid', t('pos.missing'), null);
    else showError(response.status === 429 ? 'too-many' : 'failed', t('pos.failed'), KQ.failureMessage(response));
  }

  function showError(kind, title, text) {
    const result = document.getElementById('position-result');
    fill(result, el('div', { class: 'message bad', id: 'lookup-error', 'data-error': kind, role: 'alert' },
      el('strong', {}, title), text ? el('p', {}, text) : null));
  }

  // ------------------------------------------------------------------ the report

  function renderReport() {
    if (!report) return;
    const r = report;
    const result = document.getElementById('position-result');
    fill(result,
      el('h2', { id: 'report-heading', tabindex: '-1' }, t('pos.report', { number: r.number })),
      answerResult(),
      el('div', { class: `message ${r.status === 'offered' ? 'warn' : 'good'}`, id: 'status', 'data-status': r.status },
        el('strong', {}, t(`status.${r.status}`)),
        el('p', {}, t(`status.${r.status}.explain`))),
      offerCard(r), placementCard(r),
      el('dl', { class: 'facts' },
        fact(t('pos.registered'), KQ.dateTime(r.registeredAt)),
        fact(t('pos.desiredStart'), KQ.date(r.desiredStart)),
        fact(t('pos.asOf'), t('pos.asOf.value', { date: KQ.date(r.asOf.date), size: KQ.number(r.asOf.logSize) })),
        r.claims.length ? fact(t('pos.claims'), r.claims.map(c => t('pos.claim', { tier: tierName(c.tier), review: t(`review.${c.review}`) })).join('; ')) : null),
      projectionCard(r),
      el('h2', {}, t('pos.queues')),
      r.queues.length === 0 ? el('p', {}, t('pos.noQueues')) : r.queues.map((q, i) => queueCard(q, r.kindergartens[i], i)),
      r.formerQueues.length ? [el('h2', {}, t('pos.former')), r.formerQueues.map(q => queueCard(q, null, -1))] : null,
      publishedBlock(),
      receiptBlock());
  }

  const fact = (term, value) => [el('dt', {}, term), el('dd', {}, value)];

  function offerCard(r) {
    if (!r.offer) return null;
    const o = r.offer;
    return el('div', { class: 'card', id: 'offer' },
      el('h3', {}, t('pos.offer')),
      el('p', {}, t('pos.offer.text', { kg: KQ.quotedName(o.kindergartenName), group: groupName(o.group), year: o.year })),
      el('p', {}, el('strong', {}, t('pos.offer.deadline', { date: KQ.date(o.deadline) }))),
      el('p', {}, t('pos.offer.how')),
      credentials ? answerControls(o) : null);
  }

  // ------------------------------------------------------------------ answering the offer

  /** Accept and decline, each asking «Вы уверены?» first; nothing is sent before the second click. */
  function answerControls(o) {
    const kg = KQ.quotedName(o.kindergartenName);
    if (answer && (answer.state === 'confirm' || answer.state === 'sending')) {
      const sending = answer.state === 'sending';
      return el('div', { class: 'message warn offer-confirm', id: 'offer-confirm', role: 'group', 'aria-labelledby': 'offer-confirm-q', 'data-response': answer.response },
        el('strong', { id: 'offer-confirm-q', tabindex: '-1' }, t('offer.confirm.question')),
        el('p', {}, t(`offer.confirm.${answer.response}`, { kg })),
        el('button', { type: 'button', class: 'primary', id: 'offer-confirm-yes', disabled: sending, onclick: sendAnswer }, t(`offer.confirm.yes.${answer.response}`)),
        el('button', { type: 'button', class: 'secondary', id: 'offer-confirm-no', disabled: sending, onclick: () => { answer = null; renderReport(); document.getElementById('offer-accept')?.focus(); } }, t('offer.confirm.no')),
        sending ? el('p', { role: 'status' }, t('offer.sending')) : null);
    }
    const ask = response => () => {
      answer = { response, state: 'confirm', key: newKey(), seq: null, problem: null };
      renderReport();
      document.getElementById('offer-confirm-q')?.focus();
    };
    return el('div', { class: 'offer-answer' },
      el('button', { type: 'button', class: 'primary', id: 'offer-accept', onclick: ask('accept') }, t('offer.accept')),
      el('button', { type: 'button', class: 'secondary', id: 'offer-decline', onclick: ask('decline') }, t('offer.decline')));
  }

  /** A random Idempotency-Key; crypto.randomUUID exists only on https and localhost. */
  function newKey() {
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    return [...crypto.getRandomValues(new Uint8Array(16))].map(b => b.toString(16).padStart(2, '0')).join('');
  }

  async function sendAnswer() {
    if (!answer || !credentials) return;
    answer.state = 'sending';
    renderReport();
    const result = await KQ.request('/api/v1/public/offer-response', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': answer.key },
      body: JSON.stringify({ ...credentials, response: answer.response }),
    });
    if (result.ok) {
      answer.state = 'done';
      answer.seq = result.body?.seq ?? null;
    } else if (result.status === 409) {
      answer.state = 'closed';
    } else {
      answer.state = 'failed';
      answer.problem = KQ.failureMessage(result);
    }
    await refreshReport(answer.state === 'done');
    renderReport();
    document.getElementById('offer-result')?.focus();
  }

  /**
   * The report again after an answer. The public figures follow the log a moment behind the
   * write, so while the report still shows the offer that was just answered, ask again shortly.
   */
  async function refreshReport(answered) {
    for (let attempt = 0; attempt < 8; attempt++) {
      const response = await KQ.postJson('/api/v1/public/positions', credentials);
      if (!response.ok || !response.body) return;
      report = response.body;
      if (!answered || report.status !== 'offered') return;
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  }

  /** What became of the answer, above the status: done, refused (no longer open) or failed. */
  function answerResult() {
    if (!answer || !['done', 'closed', 'failed'].includes(answer.state)) return null;
    const kind = answer.state === 'done' ? 'good' : 'bad';
    const title = answer.state === 'done' ? t(`offer.done.${answer.response}`)
      : answer.state === 'closed' ? t('offer.closed.title') : t('offer.failed');
    const text = answer.state === 'done' ? (answer.seq === null ? null : t('offer.done.text', { seq: KQ.number(answer.seq) }))
      : answer.state === 'closed' ? t('offer.closed') : answer.problem;
    return el('div', { class: `message ${kind}`, id: 'offer-result', tabindex: '-1', role: answer.state === 'done' ? 'status' : 'alert', 'data-result': answer.state, 'data-response': answer.response },
      el('strong', {}, title), text ? el('p', {}, text) : null,
      answer.state === 'failed' ? el('button', { type: 'button', class: 'secondary', id: 'offer-retry', onclick: sendAnswer }, t('offer.retry')) : null);
  }

  function placementCard(r) {
    if (!r.placement) return null;
    const p = r.placement;
    return el('div', { class: 'card', id: 'placement' },
      el('h3', {}, t('pos.placement')),
      el('p', {}, t('pos.placement.text', { kg: KQ.quotedName(p.kindergartenName), group: groupName(p.group), year: p.year })),
      p.outsideAlgorithm ? el('p', {}, t('pos.placement.outside')) : null);
  }

  function projectionCard(r) {
    const p = r.projection;
    if (!p) return null;
    const names = new Map(r.queues.map(q => [q.kindergarten, q.kindergartenName]));
    return el('div', { class: 'card', id: 'projection' },
      el('h3', {}, t('pos.projection')),
      el('p', {}, t('pos.projection.explain', { date: KQ.date(p.date) })),
      el('p', {}, el('strong', {}, t(`projection.${p.status}`, { kg: KQ.quotedName(names.get(p.kindergarten) ?? p.kindergarten ?? '') }))),
      p.preferences.length ? el('ul', {}, p.preferences.map(pref => el('li', {},
        `${names.get(pref.kindergarten) ?? pref.kindergarten}: `,
        t(`outcome.${pref.outcome}`, { seats: KQ.number(pref.seats ?? 0) }),
        pref.lastAdmitted ? ` ${t('outcome.last', { tier: tierName(pref.lastAdmitted.tier), date: KQ.dateTime(pref.lastAdmitted.registeredAt) })}` : ''))) : null,
      el('p', { class: 'muted' }, t('pos.projection.note')));
  }

  function queueCard(q, brief, index) {
    const waiting = q.position !== null && q.position !== undefined;
    return el('section', { class: 'card queue', 'data-kindergarten': q.kindergarten, 'aria-labelledby': `q-${q.kindergarten}` },
      el('h3', { id: `q-${q.kindergarten}` }, index >= 0 ? t('pos.choice', { n: index + 1, kg: q.kindergartenName }) : q.kindergartenName),
      waiting
        ? el('p', { class: 'position', 'data-position': q.position, 'data-total': q.total },
          el('strong', {}, t('pos.position', { n: KQ.number(q.position), total: KQ.number(q.total) })), ' ',
          t('pos.position.queue', { group: groupName(q.group), year: q.year, tier: tierName(q.tier) }),
          q.from && q.from !== report.asOf.date ? ` ${t('pos.position.from', { date: KQ.date(q.from) })}` : '')
        : el('p', { class: 'position' }, t('pos.notInQueue')),
      brief ? briefBlock(brief) : null,
      el('h4', {}, t('pos.history')),
      q.history.length === 0 ? el('p', {}, t('pos.history.none'))
        : el('ol', { class: 'timeline', reversed: true }, [...q.history].reverse().map(step => stepItem(step))));
  }

  function briefBlock(b) {
    const count = c => KQ.countCell(KQ.countOf(c?.value, c?.marker));
    return el('details', { class: 'numbers' },
      el('summary', {}, t('pos.brief', { district: b.districtName })),
      el('p', {}, t('pos.brief.seats', { group: groupName(b.group), seats: KQ.number(b.seats) })),
      KQ.tableWrap(
        el('table', {},
          el('caption', {}, t('pos.brief.caption')),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('pos.brief.tier')),
            el('th', { scope: 'col', class: 'num' }, t('pos.brief.waiting')), el('th', { scope: 'col', class: 'num' }, t('pos.brief.later')))),
          el('tbody', {},
            b.tiers.map((tier, i) => el('tr', {}, el('th', { scope: 'row' }, tierName(tier)),
              el('td', { class: 'num' }, count(b.waitingNow.byTier[i])), el('td', { class: 'num' }, count(b.waitingLater?.byTier[i])))),
            el('tr', {}, el('th', { scope: 'row' }, t('total')),
              el('td', { class: 'num' }, count(b.waitingNow.total)), el('td', { class: 'num' }, count(b.waitingLater?.total)))))),
      // A parent compares this table with their place: say why the queue can hold more children than "waiting now".
      el('p', { class: 'hint' }, t('pos.brief.note')),
      el('p', {}, t('pos.brief.offered'), ' ', count(b.offered), '; ', t('pos.brief.enrolled'), ' ', count(b.enrolled), '.'),
      el('p', {}, el('a', { href: KQ.kindergartenHref(b.id) }, t('pos.brief.all'))));
  }

  function stepItem(step) {
    let change;
    if (step.before === null && step.after !== null) change = t('step.joined', { place: ordinal(step.after) });
    else if (step.before !== null && step.after === null) change = t('step.left', { place: ordinal(step.before) });
    else if (step.before === null && step.after === null) change = t('step.outside');
    else if (step.before === step.after) change = t('step.same', { place: ordinal(step.after) });
    else change = t('step.moved', { before: KQ.number(step.before), after: KQ.number(step.after) });
    return el('li', { 'data-before': step.before ?? '', 'data-after': step.after ?? '' },
      el('span', { class: 'when' }, KQ.date(step.date)),
      el('span', { class: 'change' }, change),
      el('ul', {}, step.reasons.map(reason => el('li', { 'data-reason': reason.reason },
        reasonText(reason, step), ' ', entryLinks(reason)))));
  }

  function reasonText(reason, step) {
    const n = Math.abs(reason.count);
    const slots = { n: KQ.number(n), status: step.status ? t(`status.${step.status}`).toLowerCase() : '' };
    if (reason.reason === 'capacity' && step.seats) {
      return t('reason.capacity', { before: step.seats.before === null ? '—' : KQ.number(step.seats.before), after: KQ.number(step.seats.after) });
    }
    if (reason.reason === 'own-status') return t('reason.own-status', slots);
    return t(`reason.${reason.reason}`, slots);
  }

  /** The log entries behind a reason: anyone can open them. */
  function entryLinks(reason) {
    if (!reason.seqs.length) return null;
    const shown = reason.seqs.slice(0, 5);
    const rest = reason.seqs.length - shown.length + reason.more;
    return el('span', { class: 'muted' }, `(${t('step.entries')} `,
      shown.map((seq, i) => [i ? ', ' : '', el('a', { href: `/api/v1/public/log?from=${seq}&count=1`, 'aria-label': t('step.entry', { seq }) }, `№${seq}`)]),
      rest > 0 ? ` ${t('step.more', { n: KQ.number(rest) })}` : '', ')');
  }

  // ------------------------------------------------------------------ what is public

  // The fields of an application.submitted entry and of every entry's envelope that SPEC.md §16.1
  // and §6 explain; a field the page does not know is still shown, with a general line.
  const PAYLOAD_FIELDS = ['birthMonth', 'channel', 'claims', 'commitment', 'desiredStart', 'district', 'kind', 'number', 'preferences', 'registeredAt'];
  const ENTRY_FIELDS = ['actor', 'at', 'prev', 'seq', 'type'];

  function publishedBlock() {
    return el('section', { class: 'card', id: 'published', 'aria-labelledby': 'published-h' },
      el('h2', { id: 'published-h' }, t('pub.heading')),
      el('p', {}, t('pub.intro')),
      el('details', { id: 'published-details', open: published.open, ontoggle: toggled },
        el('summary', {}, t('pub.show', { seq: published.seq })),
        el('div', { id: 'published-content', 'aria-live': 'polite' }, publishedContent())),
      el('p', { id: 'not-published' }, el('strong', {}, t('pub.not.title')), ' ', t('pub.not')));
  }

  function toggled(event) {
    if (!published) return;
    published.open = event.currentTarget.open;
    // A failed fetch is tried again the next time the parent opens the section.
    if (published.open && (published.state === 'idle' || published.state === 'failed')) loadEntry(published);
  }

  /** Fetches the entry from the public log, as anyone can; the report only says which seq to ask for. */
  async function loadEntry(target) {
    target.state = 'loading';
    redrawPublished(target);
    const response = await KQ.request(`/api/v1/public/log?from=${target.seq}&count=1`, { headers: { Accept: 'application/x-ndjson' } });
    if (!response.ok) {
      target.state = 'failed';
      target.problem = KQ.failureMessage(response);
    } else {
      let entry = null;
      try { entry = JSON.parse(response.text.split('\n')[0]); } catch { entry = null; }
      // The log must name this very application at this seq; anything else is a discrepancy to report.
      const matches = entry && entry.seq === target.seq && entry.type === 'application.submitted' && entry.payload?.number === report?.number;
      target.state = matches ? 'ready' : 'mismatch';
      target.entry = entry;
    }
    redrawPublished(target);
  }

  function redrawPublished(target) {
    const content = document.getElementById('published-content');
    // A new lookup since the request was sent: its own section is drawn, not this one.
    if (content && target === published) fill(content, publishedContent());
  }

  function publishedContent() {
    const p = published;
    if (p.state === 'idle' || p.state === 'loading') return el('p', {}, t('loading'));
    if (p.state === 'failed') return el('div', { class: 'message bad', role: 'alert' }, el('p', {}, p.problem));
    if (p.state === 'mismatch') {
      return el('div', { class: 'message bad', role: 'alert', id: 'published-mismatch' },
        el('strong', {}, t('pub.mismatch.title')), el('p', {}, t('pub.mismatch', { seq: p.seq })));
    }
    const entry = p.entry;
    const payloadKeys = Object.keys(entry.payload);
    const entryKeys = Object.keys(entry).filter(k => k !== 'payload');
    return [
      el('p', {}, t('pub.entry', { seq: entry.seq }), ' ',
        el('a', { href: `/api/v1/public/log?from=${entry.seq}&count=1` }, t('pub.entry.link', { seq: entry.seq }))),
      el('h3', { id: 'published-application' }, t('pub.application')),
      el('dl', { class: 'published', 'aria-labelledby': 'published-application' },
        payloadKeys.map(key => fieldItem(`payload.${key}`, key, entry.payload[key], PAYLOAD_FIELDS.includes(key)))),
      el('h3', { id: 'published-envelope' }, t('pub.envelope')),
      el('dl', { class: 'published', 'aria-labelledby': 'published-envelope' },
        entryKeys.map(key => fieldItem(key, key, entry[key], ENTRY_FIELDS.includes(key)))),
      laterEntries(),
    ];
  }

  /** One field: its name, its value exactly as the log has it (text as it is, anything else as JSON), and why it is public. */
  function fieldItem(path, key, value, known) {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    const gloss = known ? glossOf(path, value) : null;
    return el('div', { class: 'field', 'data-field': path },
      el('dt', {}, known ? t(`pub.name.${path}`) : t('pub.name.other'), ' ', el('code', {}, key)),
      el('dd', { class: 'value' }, el('code', { class: 'mono' }, shown), gloss ? el('span', { class: 'gloss' }, gloss) : null),
      el('dd', { class: 'why' }, t(known ? `pub.why.${path}` : 'pub.why.other')));
  }

  /** The value in words, beside the exact value; nothing more than the value says. */
  function glossOf(path, value) {
    const r = report;
    const names = new Map([...r.queues, ...r.formerQueues].map(q => [q.kindergarten, q.kindergartenName]));
    const kg = id => names.get(id) ?? id;
    switch (path) {
      case 'payload.birthMonth': return /^\d{4}-\d{2}$/.test(value) ? KQ.month(value) : null;
      case 'payload.desiredStart': return KQ.date(value);
      case 'payload.registeredAt': case 'at': return KQ.dateTime(value);
      case 'payload.channel': case 'payload.kind': {
        const key = `pub.value.${path.slice(8)}.${value}`;
        return t(key) === key ? null : t(key);
      }
      case 'payload.district': return r.kindergartens.find(b => b.district === value)?.districtName ?? null;
      case 'payload.preferences': return Array.isArray(value) && value.length ? value.map(kg).join('; ') : null;
      case 'payload.claims':
        if (!Array.isArray(value)) return null;
        return value.length === 0 ? t('pub.value.noClaims')
          : value.map(c => tierName(c.tier) + (c.kindergarten ? ` (${kg(c.kindergarten)})` : '')).join('; ');
      case 'actor': {
        const role = typeof value === 'string' ? value.split(':')[0] : '';
        const key = `pub.value.actor.${role}`;
        return t(key) === key ? null : t(key);
      }
      default: return null;
    }
  }

  /**
   * What later entries about the application can publish (SPEC.md §5), and those of them the
   * position history above names: entries that changed the application's own place. An entry
   * that moved no place (a review that left the tier as it was, an answer to an offer) is in the
   * log all the same, under the same number.
   */
  function laterEntries() {
    const own = new Map();
    for (const q of [...report.queues, ...report.formerQueues]) {
      for (const step of q.history) {
        for (const reason of step.reasons) {
          if (!reason.reason.startsWith('own-')) continue;
          for (const seq of reason.seqs) {
            if (seq !== published.seq && !own.has(seq)) own.set(seq, { seq, date: step.date, reason, step });
          }
        }
      }
    }
    const named = [...own.values()].sort((a, b) => a.seq - b.seq);
    return [
      el('h3', {}, t('pub.later')),
      el('p', {}, t('pub.later.intro')),
      el('ul', { id: 'published-types' }, LATER_TYPES.map(type => el('li', {}, el('code', {}, type), ' — ', t(`pub.type.${type}`)))),
      named.length
        ? [el('p', {}, t('pub.later.named')),
          el('ul', { id: 'published-later' }, named.map(n => el('li', { 'data-seq': n.seq },
            el('a', { href: `/api/v1/public/log?from=${n.seq}&count=1` }, t('pub.entry.link', { seq: n.seq })),
            `, ${KQ.date(n.date)}: `, reasonText(n.reason, n.step))))]
        : el('p', {}, t('pub.later.none')),
    ];
  }

  const LATER_TYPES = ['claim.reviewed', 'application.changed', 'application.withdrawn', 'allocation.decided', 'offer.responded',
    'offers.expired', 'enrolment.confirmed', 'enrolment.exceptional'];

  // ------------------------------------------------------------------ receipt

  function receiptBlock() {
    return el('section', { class: 'card', id: 'receipt', 'aria-labelledby': 'receipt-h' },
      el('h2', { id: 'receipt-h' }, t('pos.receipt')),
      el('p', {}, t('pos.receipt.explain')),
      el('button', { type: 'button', class: 'primary', id: 'receipt-get', onclick: () => fetchReceipt(true) }, t('pos.receipt.check')),
      el('button', { type: 'button', class: 'secondary', id: 'receipt-download', onclick: () => fetchReceipt(false) }, t('pos.receipt.download')),
      el('p', { id: 'receipt-status', 'aria-live': 'polite' }));
  }

  async function fetchReceipt(check) {
    if (!credentials) return;
    const status = document.getElementById('receipt-status');
    status.textContent = t('pos.receipt.waiting');
    let response = await KQ.postJson('/api/v1/public/receipts', credentials);
    if (response.status === 503 && response.retryAfter) {
      // No signed checkpoint covers the application yet; one is being issued.
      await new Promise(resolve => setTimeout(resolve, Math.min(response.retryAfter, 5) * 1000));
      response = await KQ.postJson('/api/v1/public/receipts', credentials);
    }
    if (!response.ok) {
      status.textContent = response.status === 404 ? t('pos.notFound') : KQ.failureMessage(response);
      return;
    }
    if (check) {
      try { sessionStorage.setItem('kq.receipt', response.text); } catch { /* the check page then asks to paste it */ }
      location.href = '/check.html';
      return;
    }
    const link = el('a', { href: URL.createObjectURL(new Blob([response.text], { type: 'application/json' })), download: `receipt-${report.number}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    status.textContent = t('pos.receipt.saved', { file: `receipt-${report.number}.json` });
  }

  KQ.addTexts({
    ru: {
      'position.title': 'Моё место в очереди — очередь в детские сады',
      'position.heading': 'Моё место в очереди',
      'pos.intro': 'Введите номер заявления и код доступа. Они есть в расписке, которую вы получили при подаче заявления.',
      'pos.number': 'Номер заявления',
      'pos.number.hint': 'Например: KQ-7KEDC-WFS4R',
      'pos.code': 'Код доступа',
      'pos.code.hint': 'Например: B65N-D9UP-GXY8',
      'pos.show': 'Показать моё место',
      'pos.privacy': 'Номер и код не попадают в адрес страницы и не сохраняются в браузере. Без кода никто не увидит ваше заявление.',
      'pos.missing': 'Введите и номер заявления, и код доступа.',
      'pos.notFound.title': 'Заявление не найдено',
      'pos.notFound': 'Мы не нашли заявление с таким номером и кодом. Проверьте, что номер и код введены точно как в расписке (буквы латинские). Если не получается — обратитесь в управление образования: там помогут.',
      'pos.failed': 'Не получилось показать заявление',
      'pos.report': 'Заявление {number}',
      'pos.registered': 'В очереди с',
      'pos.desiredStart': 'Желаемая дата начала',
      'pos.asOf': 'Данные на',
      'pos.asOf.value': '{date} (записей в журнале: {size})',
      'pos.claims': 'Заявленные льготы',
      'pos.claim': '{tier} — {review}',
      'review.pending': 'ещё проверяется',
      'review.verified': 'подтверждена',
      'review.rejected': 'не подтверждена',
      'status.waiting': 'В очереди',
      'status.waiting.explain': 'Ребёнок ждёт места. Место в каждом выбранном саду показано ниже.',
      'status.offered': 'Выдано направление',
      'status.offered.explain': 'Ребёнку выделено место. Ответьте на направление до указанного срока.',
      'status.accepted': 'Направление принято',
      'status.accepted.explain': 'Вы приняли направление. Осталось оформить зачисление в детском саду.',
      'status.enrolled': 'Зачислен в детский сад',
      'status.enrolled.explain': 'Ребёнок зачислен. Из очереди заявление вышло.',
      'status.paused': 'Очередь приостановлена',
      'status.paused.explain': 'После отказа от направления заявление не участвует в распределении, пока вы не измените список детских садов или дату начала.',
      'status.withdrawn': 'Заявление отозвано',
      'status.withdrawn.explain': 'Заявление больше не участвует в очереди.',
      'status.archived': 'Снято с очереди по возрасту',
      'status.archived.explain': 'Ребёнок вырос из возраста детского сада, поэтому заявление снято с очереди.',
      'pos.offer': 'Направление',
      'pos.offer.text': 'Место: {kg}, группа: {group}, на {year} учебный год.',
      'pos.offer.deadline': 'Ответьте до {date}',
      'pos.offer.how': 'Если не ответить до срока, направление истечёт и место получит следующий ребёнок. Ответить можно здесь, кнопками ниже, или в управлении образования.',
      'offer.accept': 'Принять направление',
      'offer.decline': 'Отказаться от места',
      'offer.confirm.question': 'Вы уверены?',
      'offer.confirm.accept': 'Вы принимаете место: {kg}. Дальше детский сад оформит зачисление.',
      'offer.confirm.decline': 'Вы отказываетесь от места: {kg}. Его получит следующий ребёнок, и отменить отказ нельзя.',
      'offer.confirm.yes.accept': 'Да, принять',
      'offer.confirm.yes.decline': 'Да, отказаться',
      'offer.confirm.no': 'Нет, вернуться',
      'offer.sending': 'Отправляем ответ…',
      'offer.done.accept': 'Вы приняли направление',
      'offer.done.decline': 'Вы отказались от направления',
      'offer.done.text': 'Ответ записан в открытый журнал очереди: запись № {seq}.',
      'offer.closed.title': 'На это направление уже нельзя ответить',
      'offer.closed': 'Оно уже принято, отклонено или истекло. Ниже — текущий статус заявления.',
      'offer.failed': 'Ответ не отправлен',
      'offer.retry': 'Отправить ещё раз',
      'pos.placement': 'Место',
      'pos.placement.text': '{kg}, группа: {group}, {year} учебный год.',
      'pos.placement.outside': 'Это место выделено вне очереди по законному основанию (например, по решению суда). Основание записано в открытом журнале.',
      'pos.projection': 'Если бы распределение прошло сегодня',
      'pos.projection.explain': 'Прогноз на {date}: что дало бы распределение по сегодняшней очереди и сегодняшним свободным местам.',
      'pos.projection.note': 'Это не обещание: к туру распределения очередь и число мест могут измениться.',
      'projection.offered': 'Ребёнок получил бы место: {kg}.',
      'projection.waitlisted': 'Мест для ребёнка пока не хватило бы.',
      'projection.deferred': 'Ребёнок не участвовал бы: желаемая дата начала позже.',
      'projection.archived': 'Заявление было бы снято с очереди по возрасту.',
      'projection.no-age-group': 'Для возраста ребёнка в этом году нет подходящей группы.',
      'outcome.offered': 'место нашлось бы',
      'outcome.outranked': 'мест не хватило бы: все {seats} получили бы дети выше в очереди.',
      'outcome.no-seats': 'свободных мест в этой группе нет',
      'outcome.no-program': 'в этом саду нет группы для возраста ребёнка',
      'outcome.last': 'Последнее место получил бы ребёнок с уровнем «{tier}» (в очереди с {date})',
      'pos.queues': 'Место в очереди в каждый выбранный сад',
      'pos.noQueues': 'Заявление сейчас не стоит ни в одной очереди.',
      'pos.former': 'Сады, которые были в заявлении раньше',
      'pos.choice': '{n}-й выбор: {kg}',
      'pos.place': '{n}-е место',
      'pos.position': '{n}-е место из {total}',
      'pos.position.queue': 'в очереди группы «{group}» на {year} год; уровень: {tier}.',
      'pos.position.from': 'Место нужно начиная с {date}',
      'pos.notInQueue': 'Сейчас заявление не стоит в очереди в этот сад.',
      'pos.brief': 'Этот сад: места и очередь (район: {district})',
      'pos.brief.seats': 'Мест в группе «{group}»: {seats}.',
      'pos.brief.caption': 'Сколько детей ждут места в этой группе',
      'pos.brief.tier': 'Уровень',
      'pos.brief.waiting': 'Ждут сейчас',
      'pos.brief.later': 'Хотят пойти позже',
      'pos.brief.all': 'Все цифры этого сада: все группы и последние 12 месяцев',
      'pos.brief.note': '«Ждут сейчас» — дети, которые хотят пойти в сад уже сейчас; «хотят пойти позже» — с более поздней даты, в том числе в следующем году. Ваша очередь считает всех детей этой группы, кто может получить место в этом учебном году, вместе с теми, кто хочет пойти позже в этом же году, поэтому в ней может быть больше детей, чем «ждут сейчас».',
      'pos.brief.offered': 'Ждут ответа на направление:',
      'pos.brief.enrolled': 'зачислены',
      'pos.history': 'Как менялось место (сначала новое)',
      'pos.history.none': 'Изменений пока не было.',
      'step.joined': 'Заявление встало в очередь: {place}',
      'step.left': 'Заявление вышло из очереди (было {place})',
      'step.outside': 'Изменение вне очереди',
      'step.same': 'Место не изменилось: {place}',
      'step.moved': 'Место: {before} → {after}',
      'step.entries': 'записи журнала',
      'step.entry': 'запись журнала номер {seq}',
      'step.more': 'и ещё {n}',
      'reason.new-ahead': 'Новых заявлений впереди: {n} (у них льгота выше или более ранняя дата постановки).',
      'reason.right-verified': 'Детям позади подтвердили льготу, и они прошли вперёд: {n}.',
      'reason.right-rejected': 'Детям впереди не подтвердили льготу, и они оказались позади: {n}.',
      'reason.preferences': 'Другие семьи изменили выбор садов или дату начала: {n}.',
      'reason.withdrawn': 'Заявлений впереди отозвано: {n}.',
      'reason.returned': 'Вернулись в очередь впереди после отказа от направления: {n}.',
      'reason.placed': 'Детей впереди получили направления в туре распределения: {n}.',
      'reason.archived': 'Детей впереди снято с очереди по возрасту: {n}.',
      'reason.enrolled-outside': 'Детей впереди зачислено вне очереди по законному основанию: {n}.',
      'reason.criteria': 'Вступила в силу новая версия правил очереди.',
      'reason.catchment': 'У детского сада изменилась закреплённая территория.',
      'reason.calendar': 'Сменилась дата: учебный год, возрастная группа или предельный возраст.',
      'reason.capacity': 'Изменилось число мест в группе: было {before}, стало {after}.',
      'reason.own-submitted': 'Заявление подано.',
      'reason.own-right': 'Проверена ваша льгота.',
      'reason.own-preferences': 'Вы изменили выбор садов или дату начала.',
      'reason.own-returned': 'Заявление вернулось в очередь после отказа или истечения направления.',
      'reason.own-status': 'Статус заявления: {status}.',
      'pos.receipt': 'Квитанция: доказательство, что заявление в журнале',
      'pos.receipt.explain': 'Квитанция доказывает, что запись о вашем заявлении есть в открытом журнале, подписанном сервисом. Её можно проверить прямо в браузере или сохранить и проверить позже — убрать или изменить запись незаметно уже нельзя.',
      'pos.receipt.check': 'Получить и проверить квитанцию',
      'pos.receipt.download': 'Сохранить квитанцию в файл',
      'pos.receipt.waiting': 'Получаем квитанцию…',
      'pos.receipt.saved': 'Квитанция сохранена в файл {file}.',
      'pub.heading': 'Что о вашем заявлении опубликовано',
      'pub.intro': 'Заявление записано в открытый журнал, который может скачать и проверить любой. Здесь эта запись показана точно так, как её выдаёт журнал, поле за полем, и для каждого поля сказано, зачем оно публикуется.',
      'pub.show': 'Показать запись №{seq} из открытого журнала',
      'pub.entry': 'Запись №{seq}, как её видит любой посетитель:',
      'pub.entry.link': 'запись №{seq} в журнале',
      'pub.application': 'Поля заявления',
      'pub.envelope': 'Поля самой записи (они есть у каждой записи журнала)',
      'pub.mismatch.title': 'Запись в журнале не совпадает с заявлением',
      'pub.mismatch': 'Запись №{seq} открытого журнала не является подачей этого заявления. Так быть не должно: сообщите об этом в управление образования или независимым проверяющим (раздел «Как проверить самому»).',
      'pub.name.payload.number': 'Номер заявления',
      'pub.name.payload.kind': 'Вид заявления',
      'pub.name.payload.channel': 'Способ подачи',
      'pub.name.payload.registeredAt': 'Время регистрации',
      'pub.name.payload.birthMonth': 'Год и месяц рождения',
      'pub.name.payload.district': 'Район',
      'pub.name.payload.preferences': 'Выбранные сады',
      'pub.name.payload.desiredStart': 'Желаемая дата начала',
      'pub.name.payload.claims': 'Льготы',
      'pub.name.payload.commitment': 'Отпечаток закрытой записи',
      'pub.name.actor': 'Кто внёс запись',
      'pub.name.at': 'Время записи',
      'pub.name.prev': 'Отпечаток предыдущей записи',
      'pub.name.seq': 'Номер записи',
      'pub.name.type': 'Тип записи',
      'pub.name.other': 'Поле',
      'pub.why.payload.number': 'Случайный номер. По нему все следующие записи называют ваше заявление; он связывает только записи этого заявления.',
      'pub.why.payload.kind': 'Новое заявление или перевод. Очередь его не учитывает (перевод стоит в очереди как новое заявление): по нему публикуется только число переводов. Может быть убран в следующей версии записей.',
      'pub.why.payload.channel': 'Сайт, МФЦ или Госуслуги. Объясняет, почему время регистрации может быть раньше времени записи (Госуслуги, перенесённые очереди), и нужен для проверки на подачу «задним числом».',
      'pub.why.payload.registeredAt': 'Внутри одного уровня льготы порядок очереди по закону определяется временем подачи, поэтому оно нужно с точностью до тысячной секунды. Заявление, поданное на сайте или в МФЦ, регистрируется в момент записи, а время записи журнал публикует и так; для Госуслуг и очередей, перенесённых из прежней системы, это время, записанное там.',
      'pub.why.payload.birthMonth': 'Месяц, а не дата рождения. По нему определяется возрастная группа на 1 сентября, снятие с очереди по возрасту и проверка желаемой даты. Грубее нельзя: тур и желаемая дата могут прийтись на любой день, и возраст ребёнка в этот день зависит от месяца рождения.',
      'pub.why.payload.district': 'Район, а не адрес: по нему считается закреплённая территория (уровень 4).',
      'pub.why.payload.preferences': 'Сады в том порядке, который вы выбрали: по ним идёт само распределение.',
      'pub.why.payload.desiredStart': 'С этой даты ребёнок участвует в распределении.',
      'pub.why.payload.claims': 'Только уровень льготы, никогда не её категория: уровень задаёт место в очереди. Сад указан только для льготы брата или сестры.',
      'pub.why.payload.commitment': 'Хеш закрытой записи с вашими личными данными и случайной «солью». Он связывает журнал с закрытой записью, ничего из неё не раскрывая: проверяющий с правом доступа может сверить одно с другим.',
      'pub.why.actor': 'Роль и псевдоним, никогда не имя. У родителя псевдоним свой для каждого заявления, поэтому два заявления одной семьи не связать; у сотрудника — один на учётную запись, чтобы было видно, кто что сделал.',
      'pub.why.at': 'Когда запись добавлена в журнал; это время есть у каждой записи.',
      'pub.why.prev': 'Связывает записи в цепь: изменить или убрать любую запись незаметно нельзя.',
      'pub.why.seq': 'Место записи в журнале. Если время регистрации совпало до тысячной секунды, выше стоит заявление с меньшим номером записи.',
      'pub.why.type': 'Что это за запись: подача заявления.',
      'pub.why.other': 'Поле этой записи журнала; подробности — в правилах (SPEC, раздел 5).',
      'pub.value.channel.portal': 'сайт',
      'pub.value.channel.centre': 'МФЦ',
      'pub.value.channel.federal': 'Госуслуги',
      'pub.value.kind.new': 'новое заявление',
      'pub.value.kind.transfer': 'перевод',
      'pub.value.noClaims': 'льготы не заявлены',
      'pub.value.actor.parent': 'родитель: псевдоним этого заявления',
      'pub.value.actor.operator': 'сотрудник МФЦ: псевдоним учётной записи',
      'pub.value.actor.system': 'сам сервис',
      'pub.later': 'Следующие записи о заявлении',
      'pub.later.intro': 'Каждое изменение — новая запись с номером вашего заявления; прежние записи не меняются. Такие записи публикуют только это:',
      'pub.type.claim.reviewed': 'какую льготу проверили, подтверждена ли она, и причину кодом из опубликованного списка',
      'pub.type.application.changed': 'новый список садов и желаемую дату начала',
      'pub.type.application.withdrawn': 'что заявление отозвано, и причину кодом из списка',
      'pub.type.allocation.decided': 'направление (сад, группа, срок ответа) или снятие с очереди по возрасту',
      'pub.type.offer.responded': 'ваш ответ на направление: принято или отказ',
      'pub.type.offers.expired': 'что срок ответа на направление истёк',
      'pub.type.enrolment.confirmed': 'что ребёнок зачислен',
      'pub.type.enrolment.exceptional': 'зачисление вне очереди: сад, группа, год и законное основание кодом из списка',
      'pub.later.named': 'Записи, которые меняли место вашего заявления (по истории места выше). Записи, которые место не меняли, например ответ на направление, тоже есть в журнале под тем же номером.',
      'pub.later.none': 'Записей, которые меняли место вашего заявления, пока нет.',
      'pub.not.title': 'Не публикуется никогда:',
      'pub.not': 'имена ребёнка и родителя, точная дата рождения, телефон и электронная почта, категория льготы и её документы. Они хранятся в закрытой части системы, с журналом их связывает только отпечаток commitment, и их можно удалить — журнал от этого не меняется. Каждое чтение этих данных человеком записывается, а число таких чтений публикуется. Адрес сервис не спрашивает: публикуется только район.',
    },
    en: {
      'position.title': 'My place in the queue — kindergarten queue',
      'position.heading': 'My place in the queue',
      'pos.intro': 'Enter the application number and the access code. You find both on the slip you received when you applied.',
      'pos.number': 'Application number',
      'pos.number.hint': 'For example: KQ-7KEDC-WFS4R',
      'pos.code': 'Access code',
      'pos.code.hint': 'For example: B65N-D9UP-GXY8',
      'pos.show': 'Show my place',
      'pos.privacy': 'The number and code never appear in the page address and are not stored in the browser. Without the code nobody can see your application.',
      'pos.missing': 'Enter both the application number and the access code.',
      'pos.notFound.title': 'Application not found',
      'pos.notFound': 'We found no application with this number and code. Check that both are typed exactly as on your slip. If it still does not work, contact the education department: they will help.',
      'pos.failed': 'Could not show the application',
      'pos.report': 'Application {number}',
      'pos.registered': 'In the queue since',
      'pos.desiredStart': 'Desired start date',
      'pos.asOf': 'Figures as of',
      'pos.asOf.value': '{date} ({size} log entries)',
      'pos.claims': 'Claimed priority rights',
      'pos.claim': '{tier} — {review}',
      'review.pending': 'being checked',
      'review.verified': 'verified',
      'review.rejected': 'not verified',
      'status.waiting': 'In the queue',
      'status.waiting.explain': 'The child is waiting for a place. The place in each chosen kindergarten is shown below.',
      'status.offered': 'A place is offered',
      'status.offered.explain': 'A place has been assigned to the child. Answer the offer before the deadline.',
      'status.accepted': 'Offer accepted',
      'status.accepted.explain': 'You accepted the offer. The kindergarten still has to confirm the enrolment.',
      'status.enrolled': 'Enrolled',
      'status.enrolled.explain': 'The child is enrolled; the application has left the queue.',
      'status.paused': 'Queue paused',
      'status.paused.explain': 'After declining an offer the application takes no part in allocation until you change the kindergartens or the start date.',
      'status.withdrawn': 'Application withdrawn',
      'status.withdrawn.explain': 'The application no longer takes part in the queue.',
      'status.archived': 'Removed for age',
      'status.archived.explain': 'The child has outgrown kindergarten age, so the application left the queue.',
      'pos.offer': 'Offer',
      'pos.offer.text': 'A place at {kg}, group: {group}, school year {year}.',
      'pos.offer.deadline': 'Answer by {date}.',
      'pos.offer.how': 'If you do not answer in time, the offer expires and the next child gets the place. You can answer here, with the buttons below, or at the education department.',
      'offer.accept': 'Accept the offer',
      'offer.decline': 'Decline the place',
      'offer.confirm.question': 'Are you sure?',
      'offer.confirm.accept': 'You accept the place at {kg}. The kindergarten then arranges the enrolment.',
      'offer.confirm.decline': 'You decline the place at {kg}. The next child gets it, and a decline cannot be undone.',
      'offer.confirm.yes.accept': 'Yes, accept',
      'offer.confirm.yes.decline': 'Yes, decline',
      'offer.confirm.no': 'No, go back',
      'offer.sending': 'Sending your answer…',
      'offer.done.accept': 'You accepted the offer',
      'offer.done.decline': 'You declined the offer',
      'offer.done.text': 'Your answer is recorded in the public queue log: entry No. {seq}.',
      'offer.closed.title': 'This offer can no longer be answered',
      'offer.closed': 'It has already been accepted, declined or has expired. The application\'s current status is below.',
      'offer.failed': 'Your answer was not sent',
      'offer.retry': 'Send again',
      'pos.placement': 'Place',
      'pos.placement.text': '{kg}, group: {group}, school year {year}.',
      'pos.placement.outside': 'This place was given outside the queue on a legal basis (for example a court decision). The basis is recorded in the public log.',
      'pos.projection': 'If allocation ran today',
      'pos.projection.explain': 'Projection for {date}: what allocation would give with today\'s queue and today\'s free places.',
      'pos.projection.note': 'This is not a promise: the queue and the places may change before the allocation round.',
      'projection.offered': 'The child would get a place at {kg}.',
      'projection.waitlisted': 'There would not be a place for the child yet.',
      'projection.deferred': 'The child would not take part: the desired start date is later.',
      'projection.archived': 'The application would be removed for age.',
      'projection.no-age-group': 'There is no group for the child\'s age this year.',
      'outcome.offered': 'a place would be found',
      'outcome.outranked': 'no place: all {seats} would go to children higher in the queue.',
      'outcome.no-seats': 'no free places in this group',
      'outcome.no-program': 'this kindergarten has no group for the child\'s age',
      'outcome.last': 'The last place would go to a child with "{tier}", in the queue since {date}.',
      'pos.queues': 'Place in the queue of each chosen kindergarten',
      'pos.noQueues': 'The application is in no queue right now.',
      'pos.former': 'Kindergartens the application listed before',
      'pos.choice': 'Choice {n}: {kg}',
      'pos.place': 'place {n}',
      'pos.position': 'Place {n} of {total}',
      'pos.position.queue': 'in the queue of the "{group}" group for {year}; priority: {tier}.',
      'pos.position.from': 'The place is needed from {date}.',
      'pos.notInQueue': 'The application is not in this kindergarten\'s queue now.',
      'pos.brief': 'This kindergarten: places and queue (district: {district})',
      'pos.brief.seats': 'Places in the "{group}" group: {seats}.',
      'pos.brief.caption': 'Children waiting for a place in this group',
      'pos.brief.tier': 'Priority',
      'pos.brief.waiting': 'Waiting now',
      'pos.brief.later': 'For a later date',
      'pos.brief.all': 'All figures of this kindergarten: every group and the last 12 months',
      'pos.brief.note': '"Waiting now" counts children who want to start now; "for a later date" those who want to start later, next year included. Your queue counts every child of this group who can get a place this school year, those starting later this year too, so it can hold more children than "waiting now".',
      'pos.brief.offered': 'Awaiting an answer to an offer:',
      'pos.brief.enrolled': 'enrolled',
      'pos.history': 'How the place changed (newest first)',
      'pos.history.none': 'No changes yet.',
      'step.joined': 'The application joined the queue: {place}',
      'step.left': 'The application left the queue (was {place})',
      'step.outside': 'A change outside the queue',
      'step.same': 'Place unchanged: {place}',
      'step.moved': 'Place: {before} → {after}',
      'step.entries': 'log entries',
      'step.entry': 'log entry number {seq}',
      'step.more': 'and {n} more',
      'reason.new-ahead': 'New applications ahead: {n} (a higher priority or an earlier registration date).',
      'reason.right-verified': 'Children behind had their priority right verified and moved ahead: {n}.',
      'reason.right-rejected': 'Children ahead had their priority right rejected and moved behind: {n}.',
      'reason.preferences': 'Other families changed their kindergartens or start date: {n}.',
      'reason.withdrawn': 'Applications ahead withdrawn: {n}.',
      'reason.returned': 'Came back ahead after declining an offer: {n}.',
      'reason.placed': 'Children ahead offered places in an allocation round: {n}.',
      'reason.archived': 'Children ahead removed for age: {n}.',
      'reason.enrolled-outside': 'Children ahead enrolled outside the queue on a legal basis: {n}.',
      'reason.criteria': 'A new version of the queue rules took effect.',
      'reason.catchment': 'The kindergarten\'s catchment area changed.',
      'reason.calendar': 'The date moved on: school year, age group or age limit.',
      'reason.capacity': 'The number of places in the group changed: from {before} to {after}.',
      'reason.own-submitted': 'The application was submitted.',
      'reason.own-right': 'Your priority right was checked.',
      'reason.own-preferences': 'You changed the kindergartens or the start date.',
      'reason.own-returned': 'The application came back to the queue after a declined or expired offer.',
      'reason.own-status': 'Application status: {status}.',
      'pos.receipt': 'Receipt: proof that the application is in the log',
      'pos.receipt.explain': 'The receipt proves that your application\'s entry is in the public log the service signed. Check it right here in the browser, or save it and check it later: the entry can no longer be removed or changed unnoticed.',
      'pos.receipt.check': 'Get and check the receipt',
      'pos.receipt.download': 'Save the receipt to a file',
      'pos.receipt.waiting': 'Getting the receipt…',
      'pos.receipt.saved': 'The receipt was saved as {file}.',
      'pub.heading': 'What is public about your application',
      'pub.intro': 'The application is written to the public log, which anyone can download and check. Here is that entry exactly as the log serves it, field by field, with why each field is public.',
      'pub.show': 'Show entry {seq} of the public log',
      'pub.entry': 'Entry {seq}, as any visitor sees it:',
      'pub.entry.link': 'entry {seq} in the log',
      'pub.application': 'Fields of the application',
      'pub.envelope': 'Fields of the entry itself (every log entry has them)',
      'pub.mismatch.title': 'The log entry does not match the application',
      'pub.mismatch': 'Entry {seq} of the public log is not the submission of this application. That must not happen: report it to the education department or to the independent validators (see "Check it yourself").',
      'pub.name.payload.number': 'Application number',
      'pub.name.payload.kind': 'Kind of application',
      'pub.name.payload.channel': 'Channel',
      'pub.name.payload.registeredAt': 'Registration time',
      'pub.name.payload.birthMonth': 'Year and month of birth',
      'pub.name.payload.district': 'District',
      'pub.name.payload.preferences': 'Chosen kindergartens',
      'pub.name.payload.desiredStart': 'Desired start date',
      'pub.name.payload.claims': 'Priority rights',
      'pub.name.payload.commitment': 'Fingerprint of the private record',
      'pub.name.actor': 'Who made the entry',
      'pub.name.at': 'Time of the entry',
      'pub.name.prev': 'Fingerprint of the previous entry',
      'pub.name.seq': 'Entry number',
      'pub.name.type': 'Type of entry',
      'pub.name.other': 'Field',
      'pub.why.payload.number': 'A random number. Every later entry names your application by it; it links only this application\'s own entries.',
      'pub.why.payload.kind': 'A new application or a transfer. The queue does not use it (a transfer queues like a new application): only the number of transfers is published. It may be dropped in a later version of the entries.',
      'pub.why.payload.channel': 'Website, service centre or federal portal. It explains why the registration time can be earlier than the entry (federal portal, migrated queues) and is needed to check for backdating.',
      'pub.why.payload.registeredAt': 'Within one priority tier the law orders the queue by the time of application, so it is needed to the millisecond. An application made on the website or at a service centre is registered when its entry is made, and the log publishes that time anyway; for the federal portal and for queues moved from an earlier system it is the time recorded there.',
      'pub.why.payload.birthMonth': 'A month, not the date of birth. It decides the age group on 1 September, removal from the queue for age and the check of the desired start. It cannot be coarser: a round or a desired start can fall on any day, and the child\'s age on that day depends on the month of birth.',
      'pub.why.payload.district': 'A district, never an address: it decides the catchment tier (tier 4).',
      'pub.why.payload.preferences': 'The kindergartens in the order you chose them: the allocation itself runs on them.',
      'pub.why.payload.desiredStart': 'The child takes part in allocation from this date.',
      'pub.why.payload.claims': 'Only the tier of each right, never its category: the tier sets the place in the queue. A kindergarten is given only for a sibling right.',
      'pub.why.payload.commitment': 'A hash of the private record with your personal data and a random salt. It binds the log to that record without revealing any of it: an authorised validator can check one against the other.',
      'pub.why.actor': 'A role and a pseudonym, never a name. A parent has a different pseudonym for each application, so two applications of one family cannot be linked; a member of staff has one per account, so what each did can be counted.',
      'pub.why.at': 'When the entry was added to the log; every entry has this time.',
      'pub.why.prev': 'Chains the entries together: no entry can be changed or removed unnoticed.',
      'pub.why.seq': 'The entry\'s place in the log. If two registration times are equal to the millisecond, the application with the smaller entry number ranks higher.',
      'pub.why.type': 'What the entry is: the submission of an application.',
      'pub.why.other': 'A field of this log entry; see the rules (SPEC, section 5).',
      'pub.value.channel.portal': 'website',
      'pub.value.channel.centre': 'service centre',
      'pub.value.channel.federal': 'federal portal',
      'pub.value.kind.new': 'new application',
      'pub.value.kind.transfer': 'transfer',
      'pub.value.noClaims': 'no priority right claimed',
      'pub.value.actor.parent': 'parent: this application\'s pseudonym',
      'pub.value.actor.operator': 'service-centre operator: the account\'s pseudonym',
      'pub.value.actor.system': 'the service itself',
      'pub.later': 'Later entries about the application',
      'pub.later.intro': 'Every change is a new entry with your application number; earlier entries never change. Such entries publish only this:',
      'pub.type.claim.reviewed': 'which right was checked, whether it was verified, and the reason as a code of the published list',
      'pub.type.application.changed': 'the new list of kindergartens and the desired start date',
      'pub.type.application.withdrawn': 'that the application was withdrawn, and the reason as a code of the list',
      'pub.type.allocation.decided': 'the offer (kindergarten, group, deadline) or removal from the queue for age',
      'pub.type.offer.responded': 'your answer to the offer: accepted or declined',
      'pub.type.offers.expired': 'that the time to answer the offer ran out',
      'pub.type.enrolment.confirmed': 'that the child is enrolled',
      'pub.type.enrolment.exceptional': 'an enrolment outside the queue: kindergarten, group, year and the legal basis as a code of the list',
      'pub.later.named': 'Entries that changed your application\'s place (from the history of the place above). Entries that moved no place, such as an answer to an offer, are in the log too, under the same number.',
      'pub.later.none': 'No entry has changed your application\'s place yet.',
      'pub.not.title': 'Never published:',
      'pub.not': 'the child\'s and the parent\'s names, the exact date of birth, phone and email, the category of a priority right and its documents. They are kept in the private part of the system, only the commitment fingerprint links them to the log, and they can be erased without changing the log. Every time a person reads them it is recorded, and the number of such reads is published. The service does not ask for an address: only the district is published.',
    },
  });

  document.addEventListener('DOMContentLoaded', () => {
    KQ.fill(document.getElementById('position'), form(), el('div', { id: 'position-result', 'aria-live': 'polite' }));
  });
  // The form keeps what was typed; only the texts and the report are redrawn.
  KQ.onLanguageChange(() => {
    const number = document.getElementById('app-number')?.value ?? '';
    const code = document.getElementById('access-code')?.value ?? '';
    const previous = document.getElementById('lookup-error');
    const kind = previous?.dataset.error;
    KQ.fill(document.getElementById('position'), form(), el('div', { id: 'position-result', 'aria-live': 'polite' }));
    document.getElementById('app-number').value = number;
    document.getElementById('access-code').value = code;
    if (report) renderReport();
    else if (kind === 'not-found') showError('not-found', t('pos.notFound.title'), t('pos.notFound'));
  });
})();
