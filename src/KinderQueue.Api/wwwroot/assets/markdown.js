// A small markdown renderer for the three documents the site publishes (algorithm-spec/SPEC.md,
// VERIFYING.md, explainer.ru.md). It covers what they use, in the CommonMark/GitHub way:
//   blocks: ATX headings (# … ######), paragraphs, bullet and numbered lists nested by indentation
//           (tight and loose, items with several paragraphs), pipe tables (with :--: alignment),
//           fenced code blocks (``` and ~~~, with a language name), indented code blocks,
//           blockquotes, horizontal rules;
//   inline: `code` (any number of backticks), **bold**, *italic*, _italic_, [text](link "title"),
//           backslash escapes, hard line breaks (two trailing spaces or a trailing backslash).
// Not supported, shown as plain text: raw HTML (a "<dir>" stays the text "<dir>"), images (their
// alt text is shown), setext headings, reference-style links, footnotes, entities.
//
// Safety: the text is parsed into a small tree and built with KQ.el / text nodes only, never
// innerHTML, so nothing in a document can become markup or script. Links are a whitelist (see
// resolveLink): same-page anchors, http(s) URLs, and the three published documents.
'use strict';

const KQMarkdown = (() => {
  // ---------- block structure ----------

  const BLANK = /^[ \t]*$/;
  const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
  const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
  const HR = /^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;
  const QUOTE = /^ {0,3}> ?/;
  const ITEM = /^( {0,3})([*+-]|\d{1,9}[.)])(?:([ \t]+)(.*)|[ \t]*$)/;
  const DELIMITER_ROW = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

  const indentOf = line => line.length - line.trimStart().length;
  const expandTabs = line => line.replace(/^[ \t]+/, lead => lead.replace(/\t/g, '    '));

  /** Whether a line would start a block that ends a paragraph (CommonMark's interrupt rules). */
  function interruptsParagraph(line) {
    if (ATX.test(line) || FENCE.test(line) || HR.test(line) || QUOTE.test(line)) return true;
    const item = ITEM.exec(line);
    // A list interrupts a paragraph only with content, and a numbered one only when it starts at 1.
    return !!item && item[4] !== undefined && item[4].trim() !== '' && (!/\d/.test(item[2]) || parseInt(item[2], 10) === 1);
  }

  function splitRow(line) {
    let s = line.trim();
    if (s.startsWith('|')) s = s.slice(1);
    if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
    // Split on pipes that are not escaped; a "\|" stays a pipe inside the cell (as on GitHub).
    const cells = [];
    let cell = '';
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '\\' && s[i + 1] === '|') { cell += '|'; i++; }
      else if (s[i] === '|') { cells.push(cell.trim()); cell = ''; }
      else cell += s[i];
    }
    cells.push(cell.trim());
    return cells;
  }

  function isTableStart(lines, i) {
    if (i + 1 >= lines.length || !lines[i].includes('|') || !DELIMITER_ROW.test(lines[i + 1])) return false;
    return splitRow(lines[i]).length === splitRow(lines[i + 1]).length;
  }

  /** Parses lines (already relative to their container) into a list of block nodes. */
  function parseBlocks(lines) {
    const blocks = [];
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (BLANK.test(line)) { i++; continue; }
      let m;

      if (indentOf(line) >= 4) {                       // indented code block
        const code = [];
        while (i < lines.length && (BLANK.test(lines[i]) || indentOf(lines[i]) >= 4)) code.push(lines[i++].slice(4));
        while (code.length && BLANK.test(code[code.length - 1])) code.pop();
        blocks.push({ type: 'code', lang: '', text: code.join('\n') });
        continue;
      }
      if ((m = FENCE.exec(line)) && !(m[2][0] === '`' && m[3].includes('`'))) {
        const indent = m[1].length, fence = m[2];
        const lang = (m[3].trim().split(/\s+/)[0] || '').replace(/[^\w+-]/g, '');
        const code = [];
        i++;
        while (i < lines.length) {
          const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(lines[i]);
          if (close && close[1][0] === fence[0] && close[1].length >= fence.length) { i++; break; }
          code.push(lines[i].replace(new RegExp(`^ {0,${indent}}`), ''));
          i++;
        }
        blocks.push({ type: 'code', lang, text: code.join('\n') });
        continue;
      }
      if ((m = ATX.exec(line))) {
        blocks.push({ type: 'heading', level: m[1].length, text: (m[2] || '').trim() });
        i++;
        continue;
      }
      if (HR.test(line)) { blocks.push({ type: 'hr' }); i++; continue; }
      if (QUOTE.test(line)) {
        const inner = [];
        while (i < lines.length && !BLANK.test(lines[i])) {
          if (QUOTE.test(lines[i])) inner.push(lines[i].replace(QUOTE, ''));
          else if (!interruptsParagraph(lines[i])) inner.push(lines[i]);   // lazy continuation
          else break;
          i++;
        }
        blocks.push({ type: 'quote', children: parseBlocks(inner) });
        continue;
      }
      if ((m = ITEM.exec(line))) { i = parseList(lines, i, blocks); continue; }
      if (isTableStart(lines, i)) { i = parseTable(lines, i, blocks); continue; }

      const text = [line];
      i++;
      while (i < lines.length && !BLANK.test(lines[i]) && !interruptsParagraph(lines[i]) && !isTableStart(lines, i)) text.push(lines[i++]);
      blocks.push({ type: 'paragraph', text: text.join('\n') });
    }
    return blocks;
  }

  function parseList(lines, start, blocks) {
    const first = ITEM.exec(lines[start]);
    const ordered = /\d/.test(first[2]);
    const kind = ordered ? first[2].slice(-1) : first[2];   // ")" or "." for numbered, the bullet otherwise
    const list = { type: 'list', ordered, start: ordered ? parseInt(first[2], 10) : 1, tight: true, items: [] };
    let i = start;
    let blankBeforeItem = false;
    while (i < lines.length) {
      const m = ITEM.exec(lines[i]);
      if (!m) break;
      const sameKind = ordered ? /\d/.test(m[2]) && m[2].slice(-1) === kind : m[2] === kind;
      if (!sameKind || HR.test(lines[i])) break;
      if (blankBeforeItem) list.tight = false;

      // The item's content starts after the marker and 1–4 spaces; 5 or more mean 1 (code follows).
      const spaces = m[3] === undefined ? 1 : (m[3].length > 4 ? 1 : m[3].length);
      const content = m[1].length + m[2].length + spaces;
      const inner = [m[4] === undefined ? '' : (m[3].length > 4 ? ' '.repeat(m[3].length - 1) : '') + m[4]];
      i++;
      let previousBlank = inner[0] === '';
      let sawInnerBlank = false;
      while (i < lines.length) {
        const line = lines[i];
        if (BLANK.test(line)) { inner.push(''); previousBlank = true; i++; continue; }
        if (indentOf(line) >= content) {
          if (previousBlank && inner.some(l => l !== '')) sawInnerBlank = true;
          inner.push(line.slice(content));
          previousBlank = false;
          i++;
          continue;
        }
        // A less indented line continues the item's last paragraph only when nothing else starts.
        if (!previousBlank && !ITEM.test(line) && !interruptsParagraph(line) && !isTableStart(lines, i)) { inner.push(line.trimStart()); i++; continue; }
        break;
      }
      // Blank lines at the end belong between items (they make the list loose), not to this item.
      let trailing = 0;
      while (inner.length > 1 && inner[inner.length - 1] === '') { inner.pop(); trailing++; }
      blankBeforeItem = trailing > 0;
      const children = parseBlocks(inner);
      if (sawInnerBlank && children.length > 1) list.tight = false;
      list.items.push(children);
    }
    blocks.push(list);
    return i;
  }

  function parseTable(lines, start, blocks) {
    const header = splitRow(lines[start]);
    const align = splitRow(lines[start + 1]).map(d =>
      d.startsWith(':') && d.endsWith(':') ? 'center' : d.endsWith(':') ? 'right' : d.startsWith(':') ? 'left' : null);
    const rows = [];
    let i = start + 2;
    while (i < lines.length && !BLANK.test(lines[i]) && lines[i].includes('|') && !interruptsParagraph(lines[i])) {
      const cells = splitRow(lines[i++]);
      // As on GitHub: extra cells are dropped, missing ones are empty.
      rows.push(header.map((_, c) => cells[c] ?? ''));
    }
    blocks.push({ type: 'table', header, align, rows });
    return i;
  }

  // ---------- inline content ----------

  const PUNCTUATION = /[!-/:-@[-`{-~\p{P}\p{S}]/u;
  const WHITESPACE = /\s/u;

  /**
   * Parses inline markdown into nodes: { type: 'text'|'code'|'strong'|'em'|'link'|'break', … }.
   * Emphasis follows CommonMark's delimiter-run rules (so snake_case and 2*3*4 stay as written).
   */
  function parseInline(source) {
    const nodes = [];
    const delimiters = [];    // runs of * and _ that may open or close emphasis
    let text = '';
    const flush = () => { if (text) { nodes.push({ type: 'text', value: text }); text = ''; } };
    let i = 0;
    while (i < source.length) {
      const c = source[i];
      if (c === '\\' && i + 1 < source.length) {
        const next = source[i + 1];
        if (next === '\n') { flush(); nodes.push({ type: 'break' }); i += 2; continue; }
        if (/[!-/:-@[-`{-~]/.test(next)) { text += next; i += 2; continue; }
      }
      if (c === '`') {
        const run = /^`+/.exec(source.slice(i))[0];
        const close = findBacktickClose(source, i + run.length, run.length);
        if (close < 0) { text += run; i += run.length; continue; }
        let code = source.slice(i + run.length, close).replace(/\n/g, ' ');
        if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') code = code.slice(1, -1);
        flush();
        nodes.push({ type: 'code', value: code });
        i = close + run.length;
        continue;
      }
      if (c === '!' && source[i + 1] === '[') {
        const link = parseLink(source, i + 1);
        // Images are not loaded: their description is shown as text.
        if (link) { flush(); nodes.push(...parseInline(link.label)); i = link.end; continue; }
      }
      if (c === '[') {
        const link = parseLink(source, i);
        if (link) {
          flush();
          nodes.push({ type: 'link', href: link.href, title: link.title, children: parseInline(link.label) });
          i = link.end;
          continue;
        }
      }
      if (c === '\n') {
        const hard = / {2,}$/.test(text);
        text = text.replace(/ +$/, '');
        if (hard) { flush(); nodes.push({ type: 'break' }); } else text += '\n';
        i++;
        while (source[i] === ' ') i++;
        continue;
      }
      if (c === '*' || c === '_') {
        const run = c === '*' ? /^\*+/.exec(source.slice(i))[0] : /^_+/.exec(source.slice(i))[0];
        const before = i === 0 ? '\n' : source[i - 1];
        const after = i + run.length >= source.length ? '\n' : source[i + run.length];
        const leftFlanking = !WHITESPACE.test(after) && (!PUNCTUATION.test(after) || WHITESPACE.test(before) || PUNCTUATION.test(before));
        const rightFlanking = !WHITESPACE.test(before) && (!PUNCTUATION.test(before) || WHITESPACE.test(after) || PUNCTUATION.test(after));
        const canOpen = c === '*' ? leftFlanking : leftFlanking && (!rightFlanking || PUNCTUATION.test(before));
        const canClose = c === '*' ? rightFlanking : rightFlanking && (!leftFlanking || PUNCTUATION.test(after));
        flush();
        const node = { type: 'text', value: run };
        nodes.push(node);
        if (canOpen || canClose) delimiters.push({ node, char: c, length: run.length, original: run.length, canOpen, canClose });
        i += run.length;
        continue;
      }
      text += c;
      i++;
    }
    flush();
    return resolveEmphasis(nodes, delimiters);
  }

  function findBacktickClose(source, from, length) {
    let i = from;
    while (i < source.length) {
      if (source[i] !== '`') { i++; continue; }
      let j = i;
      while (source[j] === '`') j++;
      if (j - i === length) return i;
      i = j;
    }
    return -1;
  }

  /** [label](destination "title") starting at the "[", or null when it is not a link. */
  function parseLink(source, open) {
    let depth = 0, i = open;
    for (; i < source.length; i++) {
      const c = source[i];
      if (c === '\\') { i++; continue; }
      if (c === '`') {
        const run = /^`+/.exec(source.slice(i))[0];
        const close = findBacktickClose(source, i + run.length, run.length);
        if (close >= 0) { i = close + run.length - 1; continue; }
        i += run.length - 1;
        continue;
      }
      if (c === '[') depth++;
      else if (c === ']' && --depth === 0) break;
    }
    if (i >= source.length || source[i + 1] !== '(') return null;
    const label = source.slice(open + 1, i);
    let j = i + 2;
    while (source[j] === ' ' || source[j] === '\n') j++;
    let href = '';
    if (source[j] === '<') {
      const end = source.indexOf('>', j);
      if (end < 0 || source.slice(j, end).includes('\n')) return null;
      href = source.slice(j + 1, end);
      j = end + 1;
    } else {
      let parens = 0;
      while (j < source.length && !/\s/.test(source[j])) {
        if (source[j] === '\\' && j + 1 < source.length) { href += source[j + 1]; j += 2; continue; }
        if (source[j] === '(') parens++;
        if (source[j] === ')') { if (parens === 0) break; parens--; }
        href += source[j++];
      }
    }
    while (source[j] === ' ' || source[j] === '\n') j++;
    let title = null;
    if (source[j] === '"' || source[j] === '\'') {
      const quote = source[j];
      const end = source.indexOf(quote, j + 1);
      if (end < 0) return null;
      title = source.slice(j + 1, end);
      j = end + 1;
      while (source[j] === ' ' || source[j] === '\n') j++;
    }
    if (source[j] !== ')') return null;
    return { label, href, title, end: j + 1 };
  }

  /** CommonMark's "process emphasis", on the flat node list built above. */
  function resolveEmphasis(nodes, delimiters) {
    let closerIndex = 0;
    while (closerIndex < delimiters.length) {
      const closer = delimiters[closerIndex];
      if (!closer.canClose || closer.length === 0) { closerIndex++; continue; }
      let openerIndex = closerIndex - 1;
      for (; openerIndex >= 0; openerIndex--) {
        const o = delimiters[openerIndex];
        if (o.char !== closer.char || !o.canOpen || o.length === 0) continue;
        // The "multiple of 3" rule: a run that can both open and close does not pair with one of
        // a length that would leave the sum a multiple of 3 (unless both are).
        if ((o.canClose || closer.canOpen) && (o.original + closer.original) % 3 === 0 && !(o.original % 3 === 0 && closer.original % 3 === 0)) continue;
        break;
      }
      if (openerIndex < 0) { closerIndex++; continue; }
      const opener = delimiters[openerIndex];
      const strong = opener.length >= 2 && closer.length >= 2;
      const used = strong ? 2 : 1;
      const start = nodes.indexOf(opener.node), end = nodes.indexOf(closer.node);
      const inner = nodes.splice(start + 1, end - start - 1);
      const wrapped = { type: strong ? 'strong' : 'em', children: inner };
      nodes.splice(start + 1, 0, wrapped);
      opener.length -= used; closer.length -= used;
      opener.node.value = opener.node.value.slice(used);
      closer.node.value = closer.node.value.slice(used);
      // Delimiters between the pair can no longer match anything.
      delimiters.splice(openerIndex + 1, closerIndex - openerIndex - 1);
      closerIndex = openerIndex + 1;
      if (opener.length === 0) { nodes.splice(nodes.indexOf(opener.node), 1); delimiters.splice(openerIndex, 1); closerIndex--; }
      if (closer.length === 0) { nodes.splice(nodes.indexOf(closer.node), 1); delimiters.splice(closerIndex, 1); }
    }
    return nodes.filter(n => n.type !== 'text' || n.value !== '');
  }

  const plainText = nodes => nodes.map(n =>
    n.type === 'text' || n.type === 'code' ? n.value : n.type === 'break' ? ' ' : n.children ? plainText(n.children) : '').join('');

  /**
   * GitHub's heading anchor: lower case, punctuation and symbols removed (letters of any script,
   * digits, "-" and "_" kept), each space a "-". "## §7.6 Queue positions" → "76-queue-positions";
   * "## 1. Зачем это" → "1-зачем-это". Repeated headings get "-1", "-2", … as on GitHub.
   */
  function slug(text) {
    return text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
  }

  /** The document as a tree: blocks, headings with their ids, inline content parsed. */
  function parse(markdown) {
    const lines = String(markdown).replace(/\r\n?/g, '\n').split('\n').map(expandTabs);
    const blocks = parseBlocks(lines);
    const used = new Map();
    const headings = [];
    const visit = list => {
      for (const b of list) {
        if (b.type === 'heading' || b.type === 'paragraph') b.inline = parseInline(b.text);
        if (b.type === 'heading') {
          const base = slug(plainText(b.inline));
          const count = used.get(base) || 0;
          used.set(base, count + 1);
          b.id = count ? `${base}-${count}` : base;
          headings.push({ level: b.level, id: b.id, text: plainText(b.inline) });
        }
        if (b.type === 'table') {
          b.headerInline = b.header.map(parseInline);
          b.rowsInline = b.rows.map(r => r.map(parseInline));
        }
        if (b.type === 'quote') visit(b.children);
        if (b.type === 'list') b.items.forEach(visit);
      }
    };
    visit(blocks);
    return { blocks, headings };
  }

  // ---------- links ----------

  const DOCUMENTS = { 'spec.md': 'spec', 'verifying.md': 'verifying', 'explainer.ru.md': 'explainer' };

  const defaultLinkDoc = (doc, anchor) => `/docs.html?doc=${doc}${anchor ? `#${anchor}` : ''}`;

  /**
   * Where a link in a document may point, or null to show its text without a link. Allowed:
   * "#anchor" (a heading of the same document), http(s) URLs (shown with rel="noopener
   * noreferrer"), and the three published documents by their file name, optionally with
   * "#anchor" (SPEC.md, ./VERIFYING.md, explainer.ru.md#2-…), which linkDoc(doc, anchor) turns into
   * the site's own page for them. Every other link is a path in the source repository
   * (criteria/default.json, vectors/allocation, ../README.md) that this site does not serve: a
   * link would lead to a missing page or, worse, to some unrelated page of the site, so the words
   * are kept and the link is dropped. javascript:, data: and any other scheme never get through.
   */
  function resolveLink(href, linkDoc = defaultLinkDoc) {
    const target = String(href || '').trim();
    if (target.startsWith('#')) return target.length > 1 ? { href: target, external: false } : null;
    if (/^https?:\/\/[^\s/?#]+/i.test(target)) return { href: target, external: true };
    const m = /^(?:\.\/)?(?:algorithm-spec\/)?([A-Za-z.]+\.md)(?:#(.*))?$/.exec(target);
    if (m && DOCUMENTS[m[1].toLowerCase()]) return { href: linkDoc(DOCUMENTS[m[1].toLowerCase()], m[2] || ''), external: false };
    return null;
  }

  // ---------- DOM ----------

  function el(tag, attributes, ...children) {
    if (typeof KQ !== 'undefined') return KQ.el(tag, attributes, ...children);
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes || {})) if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : String(v));
    for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  function inlineNodes(nodes, options) {
    return nodes.map(n => {
      switch (n.type) {
        case 'text': return document.createTextNode(n.value);
        case 'code': return el('code', {}, n.value);
        case 'strong': return el('strong', {}, inlineNodes(n.children, options));
        case 'em': return el('em', {}, inlineNodes(n.children, options));
        case 'break': return el('br');
        case 'link': {
          const target = resolveLink(n.href, options.linkDoc);
          const children = inlineNodes(n.children, options);
          if (!target) return el('span', { class: 'unlinked' }, children);
          return el('a', {
            href: target.href, title: n.title, rel: target.external ? 'noopener noreferrer' : null,
          }, children);
        }
        default: return null;
      }
    });
  }

  function blockNodes(blocks, options, tight = false) {
    return blocks.map(b => {
      switch (b.type) {
        case 'heading': return el(`h${b.level}`, { id: b.id }, inlineNodes(b.inline, options));
        case 'paragraph': return tight ? inlineNodes(b.inline, options) : el('p', {}, inlineNodes(b.inline, options));
        case 'hr': return el('hr');
        // A code block scrolls inside itself; tabindex lets a keyboard reach and scroll it.
        case 'code': return el('pre', { tabindex: 0 }, el('code', { class: b.lang ? `language-${b.lang}` : null }, b.text));
        case 'quote': return el('blockquote', {}, blockNodes(b.children, options));
        case 'list': return el(b.ordered ? 'ol' : 'ul', { start: b.ordered && b.start !== 1 ? b.start : null },
          b.items.map(item => el('li', {}, blockNodes(item, options, b.tight))));
        case 'table': {
          const alignClass = c => (b.align[c] ? `align-${b.align[c]}` : null);
          // An empty header cell (a corner) is no header: it would name nothing for a screen reader.
          const headerCell = (cell, c) => el(cell.length ? 'th' : 'td', { scope: cell.length ? 'col' : null, class: alignClass(c) }, inlineNodes(cell, options));
          const table = el('table', {},
            el('thead', {}, el('tr', {}, b.headerInline.map(headerCell))),
            el('tbody', {}, b.rowsInline.map(row => el('tr', {}, row.map((cell, c) => el('td', { class: alignClass(c) }, inlineNodes(cell, options)))))));
          // Named after its column headers: a document's tables have no captions.
          return KQ.tableWrap(table, `${KQ.t('table')}: ${[...table.querySelectorAll('thead th')].map(th => th.textContent).join(', ')}`);
        }
        default: return null;
      }
    });
  }

  /**
   * Renders markdown text into a DocumentFragment. options.linkDoc(doc, anchor) gives the address of
   * a published document ("spec", "verifying", "explainer"); by default /docs.html?doc=…#anchor.
   */
  function render(markdown, options = {}) {
    const tree = parse(markdown);
    const fragment = document.createDocumentFragment();
    for (const node of blockNodes(tree.blocks, options).flat(Infinity)) if (node) fragment.append(node);
    return fragment;
  }

  return { render, parse, parseInline, slug, resolveLink, plainText };
})();
