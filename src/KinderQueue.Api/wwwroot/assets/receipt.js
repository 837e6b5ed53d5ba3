// Checks a parent's receipt (SPEC.md §14.3) in the browser with nothing but the published checkpoint
// key (§11.1): the same checks, in the same order and with the same names, as the reference
// Receipt.Verify (src/KinderQueue.Core/Log/Receipt.cs), plus "key" before "signature". No DOM here:
// the page (check.js) turns the answer into words.
//
//   KQReceipt.verify(receiptText, spkiBase64) → Promise<{ valid, failed, detail }>
//   KQReceipt.fingerprint(spkiBase64) → Promise<logId hex | null>
//
// failed is null when valid, else the first check that failed (KQReceipt.CHECKS):
//   format      the text is not a receipt: not JSON, a field missing or malformed, or a checkpoint that
//               is not exactly its six members once re-canonicalised — white space, member order and
//               string escapes do not matter, since the signature covers the canonical bytes (mirrors
//               Receipt.Parse, CanonicalJson.Canonicalize and SignedCheckpoint.Parse)
//   entry-hash  SHA-256(0x00 ‖ UTF-8(entry)) is not entryHash: the entry was changed
//   size        the proof's tree size is not the checkpoint's size
//   inclusion   the proof does not lead from the entry to the checkpoint's root (RFC 9162 §2.1.3.2)
//   key         the key is not a P-256 SPKI of the published form, or the checkpoint's logId is not
//               SHA-256 of this key (the receipt was signed for another log)
//   signature   the checkpoint's signature does not verify under the key over its signed bytes
//   entry       the entry is not a canonical log entry (LogEntry.Parse), or its seq is not the index
//   unsupported (not a check) the platform has no WebCrypto: crypto.subtle is missing
// detail holds what the page needs to say: index, size, type, number (payload.number of the entry),
// time, logId, keyLogId, entryHash and entryIndex (decimal) once the entry hash is checked, and reason
// (a technical English sentence, for developers).
// Every malformed input gives a failed check, never an exception: receipts come from anyone.
'use strict';

const KQReceipt = (() => {
  const CHECKS = ['format', 'entry-hash', 'size', 'inclusion', 'key', 'signature', 'entry'];
  const INT64_MAX = (1n << 63n) - 1n;
  const INT64_MIN = -(1n << 63n);

  // ---- JSON ------------------------------------------------------------------------------------
  // JSON.parse cannot say how a value was written ("1.0" or "1", where an object starts and ends),
  // and the reference checks exactly that: an index must be a JSON integer, and the checkpoint and the
  // entry must be byte for byte their canonical encoding. So this is a small strict parser (RFC 8259,
  // as System.Text.Json reads it by default: no comments, no trailing commas, nesting limited) that
  // keeps every value's place in the text. Later duplicate keys win, as in JsonElement.TryGetProperty.

  class JsonError extends Error {}

  function parseJson(text, maxDepth) {
    let i = 0;
    const fail = why => { throw new JsonError(`${why} at character ${i}`); };
    const space = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };

    function value(depth) {
      space();
      const start = i;
      const c = text[i];
      if (c === '{' || c === '[') {
        if (depth + 1 > maxDepth) fail(`nesting deeper than ${maxDepth}`);
        i++;
        space();
        const node = c === '{' ? { kind: 'object', members: new Map(), start } : { kind: 'array', items: [], start };
        const close = c === '{' ? '}' : ']';
        if (text[i] === close) { i++; node.end = i; return node; }
        for (;;) {
          if (c === '{') {
            space();
            if (text[i] !== '"') fail('a key expected');
            const key = string();
            space();
            if (text[i] !== ':') fail("':' expected");
            i++;
            if (node.members.has(key.value)) node.duplicate = true;
            node.members.delete(key.value);
            node.members.set(key.value, { key, value: value(depth + 1) });
          } else {
            node.items.push(value(depth + 1));
          }
          space();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === close) { i++; node.end = i; return node; }
          fail(`',' or '${close}' expected`);
        }
      }
      if (c === '"') return string();
      if (c === '-' || (c >= '0' && c <= '9')) {
        const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
        m.lastIndex = i;
        const found = m.exec(text);
        if (!found) fail('a number expected');
        i += found[0].length;
        return { kind: 'number', raw: found[0], start, end: i };
      }
      for (const word of ['true', 'false', 'null']) {
        if (text.startsWith(word, i)) { i += word.length; return { kind: word, start, end: i }; }
      }
      return fail('a value expected');
    }

    function string() {
      const start = i;
      i++;
      let out = '';
      for (;;) {
        if (i >= text.length) fail('unterminated string');
        const c = text[i];
        if (c === '"') { i++; break; }
        if (c < ' ') fail('a control character in a string');
        if (c !== '\\') { out += c; i++; continue; }
        const e = text[i + 1];
        const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
        if (simple !== undefined) { out += simple; i += 2; continue; }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        fail('a bad escape in a string');
      }
      // An escaped lone surrogate parses, but is not text: reading it (GetString) fails in the reference.
      return { kind: 'string', value: out, wellFormed: isWellFormed(out), start, end: i };
    }

    const root = value(0);
    space();
    if (i !== text.length) fail('text after the JSON value');
    return root;
  }

  function isWellFormed(s) {
    if (typeof s.isWellFormed === 'function') return s.isWellFormed();
    return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
  }

  /** A JSON integer as Int64 would read it (JsonElement.TryGetInt64): digits only, in range; else null. */
  function int64(node) {
    if (!node || node.kind !== 'number' || !/^-?[0-9]+$/.test(node.raw)) return null;
    const n = BigInt(node.raw);
    return n < INT64_MIN || n > INT64_MAX ? null : n;
  }

  /** A string member's text, or null; throws FieldError for an escaped lone surrogate (not text). */
  function stringValue(node) {
    if (!node || node.kind !== 'string') return null;
    if (!node.wellFormed) throw new FieldError('a string is not well-formed Unicode (an unpaired surrogate)');
    return node.value;
  }

  class FieldError extends Error {}

  /** The value of a member, treating a JSON null as absent (JsonFields.TryGet). */
  function member(obj, name) {
    const m = obj.members.get(name);
    return m && m.value.kind !== 'null' ? m.value : undefined;
  }

  // ---- Canonical JSON (SPEC.md §3), as CanonicalJsonWriter writes it ---------------------------
  // Strings: '"' and '\' escaped with a backslash, characters below U+0020 as \u00xx (lower-case hex),
  // everything else as it is (UTF-8 on the wire). Integers in decimal. No white space.
  function canonicalString(s) {
    let out = '"';
    for (const ch of s) {
      const code = ch.codePointAt(0);
      if (ch === '"') out += '\\"';
      else if (ch === '\\') out += '\\\\';
      else if (code < 0x20) out += '\\u00' + code.toString(16).padStart(2, '0');
      else out += ch;
    }
    return out + '"';
  }

  const HASH = /^[0-9a-f]{64}$/;

  // Instants are exactly uuuu-MM-ddTHH:mm:ss.fffZ (SPEC.md §3.2), a real date and time of day. As
  // in NodaTime (the reference), the proleptic Gregorian year may be negative, down to -9998.
  function isInstant(s) {
    const m = /^(-?[0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.[0-9]{3}Z$/.exec(s);
    if (!m || m[1] === '-0000') return false;
    const [y, mo, d, h, mi, sec] = m.slice(1).map(Number);
    if (y < -9998) return false;
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
    return days !== undefined && d >= 1 && d <= days && h < 24 && mi < 60 && sec < 60;
  }

  // ---- Reading the receipt (Receipt.Parse + SignedCheckpoint.Parse) ----------------------------

  const CHECKPOINT_MEMBERS = ['head', 'logId', 'root', 'signature', 'size', 'time'];

  function parseCheckpoint(node) {
    if (node.kind !== 'object') throw new FieldError("'checkpoint' must be the signed checkpoint object");
    // Re-canonicalised (SPEC.md §3), a checkpoint is exactly its six members: a repeated key or any
    // other member is refused, as CanonicalJson.Canonicalize and SignedCheckpoint.Parse refuse them.
    if (node.duplicate) throw new FieldError('checkpoint: a key is repeated (SPEC.md §3)');
    const extra = [...node.members.keys()].filter(k => !CHECKPOINT_MEMBERS.includes(k));
    if (extra.length > 0) throw new FieldError(`checkpoint: not the canonical encoding of its fields: '${extra[0]}' is not a checkpoint member (SPEC.md §11.2)`);
    const field = name => {
      const v = member(node, name);
      if (v === undefined) throw new FieldError(`checkpoint: '${name}' is required`);
      return v;
    };
    const text6 = {};
    for (const name of ['logId', 'root', 'head']) {
      const s = stringValue(field(name));
      if (s === null || s === '') throw new FieldError(`checkpoint: '${name}' must be a string`);
      if (!HASH.test(s)) throw new FieldError(`checkpoint: '${name}' must be 64 lower-case hex digits`);
      text6[name] = s;
    }
    const size = int64(field('size'));
    if (size === null || size < 0n) throw new FieldError("checkpoint: 'size' must be a whole number >= 0");
    const time = stringValue(field('time'));
    if (time === null || !isInstant(time)) throw new FieldError("checkpoint: 'time' must be an instant like 2027-03-01T09:15:00.000Z");
    const signature = stringValue(field('signature'));
    if (signature === null || signature === '') throw new FieldError("checkpoint: 'signature' must be a string");

    // The signed bytes are built from the values, so however the receipt spells them (pretty-printed
    // by jq, members reordered), the bytes checked are the canonical bytes signed (§11.2).
    const signed = `{"head":"${text6.head}","logId":"${text6.logId}","root":"${text6.root}","size":${size},"time":"${time}"}`;
    return { head: text6.head, logId: text6.logId, root: text6.root, size, time, signature, signed };
  }

  function parseReceipt(text) {
    const r = parseJson(text, 64);
    if (r.kind !== 'object') throw new FieldError('a receipt is a JSON object');
    const c = r.members.get('checkpoint');
    if (!c || c.value.kind !== 'object') throw new FieldError("'checkpoint' must be the signed checkpoint object");
    const checkpoint = parseCheckpoint(c.value);
    const entry = stringValue(r.members.get('entry')?.value);
    if (entry === null) throw new FieldError("'entry' must be the entry bytes as a string");
    const entryHash = stringValue(r.members.get('entryHash')?.value);
    if (entryHash === null) throw new FieldError("'entryHash' must be 64 hex digits");
    const index = int64(r.members.get('index')?.value);
    if (index === null || index < 0n) throw new FieldError("'index' must be a non-negative integer");
    const size = int64(r.members.get('size')?.value);
    if (size === null || size < 1n) throw new FieldError("'size' must be a positive integer");
    const proofNode = r.members.get('proof')?.value;
    if (!proofNode || proofNode.kind !== 'array') throw new FieldError("'proof' must be an array of hashes");
    const proof = proofNode.items.map((p, k) => {
      const s = stringValue(p);
      if (s === null || !HASH.test(s)) throw new FieldError(`proof[${k}]: every proof element is 64 lower-case hex digits`);
      return hexBytes(s);
    });
    return { checkpoint, entry, entryHash, index, size, proof };
  }

  // ---- The log entry (LogEntry.Parse) ----------------------------------------------------------

  /** The entry's fields if it is exactly a canonical log entry (§6.1), else a FieldError/JsonError. */
  function parseEntry(text) {
    const r = parseJson(text, 32);
    if (r.kind !== 'object') throw new FieldError('an entry is a JSON object');
    const need = name => {
      const v = member(r, name);
      if (v === undefined) throw new FieldError(`'${name}' is required`);
      return v;
    };
    const seq = int64(need('seq'));
    if (seq === null || seq < 0n) throw new FieldError("'seq' must be a whole number >= 0");
    const at = stringValue(need('at'));
    if (at === null || !isInstant(at)) throw new FieldError("'at' must be an instant");
    const actor = stringValue(need('actor'));
    const type = stringValue(need('type'));
    const prev = stringValue(need('prev'));
    if (!actor || !type || !prev) throw new FieldError("'actor', 'type' and 'prev' must be non-empty strings");
    if (!HASH.test(prev)) throw new FieldError("'prev' must be 64 lower-case hex digits");
    const payload = need('payload');
    if (payload.kind !== 'object') throw new FieldError("'payload' must be an object");
    // The payload is kept as it was written (the reference embeds its raw text); the rest is canonical.
    const payloadText = text.slice(payload.start, payload.end);
    const canonical = `{"actor":${canonicalString(actor)},"at":"${at}","payload":${payloadText},"prev":"${prev}","seq":${seq},"type":${canonicalString(type)}}`;
    if (canonical !== text) throw new FieldError('not the canonical encoding of its entry (SPEC.md §6.1)');
    const number = payload.members.get('number')?.value;
    return { seq, type, number: number && number.kind === 'string' && number.wellFormed ? number.value : null };
  }

  // ---- Bytes, hashes, the Merkle proof ---------------------------------------------------------

  function hexBytes(hex) {
    const out = new Uint8Array(hex.length / 2);
    for (let k = 0; k < out.length; k++) out[k] = parseInt(hex.slice(2 * k, 2 * k + 2), 16);
    return out;
  }

  const hex = bytes => Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');

  /** Strict base64 (RFC 4648 §4, padded, canonical): the bytes, or null for any other text. */
  function base64Bytes(text) {
    if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
    let binary;
    try { binary = atob(text); } catch { return null; }
    const bytes = Uint8Array.from(binary, ch => ch.charCodeAt(0));
    return btoa(binary) === text ? bytes : null;
  }

  async function sha256(...parts) {
    const length = parts.reduce((n, p) => n + p.length, 0);
    const all = new Uint8Array(length);
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  }

  const LEAF = Uint8Array.of(0x00);
  const NODE = Uint8Array.of(0x01);

  const sameBytes = (a, b) => a.length === b.length && a.every((x, k) => x === b[k]);

  /** RFC 9162 §2.1.3.2, as MerkleTree.VerifyInclusion: proofs of the wrong length fail. */
  async function verifyInclusion(leaf, index, size, proof, root) {
    if (index < 0n || index >= size) return false;
    let fn = index;
    let sn = size - 1n;
    let r = leaf;
    for (const p of proof) {
      if (sn === 0n) return false;
      if ((fn & 1n) === 1n || fn === sn) {
        r = await sha256(NODE, p, r);
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        r = await sha256(NODE, r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    return sn === 0n && sameBytes(r, root);
  }

  // The 27 bytes every accepted key starts with: P-256, uncompressed point (SPEC.md §11.1).
  const SPKI_PREFIX = hexBytes('3059301306072a8648ce3d020106082a8648ce3d03010703420004');

  // ---- verify ----------------------------------------------------------------------------------

  const small = n => (n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString());

  async function verify(receiptText, spkiBase64) {
    const detail = {};
    const result = (failed, reason) => ({ valid: failed === null, failed, detail: { ...detail, reason } });
    if (!globalThis.crypto || !globalThis.crypto.subtle) {
      return result('unsupported', 'This browser offers no WebCrypto (crypto.subtle): open the page over https.');
    }
    let receipt;
    try {
      if (typeof receiptText !== 'string') throw new FieldError('the receipt is not text');
      if (!isWellFormed(receiptText)) throw new FieldError('the text is not well-formed Unicode');
      receipt = parseReceipt(receiptText);
    } catch (e) {
      if (e instanceof JsonError) return result('format', `Not valid JSON: ${e.message}.`);
      if (e instanceof FieldError) return result('format', `Not a receipt: ${e.message}.`);
      return result('format', `Not a receipt: ${e && e.message}.`);
    }

    const cp = receipt.checkpoint;
    Object.assign(detail, { index: small(receipt.index), size: small(receipt.size), time: cp.time, logId: cp.logId });
    // A peek at the entry for the message (its number), whatever the checks say; the "entry" check
    // below decides whether it is a well-formed entry.
    try { Object.assign(detail, pick(parseEntry(receipt.entry))); } catch { /* said by the entry check */ }

    try {
      const entryBytes = new TextEncoder().encode(receipt.entry);
      const leaf = await sha256(LEAF, entryBytes);
      if (hex(leaf) !== receipt.entryHash) {
        return result('entry-hash', "SHA-256(0x00 ‖ entry) is not the receipt's entryHash: the entry was changed.");
      }
      // What a further check of the entry elsewhere (the tiles, tiles.js) needs, whatever the later checks say.
      Object.assign(detail, { entryHash: receipt.entryHash, entryIndex: receipt.index.toString() });
      if (receipt.size !== cp.size) {
        return result('size', `The proof is for a log of ${receipt.size} entries, the checkpoint for ${cp.size}.`);
      }
      if (!await verifyInclusion(leaf, receipt.index, receipt.size, receipt.proof, hexBytes(cp.root))) {
        return result('inclusion', `The proof does not lead from entry ${receipt.index} to the checkpoint's root.`);
      }

      const spki = base64Bytes(typeof spkiBase64 === 'string' ? spkiBase64.trim() : null);
      if (!spki || spki.length !== 91 || !sameBytes(spki.subarray(0, SPKI_PREFIX.length), SPKI_PREFIX)) {
        return result('key', 'The key is not an ECDSA P-256 public key in the published form (a 91-byte SPKI).');
      }
      const keyLogId = hex(await sha256(spki));
      detail.keyLogId = keyLogId;
      if (keyLogId !== cp.logId) {
        return result('key', `The checkpoint names log ${cp.logId}, this key is ${keyLogId}.`);
      }
      let key;
      try {
        key = await crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
      } catch {
        return result('key', 'The key is not a point on the P-256 curve.');
      }

      const signature = cp.signature.length === 88 ? base64Bytes(cp.signature) : null;
      const signed = new TextEncoder().encode(cp.signed);
      if (!signature || signature.length !== 64
        || !await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, signature, signed)) {
        return result('signature', "The checkpoint's signature does not verify with this key.");
      }

      let entry;
      try {
        entry = parseEntry(receipt.entry);
      } catch (e) {
        return result('entry', `The entry is not a canonical log entry: ${e && e.message}.`);
      }
      if (entry.seq !== receipt.index) {
        return result('entry', `The entry says it is entry ${entry.seq}, the proof is for ${receipt.index}.`);
      }
      return result(null, `Entry ${receipt.index} (${entry.type}) is in the log of ${receipt.size} entries signed at ${cp.time} by key ${cp.logId}.`);
    } catch (e) {
      // Only a failure of the platform itself gets here (the inputs are all checked above).
      return result('format', `Could not check: ${e && e.message}.`);
    }
  }

  const pick = entry => ({ type: entry.type, number: entry.number });

  /**
   * The fingerprint (logId) of a published key: hex SHA-256 of its SPKI bytes, or null when the text
   * is not a P-256 key of the published form or the platform has no WebCrypto.
   */
  async function fingerprint(spkiBase64) {
    const spki = base64Bytes(typeof spkiBase64 === 'string' ? spkiBase64.trim() : null);
    if (!spki || spki.length !== 91 || !sameBytes(spki.subarray(0, SPKI_PREFIX.length), SPKI_PREFIX)) return null;
    if (!globalThis.crypto || !globalThis.crypto.subtle) return null;
    try { return hex(await sha256(spki)); } catch { return null; }
  }

  return { verify, fingerprint, CHECKS };
})();
