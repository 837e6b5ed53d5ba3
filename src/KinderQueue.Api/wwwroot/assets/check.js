// "Check it yourself": a parent pastes or loads a receipt (SPEC.md §14.3) and the page checks it
// here, in the browser, with the key the service publishes (receipt.js does the checking). The
// result region #receipt-result gets data-valid="true|false" and, when invalid, data-failed with
// the first failed check's name (KQReceipt.CHECKS), plus data-state (see show()). If the
// position page left a receipt in sessionStorage['kq.receipt'], it is filled in and checked at once.
// With "check against the tiles" ticked (#tiles-on, or ?tiles=URL in the page's address), the entry is
// also looked up in the log as published in static tiles (tiles.js; #tiles-url, empty: this service's
// /api/v1/public/tlog/): #receipt-result then also gets data-tiles="ok", "skipped" (the receipt could not
// be read far enough) or the failed tiles check (KQTiles.CHECKS, tiles-unsupported, tiles-url), and the
// receipt is valid only if both checks pass.
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
      'check.tiles.legend': 'Проверка по плиткам журнала',
      'check.tiles.on': 'Проверить ещё и по опубликованным плиткам журнала (tlog-tiles)',
      'check.tiles.url': 'Адрес плиток',
      'check.tiles.hint': 'Если оставить пустым, берутся плитки этой службы. Можно указать зеркало или CDN, где департамент публикует журнал.',
      'check.tiles.heading': 'Проверка по плиткам журнала',
      'check.tiles.where': 'Плитки взяты по адресу',
      'check.tiles.ok': 'Запись № {index} есть в журнале, опубликованном плитками: в нём {size:entry}, и он подписан опубликованным ключом службы.',
      'check.tiles.bad': 'Проверка по плиткам НЕ пройдена',
      'check.tiles.refuted': 'Квитанция сходится сама по себе, но опубликованный журнал её НЕ подтверждает',
      'check.tiles.good': 'Проверка по плиткам пройдена',
      'check.tiles.skipped': 'По плиткам не проверяли: квитанцию не удалось прочитать настолько, чтобы знать, какую запись искать.',
      'check.tiles.why.tiles-url': 'Адрес плиток указан неверно: нужен адрес, начинающийся с https:// или http://.',
      'check.tiles.why.tiles-checkpoint': 'Не удалось получить подписанную отметку журнала по этому адресу: адрес недоступен, там нет плиток или эта страница не может читать с него.',
      'check.tiles.why.tiles-signature': 'Подпись журнала по этому адресу неверна: он подписан не опубликованным ключом этой службы или подпись повреждена. Это не тот журнал, который ведёт служба.',
      'check.tiles.why.tiles-missing': 'Не удалось получить плитку журнала, нужную для проверки (или она повреждена):',
      'check.tiles.why.tiles-leaf': 'Вашей записи нет в журнале, опубликованном по этому адресу: на её месте другая запись или журнал ещё короче. Возможно, квитанция выдана другим журналом.',
      'check.tiles.why.tiles-root': 'Плитки журнала не сходятся с его подписью: одна из плиток изменена.',
      'check.tiles.why.tiles-unsupported': 'Этот браузер не умеет проверять подписи Ed25519, которыми подписан журнал. Обновите браузер или проверьте журнал программой kq.',
      'check.tiles.step.tiles-checkpoint': 'Подписанная отметка журнала получена',
      'check.tiles.step.tiles-signature': 'Журнал подписан опубликованным ключом службы',
      'check.tiles.step.tiles-missing': 'Нужные плитки получены',
      'check.tiles.step.tiles-leaf': 'Ваша запись есть в журнале на своём месте',
      'check.tiles.step.tiles-root': 'Плитки сходятся с подписью журнала',
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
      'check.tiles.legend': 'Check against the log tiles',
      'check.tiles.on': 'Also check against the published log tiles (tlog-tiles)',
      'check.tiles.url': 'Tiles address',
      'check.tiles.hint': 'Left empty, this service’s tiles are used. You may give a mirror or CDN where the department publishes the log.',
      'check.tiles.heading': 'Check against the log tiles',
      'check.tiles.where': 'Tiles read from',
      'check.tiles.ok': 'Entry No. {index} is in the log published as tiles: it holds {size:entry}, and it is signed with the service’s published key.',
      'check.tiles.bad': 'The tiles check FAILED',
      'check.tiles.refuted': 'The receipt adds up on its own, but the published log does NOT confirm it',
      'check.tiles.good': 'The tiles check passed',
      'check.tiles.skipped': 'Not checked against the tiles: the receipt could not be read far enough to know which entry to look for.',
      'check.tiles.why.tiles-url': 'The tiles address is not valid: give an address starting with https:// or http://.',
      'check.tiles.why.tiles-checkpoint': 'Could not get the signed checkpoint of the log at this address: it is unreachable, holds no tiles, or this page may not read from it.',
      'check.tiles.why.tiles-signature': 'The log at this address has a wrong signature: it is not signed with this service’s published key, or the signature is damaged. It is not the log this service keeps.',
      'check.tiles.why.tiles-missing': 'A tile of the log needed for the check could not be read (or is damaged):',
      'check.tiles.why.tiles-leaf': 'Your entry is not in the log published at this address: another entry is in its place, or the log is shorter. The receipt may come from another log.',
      'check.tiles.why.tiles-root': 'The log’s tiles do not add up to its signature: one of the tiles was changed.',
      'check.tiles.why.tiles-unsupported': 'This browser cannot check Ed25519 signatures, which the log is signed with. Update the browser or check the log with the kq program.',
      'check.tiles.step.tiles-checkpoint': 'The log’s signed checkpoint was read',
      'check.tiles.step.tiles-signature': 'The log is signed with the service’s published key',
      'check.tiles.step.tiles-missing': 'The tiles needed were read',
      'check.tiles.step.tiles-leaf': 'Your entry is in the log, in its place',
      'check.tiles.step.tiles-root': 'The tiles add up to the log’s signature',
    },
  });

  const MAX_FILE_BYTES = 1 << 20;
  /** This service's own tiles (SPEC.md §11.7), when no other address is given. */
  const DEFAULT_TILES = '/api/v1/public/tlog/';
  const hasCrypto = Boolean(globalThis.crypto && globalThis.crypto.subtle);

  // What the page shows is rebuilt from these on a language change.
  let key = null;        // { spki, fingerprint, noteKey, origin } once loaded
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
      const noteKey = typeof answer.body.noteVerifierKey === 'string' ? answer.body.noteVerifierKey : null;
      const origin = typeof answer.body.origin === 'string' ? answer.body.origin : null;
      if (fingerprint) key = { spki: answer.body.spki, fingerprint, noteKey, origin };
      else keyProblem = () => KQ.t('check.key.bad');
    }
    renderKey();
  }

  /**
   * Sets the result region. state: 'valid' | 'invalid' (a verdict: data-valid, and data-failed when
   * invalid) | 'note' (nothing was checked: empty input, no key) | 'unsupported' (no WebCrypto).
   */
  function show(state, failed, build, tiles) {
    const region = $('receipt-result');
    if (tiles && state !== 'note' && state !== 'unsupported') region.dataset.tiles = tiles; else delete region.dataset.tiles;
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

  /** The tiles check's steps, as steps() does for the receipt's. */
  function tileSteps(failed) {
    const at = failed ? KQTiles.CHECKS.indexOf(failed) : KQTiles.CHECKS.length;
    return KQ.el('ol', { class: 'receipt-steps' }, KQTiles.CHECKS.map((check, i) => {
      const state = i < at ? 'ok' : i === at ? 'bad' : 'skip';
      return KQ.el('li', { class: state, 'data-check': check, 'data-state': state },
        KQ.el('span', { class: 'mark', 'aria-hidden': 'true' }, { ok: '✓', bad: '✗', skip: '–' }[state]), ' ',
        KQ.t(`check.tiles.step.${check}`), ' — ',
        KQ.el('strong', {}, KQ.t(`check.mark.${state}`)));
    }));
  }

  /** The tiles section: null when the tiles were not asked for. */
  function renderTiles(tiles, index) {
    if (!tiles) return null;
    const heading = KQ.el('h2', { class: 'steps-heading' }, KQ.t('check.tiles.heading'));
    if (tiles.skipped) return KQ.el('section', { class: 'tiles-result' }, heading, KQ.el('p', {}, KQ.t('check.tiles.skipped')));
    const d = tiles.detail;
    const where = KQ.el('p', {}, KQ.t('check.tiles.where'), ' ', KQ.el('span', { class: 'mono' }, d.url || ''), '.');
    const technical = KQ.el('details', { class: 'technical' },
      KQ.el('summary', {}, KQ.t('check.technical')),
      KQ.el('p', { class: 'mono' }, d.reason || ''));
    if (tiles.ok) {
      return KQ.el('section', { class: 'tiles-result' }, heading,
        KQ.el('strong', {}, '✓ ', KQ.t('check.tiles.good')),
        KQ.el('p', {}, KQ.t('check.tiles.ok', { index: KQ.number(index), size: Number(d.size) })),
        where, tileSteps(null), technical);
    }
    const stepped = KQTiles.CHECKS.includes(tiles.failed);
    return KQ.el('section', { class: 'tiles-result' }, heading,
      KQ.el('strong', {}, '✗ ', KQ.t('check.tiles.bad')),
      KQ.el('p', {}, KQ.t(`check.tiles.why.${tiles.failed}`),
        tiles.failed === 'tiles-missing' && d.resource ? [' ', KQ.el('span', { class: 'mono' }, d.resource)] : null),
      where, stepped ? tileSteps(tiles.failed) : null, technical);
  }

  function render(result, tiles) {
    const d = result.detail;
    const technical = KQ.el('details', { class: 'technical' },
      KQ.el('summary', {}, KQ.t('check.technical')),
      KQ.el('p', { class: 'mono' }, d.reason || ''));
    if (result.valid) {
      const slots = { number: d.number, index: KQ.number(d.index), size: d.size, type: d.type };
      // The receipt adds up, but the published tiles do not confirm it: that is the verdict, said first.
      const refuted = tiles && !tiles.ok && !tiles.skipped;
      return [
        refuted ? KQ.el('strong', {}, '✗ ', KQ.t('check.tiles.refuted')) : KQ.el('strong', {}, '✓ ', KQ.t('check.valid')),
        KQ.el('p', {}, KQ.t(d.number ? 'check.proves.number' : 'check.proves.other', slots)),
        KQ.el('p', {}, KQ.t('check.proves.signed', { time: KQ.dateTime(d.time) }), ' ',
          KQ.el('span', { class: 'mono' }, d.logId), '.'),
        KQ.el('p', {}, KQ.t('check.proves.meaning')),
        KQ.el('h2', { class: 'steps-heading' }, KQ.t('check.steps')),
        steps(null),
        technical,
        renderTiles(tiles, d.index),
      ];
    }
    const failed = KQReceipt.CHECKS.includes(result.failed) ? result.failed : null;
    return [
      KQ.el('strong', {}, '✗ ', KQ.t('check.invalid')),
      KQ.el('p', {}, KQ.t(`check.why.${result.failed}`)),
      failed ? [KQ.el('h2', { class: 'steps-heading' }, KQ.t('check.steps')), steps(failed)] : null,
      technical,
      renderTiles(tiles, d.index),
    ];
  }

  /** The tiles prefix to read (absolute, ending in '/'), or null when the address is not an http(s) URL. */
  function tilesBase() {
    const text = $('tiles-url').value.trim() || DEFAULT_TILES;
    let url;
    try { url = new URL(text, location.href); } catch { return null; }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    url.search = '';
    url.hash = '';
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url.href;
  }

  /** The tiles check of a receipt whose entry hash was checked; null when not asked for. */
  async function checkTiles(result) {
    if (!$('tiles-on').checked) return null;
    const d = result.detail;
    if (!d.entryHash || !d.entryIndex) return { skipped: true };
    const base = tilesBase();
    if (!base) return { ok: false, failed: 'tiles-url', detail: { url: $('tiles-url').value.trim(), reason: 'Not an http(s) URL.' } };
    const leaf = Uint8Array.from(d.entryHash.match(/../g), h => parseInt(h, 16));
    return KQTiles.check({ base, verifierKey: key.noteKey, origin: key.origin, leaf, index: BigInt(d.entryIndex) });
  }

  const tilesState = tiles => (!tiles ? null : tiles.skipped ? 'skipped' : tiles.ok ? 'ok' : tiles.failed);

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
      const tiles = result.failed === 'unsupported' ? null : await checkTiles(result);
      const valid = result.valid && (!tiles || tiles.ok === true);
      const failed = valid ? null : result.valid ? tilesState(tiles) : result.failed;
      show(valid ? 'valid' : 'invalid', failed, () => render(result, tiles), tilesState(tiles));
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
    // ?tiles=URL (a link a department or a validator gives out) ticks the tiles check with that address.
    const asked = new URLSearchParams(location.search).get('tiles');
    if (asked !== null) {
      $('tiles-on').checked = true;
      $('tiles-url').value = asked;
    }

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
