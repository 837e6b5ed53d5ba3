// "Check it yourself": a parent pastes or loads a receipt (SPEC.md §14.3) and the page checks it
// here, in the browser, with the key the service publishes (receipt.js does the checking). The
// result region #receipt-result gets data-valid="true|false" and, when invalid, data-failed with
// the first failed check's name (KQReceipt.CHECKS), plus data-state (see show()). If the
// position page left a receipt in sessionStorage['kq.receipt'], it is filled in and checked at once.
'use strict';

(() => {
  KQ.addTexts({
    ru: {
      'check.title': 'Проверить самому',
      'check.heading': 'Проверить самому',
      'check.lead': 'Квитанция доказывает, что запись о вашем заявлении есть в открытом журнале очереди и что служба подписала этот журнал. Удалить или изменить запись потом незаметно нельзя: квитанция перестанет сходиться.',
      'check.how': 'Проверка идёт прямо в вашем браузере: страница сама пересчитывает контрольные суммы и проверяет подпись. Текст квитанции никуда не отправляется.',
      'check.where': 'Квитанцию можно получить на странице',
      'check.where.link': '«Моё место в очереди»',
      'check.input.label': 'Текст квитанции',
      'check.input.hint': 'Вставьте квитанцию целиком: она начинается с {"checkpoint" и заканчивается }.',
      'check.file.label': 'Или выберите файл квитанции (.json)',
      'check.file.button': 'Выбрать файл',
      'check.file.none': 'Файл не выбран',
      'check.button': 'Проверить',
      'check.key.heading': 'Каким ключом проверяем',
      'check.key.text': 'Подпись проверяется открытым ключом, который публикует эта служба. Его отпечаток:',
      'check.key.compare': 'Сравните этот отпечаток с тем, который опубликовал департамент образования на своём официальном сайте и в пресс-релизе. Если они не совпадают, этой проверке доверять нельзя.',
      'check.key.failed': 'Не удалось получить ключ службы: {why}',
      'check.key.bad': 'Служба опубликовала ключ, который не подходит для проверки.',
      'check.unsupported': 'Этот браузер не может проверить подпись здесь: страница открыта по незащищённому адресу (http), а проверка работает только по https. Откройте страницу по адресу, начинающемуся с https://, или проверьте квитанцию программой kq (см. «Как проверить журнал»).',
      'check.empty': 'Вставьте текст квитанции или выберите файл.',
      'check.noKey': 'Проверить нельзя: ключ службы не загружен. Обновите страницу чуть позже.',
      'check.checking': 'Проверяем…',
      'check.file.tooBig': 'Этот файл слишком большой для квитанции.',
      'check.file.notText': 'Этот файл не является текстом квитанции.',
      'check.file.unreadable': 'Не удалось прочитать файл.',
      'check.valid': 'Квитанция верна',
      'check.invalid': 'Квитанция НЕ верна',
      'check.cannot': 'Проверить не получилось',
      'check.proves.number': 'Заявление {number} записано в открытый журнал очереди: это запись № {index}, а журнал, который подписала служба, содержал тогда {size:entry}.',
      'check.proves.other': 'Запись № {index} (вид записи: {type}) есть в открытом журнале очереди, который подписала служба, когда в нём было {size:entry}.',
      'check.proves.signed': 'Подпись поставлена {time} ключом с отпечатком',
      'check.proves.meaning': 'Эту запись нельзя ни удалить, ни изменить незаметно: любая правка сделает квитанцию неверной.',
      'check.why.format': 'Это не похоже на квитанцию: текст неполный, повреждён или в нём не хватает нужных частей. Скопируйте квитанцию целиком ещё раз или загрузите файл.',
      'check.why.entry-hash': 'Запись о заявлении в квитанции была изменена после того, как квитанцию выдали.',
      'check.why.size': 'Части квитанции не подходят друг к другу: доказательство составлено для журнала другого размера, чем подписанный.',
      'check.why.inclusion': 'Доказательство не ведёт от вашей записи к подписанному журналу: в квитанции что-то изменили.',
      'check.why.key': 'Квитанция подписана не тем ключом, который опубликован на этом сайте. Возможно, её выдала другая служба.',
      'check.why.signature': 'Подпись под журналом сделана не опубликованным ключом: подписанные сведения изменены или подделаны.',
      'check.why.entry': 'Запись о заявлении оформлена неправильно или её номер не совпадает с номером в доказательстве.',
      'check.why.unsupported': 'Этот браузер не может проверить подпись: страница открыта по незащищённому адресу (http). Откройте её по https.',
      'check.steps': 'Что проверено',
      'check.step.format': 'Квитанция прочитана целиком',
      'check.step.entry-hash': 'Запись о заявлении не изменена',
      'check.step.size': 'Доказательство относится к подписанному журналу',
      'check.step.inclusion': 'Запись входит в подписанный журнал',
      'check.step.key': 'Журнал подписан опубликованным ключом этой службы',
      'check.step.signature': 'Подпись службы верна',
      'check.step.entry': 'Запись оформлена правильно, её номер совпадает',
      'check.mark.ok': 'да',
      'check.mark.bad': 'НЕТ',
      'check.mark.skip': 'не проверялось',
      'check.technical': 'Подробности для специалистов',
    },
    en: {
      'check.title': 'Check it yourself',
      'check.heading': 'Check it yourself',
      'check.lead': 'A receipt proves that the record of your application is in the public queue log and that the service signed that log. Nobody can remove or change the record later without it showing: the receipt would no longer add up.',
      'check.how': 'The check runs right in your browser: the page recomputes the checksums and verifies the signature itself. The receipt is not sent anywhere.',
      'check.where': 'You can get a receipt on the page',
      'check.where.link': '“My place in the queue”',
      'check.input.label': 'Receipt text',
      'check.input.hint': 'Paste the whole receipt: it starts with {"checkpoint" and ends with }.',
      'check.file.label': 'Or choose a receipt file (.json)',
      'check.file.button': 'Choose a file',
      'check.file.none': 'No file chosen',
      'check.button': 'Check',
      'check.key.heading': 'Which key we check with',
      'check.key.text': 'The signature is checked with the public key this service publishes. Its fingerprint:',
      'check.key.compare': 'Compare this fingerprint with the one the education department published on its official site and in its press release. If they differ, do not trust this check.',
      'check.key.failed': 'Could not get the service’s key: {why}',
      'check.key.bad': 'The service published a key that cannot be used for checking.',
      'check.unsupported': 'This browser cannot check the signature here: the page was opened over an insecure address (http), and checking works only over https. Open the page at an address starting with https://, or check the receipt with the kq program (see “How to verify the log”).',
      'check.empty': 'Paste the receipt text or choose a file.',
      'check.noKey': 'Cannot check: the service’s key is not loaded. Reload the page a little later.',
      'check.checking': 'Checking…',
      'check.file.tooBig': 'This file is too large to be a receipt.',
      'check.file.notText': 'This file is not receipt text.',
      'check.file.unreadable': 'Could not read the file.',
      'check.valid': 'The receipt is valid',
      'check.invalid': 'The receipt is NOT valid',
      'check.cannot': 'The receipt could not be checked',
      'check.proves.number': 'Application {number} is recorded in the public queue log: it is entry No. {index}, and the log the service signed then held {size:entry}.',
      'check.proves.other': 'Entry No. {index} (kind: {type}) is in the public queue log the service signed when it held {size:entry}.',
      'check.proves.signed': 'Signed on {time} by the key with fingerprint',
      'check.proves.meaning': 'This record can be neither removed nor changed without it showing: any edit makes the receipt invalid.',
      'check.why.format': 'This does not look like a receipt: the text is incomplete, damaged or missing parts. Copy the whole receipt again or load the file.',
      'check.why.entry-hash': 'The record in the receipt was changed after it was issued.',
      'check.why.size': 'The parts of the receipt do not fit together: the proof was made for a log of another size than the signed one.',
      'check.why.inclusion': 'The proof does not lead from your record to the signed log: something in the receipt was changed.',
      'check.why.key': 'The receipt was signed with another key than the one published on this site. It may come from another service.',
      'check.why.signature': 'The checkpoint was not signed by the published key: the signed statement was changed or forged.',
      'check.why.entry': 'The record of the application is malformed, or its number does not match the number in the proof.',
      'check.why.unsupported': 'This browser cannot check the signature: the page was opened over an insecure address (http). Open it over https.',
      'check.steps': 'What was checked',
      'check.step.format': 'The whole receipt could be read',
      'check.step.entry-hash': 'The record of the application is unchanged',
      'check.step.size': 'The proof belongs to the signed log',
      'check.step.inclusion': 'The record is part of the signed log',
      'check.step.key': 'The log was signed with this service’s published key',
      'check.step.signature': 'The service’s signature is correct',
      'check.step.entry': 'The record is well-formed and its number matches',
      'check.mark.ok': 'yes',
      'check.mark.bad': 'NO',
      'check.mark.skip': 'not checked',
      'check.technical': 'Details for specialists',
    },
  });

  const MAX_FILE_BYTES = 1 << 20;
  const hasCrypto = Boolean(globalThis.crypto && globalThis.crypto.subtle);

  // What the page shows is rebuilt from these on a language change.
  let key = null;        // { spki, fingerprint } once loaded
  let keyProblem = null; // () => text, when the key could not be loaded
  let shown = null;      // () => nodes of the result region
  let keyReady;          // a promise settled when the key is loaded or failed

  const $ = id => document.getElementById(id);

  function renderKey() {
    const node = $('key-fingerprint');
    if (key) KQ.fill(node, key.fingerprint);
    else if (keyProblem) KQ.fill(node, keyProblem());
    else KQ.fill(node, KQ.t('loading'));
    node.classList.toggle('mono', Boolean(key));
  }

  async function loadKey() {
    const answer = await KQ.getJson('/api/v1/public/log-key');
    if (!answer.ok || !answer.body || typeof answer.body.spki !== 'string') {
      keyProblem = () => KQ.t('check.key.failed', { why: KQ.failureMessage(answer) });
    } else {
      // The fingerprint shown is computed here from the key itself; only without WebCrypto (nothing
      // can be checked then anyway) is it the logId the service states.
      const stated = /^[0-9a-f]{64}$/.test(answer.body.logId) ? answer.body.logId : null;
      const fingerprint = hasCrypto ? await KQReceipt.fingerprint(answer.body.spki) : stated;
      if (fingerprint) key = { spki: answer.body.spki, fingerprint };
      else keyProblem = () => KQ.t('check.key.bad');
    }
    renderKey();
  }

  /**
   * Sets the result region. state: 'valid' | 'invalid' (a verdict: data-valid, and data-failed when
   * invalid) | 'note' (nothing was checked: empty input, no key) | 'unsupported' (no WebCrypto).
   */
  function show(state, failed, build) {
    const region = $('receipt-result');
    region.className = state === 'valid' ? 'message good' : state === 'invalid' ? 'message bad' : 'message warn';
    region.dataset.state = state;
    if (state === 'note' || state === 'unsupported') {
      delete region.dataset.valid;
      delete region.dataset.failed;
    } else {
      region.dataset.valid = String(state === 'valid');
      if (failed) region.dataset.failed = failed; else delete region.dataset.failed;
    }
    shown = build;
    KQ.fill(region, build());
  }

  const note = textKey => show('note', null, () => [KQ.el('p', {}, KQ.t(textKey))]);

  /** The steps in order: passed ones ✓, the failed one ✗, the rest not checked — in words as well. */
  function steps(failed) {
    const at = failed ? KQReceipt.CHECKS.indexOf(failed) : KQReceipt.CHECKS.length;
    return KQ.el('ol', { class: 'receipt-steps' }, KQReceipt.CHECKS.map((check, i) => {
      const state = i < at ? 'ok' : i === at ? 'bad' : 'skip';
      return KQ.el('li', { class: state, 'data-check': check, 'data-state': state },
        KQ.el('span', { class: 'mark', 'aria-hidden': 'true' }, { ok: '✓', bad: '✗', skip: '–' }[state]), ' ',
        KQ.t(`check.step.${check}`), ' — ',
        KQ.el('strong', {}, KQ.t(`check.mark.${state}`)));
    }));
  }

  function render(result) {
    const d = result.detail;
    const technical = KQ.el('details', { class: 'technical' },
      KQ.el('summary', {}, KQ.t('check.technical')),
      KQ.el('p', { class: 'mono' }, d.reason || ''));
    if (result.valid) {
      const slots = { number: d.number, index: KQ.number(d.index), size: d.size, type: d.type };
      return [
        KQ.el('strong', {}, '✓ ', KQ.t('check.valid')),
        KQ.el('p', {}, KQ.t(d.number ? 'check.proves.number' : 'check.proves.other', slots)),
        KQ.el('p', {}, KQ.t('check.proves.signed', { time: KQ.dateTime(d.time) }), ' ',
          KQ.el('span', { class: 'mono' }, d.logId), '.'),
        KQ.el('p', {}, KQ.t('check.proves.meaning')),
        KQ.el('h2', { class: 'steps-heading' }, KQ.t('check.steps')),
        steps(null),
        technical,
      ];
    }
    const failed = KQReceipt.CHECKS.includes(result.failed) ? result.failed : null;
    return [
      KQ.el('strong', {}, '✗ ', KQ.t('check.invalid')),
      KQ.el('p', {}, KQ.t(`check.why.${result.failed}`)),
      failed ? [KQ.el('h2', { class: 'steps-heading' }, KQ.t('check.steps')), steps(failed)] : null,
      technical,
    ];
  }

  async function runCheck() {
    const text = $('receipt-input').value;
    if (!text.trim()) { note('check.empty'); return; }
    if (!hasCrypto) {
      show('unsupported', null, () => [KQ.el('strong', {}, KQ.t('check.cannot')), KQ.el('p', {}, KQ.t('check.why.unsupported'))]);
      return;
    }
    const button = $('receipt-check');
    button.disabled = true;
    try {
      await keyReady;
      if (!key) { note('check.noKey'); return; }
      const result = await KQReceipt.verify(text, key.spki);
      show(result.valid ? 'valid' : 'invalid', result.valid ? null : result.failed, () => render(result));
    } finally {
      button.disabled = false;
    }
  }

  async function loadFile(event) {
    const file = event.target.files && event.target.files[0];
    if (!file) return;
    // The browser's own "Choose File" is hidden (it speaks the browser's language, not the page's):
    // the chosen file's name shows beside our button instead.
    const name = $('receipt-file-name');
    delete name.dataset.i18n;
    name.textContent = file.name;
    if (file.size > MAX_FILE_BYTES) { note('check.file.tooBig'); return; }
    let text;
    try {
      // A byte-order mark stays in the text (and fails as "format"), as in the reference reader.
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(await file.arrayBuffer());
    } catch (e) {
      note(e instanceof TypeError ? 'check.file.notText' : 'check.file.unreadable');
      return;
    }
    $('receipt-input').value = text;
    await runCheck();
  }

  document.addEventListener('DOMContentLoaded', () => {
    if (!$('receipt-form')) return;
    renderKey();
    if (!hasCrypto) {
      const warning = $('check-unsupported');
      warning.textContent = KQ.t('check.unsupported');
      warning.hidden = false;
    }
    $('receipt-form').addEventListener('submit', event => { event.preventDefault(); runCheck(); });
    $('receipt-file').addEventListener('change', loadFile);
    keyReady = loadKey();

    let left = null;
    try { left = sessionStorage.getItem('kq.receipt'); } catch { /* storage disabled: nothing left */ }
    if (left) {
      $('receipt-input').value = left;
      runCheck();
    }
  });

  KQ.onLanguageChange(() => {
    if (!hasCrypto) $('check-unsupported').textContent = KQ.t('check.unsupported');
    renderKey();
    if (shown) KQ.fill($('receipt-result'), shown());
  });
})();
