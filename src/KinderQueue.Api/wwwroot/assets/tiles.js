// Checks, in the browser, that a receipt's entry is in the log as published in static tiles
// (c2sp.org/tlog-tiles, SPEC.md §11.7): reads <base>checkpoint, verifies the note's Ed25519 signature with
// the published note verifier key (c2sp.org/signed-note, WebCrypto "Ed25519"), reads the tiles that hold the
// entry's hash and the hashes beside its path, and hashes them up to the note's root (RFC 6962). No DOM here:
// the page (check.js) turns the answer into words.
//
//   KQTiles.check({ base, verifierKey, origin, leaf, index, fetch }) → Promise<{ ok, failed, detail }>
//     base         absolute URL of the tiles prefix, ending in '/'
//     verifierKey  the log's note verifier key (noteVerifierKey of /api/v1/public/log-key)
//     origin       the log's origin as published (the note's first line must be it), or null
//     leaf         the entry's leaf hash (Uint8Array of 32, SHA-256(0x00 ‖ entry))
//     index        the entry's index (BigInt)
//
// failed is null when ok, else the first check that failed (KQTiles.CHECKS, in this order):
//   tiles-checkpoint  <base>checkpoint could not be read (unreachable, not allowed by the page, not 200)
//   tiles-signature   the checkpoint is not a signed note with a valid signature by the verifier key, not a
//                     tlog-checkpoint body, or of another origin
//   tiles-missing     a tile the proof needs could not be read, or is not a tile of the width the size gives
//   tiles-leaf        the entry is not in the tiled log: the index is beyond its size, or the tile holds another
//                     hash at the index (the receipt is of another log, or its entry was changed)
//   tiles-root        the tiles beside the entry's path do not hash up to the signed root: a tile was changed
//   tiles-unsupported (not a check) this browser's WebCrypto has no Ed25519
// detail: url (base), size (the note's, as a string), resource (the URL that failed), reason (technical English).
'use strict';

const KQTiles = (() => {
  const CHECKS = ['tiles-checkpoint', 'tiles-signature', 'tiles-missing', 'tiles-leaf', 'tiles-root'];
  const HEIGHT = 8n;
  const WIDTH = 256n;
  const HASH = 32;
  const NOTE_TYPE = 0x01; // Ed25519 signed notes (c2sp.org/signed-note)

  class Failure extends Error {
    constructor(check, reason, resource) {
      super(reason);
      this.check = check;
      this.resource = resource;
    }
  }

  const utf8 = new TextEncoder();

  async function sha256(...parts) {
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  }

  const node = (left, right) => sha256(Uint8Array.of(0x01), left, right);
  const sameBytes = (a, b) => a.length === b.length && a.every((x, k) => x === b[k]);

  /** Strict base64 (padded, canonical), or null. */
  function base64Bytes(text) {
    if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
    let binary;
    try { binary = atob(text); } catch { return null; }
    return btoa(binary) === text ? Uint8Array.from(binary, ch => ch.charCodeAt(0)) : null;
  }

  // ---- The note (c2sp.org/signed-note, c2sp.org/tlog-checkpoint) -----------------------------------

  /** name+hex(key ID)+base64(0x01 ‖ 32-byte key), with the key ID checked; or null. */
  async function parseVerifierKey(vkey) {
    // name+id+key: a name has no '+', but the base64 key may (so split at the first two only).
    const m = typeof vkey === 'string' ? /^([^+]+)\+([^+]*)\+(.*)$/s.exec(vkey) : null;
    const parts = m ? [m[1], m[2], m[3]] : [];
    if (parts.length !== 3 || parts[0] === '' || /\s/.test(parts[0]) || !/^[0-9a-f]{8}$/.test(parts[1])) return null;
    const key = base64Bytes(parts[2]);
    if (!key || key.length !== 33 || key[0] !== NOTE_TYPE) return null;
    const id = await keyId(parts[0], key);
    return id === parseInt(parts[1], 16) ? { name: parts[0], id, publicKey: key.subarray(1) } : null;
  }

  /** SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4], big-endian. */
  async function keyId(name, typedKey) {
    const h = await sha256(utf8.encode(name), Uint8Array.of(0x0a), typedKey);
    return ((h[0] << 24) >>> 0) + (h[1] << 16) + (h[2] << 8) + h[3];
  }

  /** Ed25519 through WebCrypto, or a tiles-unsupported failure when this browser has none. */
  async function ed25519Verify(publicKey, signature, message) {
    let key;
    try {
      key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    } catch (e) {
      if (e && e.name === 'NotSupportedError') throw new Failure('tiles-unsupported', 'This browser\'s WebCrypto has no Ed25519.');
      return false; // not a valid point
    }
    return crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
  }

  /** The note's size and root once its signature by key verifies; a tiles-signature failure otherwise. */
  async function openCheckpoint(text, key, origin) {
    const bad = reason => new Failure('tiles-signature', reason);
    // The signed text ends at the blank line; signature lines follow ("— name base64(key ID ‖ signature)").
    const split = text.lastIndexOf('\n\n');
    if (split < 0 || !text.endsWith('\n')) throw bad('The checkpoint is not a signed note: no blank line before the signatures.');
    const body = text.slice(0, split + 1);
    let verified = false;
    for (const line of text.slice(split + 2, -1).split('\n')) {
      const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      if (!m) throw bad('A signature line of the checkpoint is malformed.');
      if (m[1] !== key.name) continue;
      const raw = base64Bytes(m[2]);
      if (!raw || raw.length < 4) continue;
      const id = ((raw[0] << 24) >>> 0) + (raw[1] << 16) + (raw[2] << 8) + raw[3];
      if (id !== key.id) continue;
      if (raw.length !== 4 + 64 || !await ed25519Verify(key.publicKey, raw.subarray(4), utf8.encode(body))) {
        throw bad(`The signature of ${key.name} on the checkpoint does not verify.`);
      }
      verified = true;
    }
    if (!verified) throw bad(`The checkpoint carries no signature of ${key.name} (key ID ${key.id.toString(16).padStart(8, '0')}).`);
    const lines = body.split('\n');
    if (lines.length < 4 || !/^(0|[1-9][0-9]{0,18})$/.test(lines[1])) throw bad('The checkpoint body is not origin, size and root lines.');
    const root = base64Bytes(lines[2]);
    if (!root || root.length !== HASH) throw bad('The checkpoint\'s root is not a base64 SHA-256 hash.');
    if (origin && lines[0] !== origin) throw bad(`The checkpoint is of the log ${lines[0]}, not of ${origin}.`);
    return { origin: lines[0], size: BigInt(lines[1]), root };
  }

  // ---- Tiles (c2sp.org/tlog-tiles) ----------------------------------------------------------------

  /** N as 3-digit path elements, all but the last prefixed with x: 1234067 → x001/x234/067. */
  function indexPath(n) {
    const groups = [];
    do { groups.unshift((n % 1000n).toString().padStart(3, '0')); n /= 1000n; } while (n > 0n);
    return groups.map((g, k) => (k < groups.length - 1 ? 'x' + g : g)).join('/');
  }

  const hashesAt = (level, size) => size >> (HEIGHT * BigInt(level));

  /**
   * Reads hash tiles of the tree of `size` entries under base, each once. A partial tile is read at the
   * width the size gives; if a host kept only the full tile it grew into, its prefix is the same hashes.
   */
  function tileReader(base, size, get) {
    const tiles = new Map();
    async function read(level, tile) {
      const width = Number(hashesAt(level, size) - tile * WIDTH < WIDTH ? hashesAt(level, size) - tile * WIDTH : WIDTH);
      const path = `tile/${level}/${indexPath(tile)}`;
      const urls = width < 256 ? [`${base}${path}.p/${width}`, base + path] : [base + path];
      let lastProblem = null; // the first URL's: the one the size names
      for (const url of urls) {
        const answer = await get(url);
        if (!answer.ok) { lastProblem ??= new Failure('tiles-missing', `${url}: ${answer.why}`, url); continue; }
        const expected = url === base + path ? 256 * HASH : width * HASH;
        if (answer.bytes.length !== expected) {
          throw new Failure('tiles-missing', `${url} is ${answer.bytes.length} bytes, not a tile of ${expected / HASH} hashes.`, url);
        }
        return answer.bytes.subarray(0, width * HASH);
      }
      throw lastProblem;
    }
    return async (level, hashIndex) => {
      const tile = hashIndex / WIDTH;
      const key = `${level}/${tile}`;
      if (!tiles.has(key)) tiles.set(key, read(level, tile));
      const bytes = await tiles.get(key);
      const at = Number(hashIndex % WIDTH) * HASH;
      return bytes.subarray(at, at + HASH);
    };
  }

  /** The hash of the 2^k entries from start (start a multiple of 2^k): hashes of one tile, combined. */
  async function perfect(hashAt, start, k) {
    const level = Math.floor(k / 8);
    const count = 1n << BigInt(k - 8 * level);
    const first = start >> (HEIGHT * BigInt(level));
    let row = [];
    for (let i = 0n; i < count; i++) row.push(await hashAt(level, first + i));
    while (row.length > 1) {
      const next = [];
      for (let i = 0; i < row.length; i += 2) next.push(await node(row[i], row[i + 1]));
      row = next;
    }
    return row[0];
  }

  const log2 = n => n.toString(2).length - 1;
  /** The largest power of two below n (n ≥ 2). */
  const split = n => 1n << BigInt(log2(n - 1n));

  /** MTH of the n entries from start (RFC 6962 §2.1), from the tiles. */
  async function subtree(hashAt, start, n) {
    if ((n & (n - 1n)) === 0n) return perfect(hashAt, start, log2(n));
    const k = split(n);
    return node(await subtree(hashAt, start, k), await subtree(hashAt, start + k, n - k));
  }

  /** The hashes beside the path from entry `index` to the root of [start, start+n), top first, with their side. */
  async function siblings(hashAt, index, start, n) {
    const out = [];
    while (n > 1n) {
      const k = split(n);
      if (index < start + k) {
        out.push({ right: true, hash: await subtree(hashAt, start + k, n - k) });
        n = k;
      } else {
        out.push({ right: false, hash: await subtree(hashAt, start, k) });
        start += k;
        n -= k;
      }
    }
    return out;
  }

  // ---- check ------------------------------------------------------------------------------------

  /** fetch as bytes: { ok, bytes } or { ok: false, why }; never throws. */
  function fetcher(fetchImpl) {
    return async url => {
      try {
        const response = await fetchImpl(url, { cache: 'no-cache', credentials: 'omit' });
        if (!response.ok) return { ok: false, why: `HTTP ${response.status}` };
        return { ok: true, bytes: new Uint8Array(await response.arrayBuffer()) };
      } catch (e) {
        return { ok: false, why: `unreachable or not allowed by this page (${e && e.message})` };
      }
    };
  }

  async function check({ base, verifierKey, origin, leaf, index, fetch: fetchImpl }) {
    const detail = { url: base };
    const result = (failed, reason, resource) => ({ ok: failed === null, failed, detail: { ...detail, reason, resource } });
    const get = fetcher(fetchImpl || globalThis.fetch.bind(globalThis));
    try {
      const key = await parseVerifierKey(verifierKey);
      if (!key) return result('tiles-signature', 'The published note verifier key is not an Ed25519 key of the signed-note form.');

      const noteUrl = base + 'checkpoint';
      const note = await get(noteUrl);
      if (!note.ok) return result('tiles-checkpoint', `${noteUrl}: ${note.why}`, noteUrl);
      let text;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(note.bytes);
      } catch {
        return result('tiles-signature', 'The checkpoint is not UTF-8 text.', noteUrl);
      }
      const checkpoint = await openCheckpoint(text, key, origin);
      detail.size = checkpoint.size.toString();
      detail.origin = checkpoint.origin;

      const hashAt = tileReader(base, checkpoint.size, get);
      const path = index < checkpoint.size ? await siblings(hashAt, index, 0n, checkpoint.size) : null;
      if (!path) return result('tiles-leaf', `The tiled log holds ${checkpoint.size} entries; entry ${index} is not among them yet.`);
      const published = await hashAt(0, index);
      if (!sameBytes(published, leaf)) {
        return result('tiles-leaf', `The tiled log holds another entry at ${index}: its hash is not the receipt's entry hash.`);
      }
      let root = leaf;
      for (const step of path.reverse()) root = step.right ? await node(root, step.hash) : await node(step.hash, root);
      if (!sameBytes(root, checkpoint.root)) {
        return result('tiles-root', `The tiles do not hash up to the signed root of size ${checkpoint.size}: a tile was changed.`);
      }
      return result(null, `Entry ${index} is in the tiled log of ${checkpoint.size} entries signed by ${key.name}.`);
    } catch (e) {
      if (e instanceof Failure) return result(e.check, e.message, e.resource);
      return result('tiles-missing', `Could not check the tiles: ${e && e.message}.`);
    }
  }

  return { check, indexPath, CHECKS };
})();
