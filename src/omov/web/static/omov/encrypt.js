// Encrypts the voter's ranking in the browser, so the server never sees it (issue 17).
//
// The same protocol as omov.secrecy in Python, over the same group (Edwards25519's subgroup
// of prime order q) through @noble/curves, bundled as static/omov/vendor/noble.js:
//   - encoding.encode: the ranking's bytes in a point's encoding, a counter raised until the
//     bytes are a point of the subgroup (Koblitz 1987, §3);
//   - elgamal.encrypt: (α, β) = (g^r, m·y^r) (ElGamal 1985);
//   - ballot.prove: a Schnorr proof of knowledge of r (Schnorr 1991, §2), its challenge the
//     SHA-512 of the contest, the key, α, β and t = g^w, each part framed by its length as
//     group.hash_to_scalar frames it, reduced mod q.
// The page posts α ‖ β ‖ e ‖ s in hex (`ciphertext`); the ranking's fields are not sent.
(function (global) {
  "use strict";
  var N = global.omovNoble;
  var Point = N.ed25519.Point;
  var Fn = Point.Fn;
  var MAX_RANKS = 27;
  var DOMAIN = new TextEncoder().encode("omov/ballot/v1");

  function frame(bytes) {
    var out = new Uint8Array(8 + bytes.length);
    new DataView(out.buffer).setUint32(4, bytes.length); // 8-byte big-endian length (< 2^32)
    out.set(bytes, 8);
    return out;
  }

  function hashToScalar(parts) {
    var framed = [frame(DOMAIN)].concat(parts.map(frame));
    var total = framed.reduce(function (n, p) { return n + p.length; }, 0);
    var all = new Uint8Array(total), at = 0;
    framed.forEach(function (p) { all.set(p, at); at += p.length; });
    return Fn.create(N.bytesToNumberLE(N.sha512(all)));
  }

  function randomScalar() {
    for (;;) {
      var s = Fn.create(N.bytesToNumberLE(global.crypto.getRandomValues(new Uint8Array(64))));
      if (s !== 0n) return s;
    }
  }

  function isElement(bytes) {
    try {
      var p = Point.fromBytes(bytes);
      return !p.is0() && p.isTorsionFree() && !p.isSmallOrder();
    } catch (e) {
      return false;
    }
  }

  // The ranking (candidate indices, first preference first) as one element of the group.
  function encode(ranking, candidates) {
    if (candidates > MAX_RANKS) throw new Error("too many candidates to encrypt as one element");
    var body = new Uint8Array(32);
    body[0] = ranking.length;
    ranking.forEach(function (c, i) { body[1 + i] = c; });
    for (var counter = 0; counter < 65536; counter++) {
      body[28] = counter & 0xff;
      body[29] = counter >> 8;
      if (isElement(body)) return Point.fromBytes(body);
    }
    throw new Error("no counter made the ranking an element");
  }

  function encryptBallot(contest, keyHex, ranking, candidates) {
    var key = Point.fromHex(keyHex);
    if (!key.isTorsionFree() || key.isSmallOrder()) throw new Error("not an election key");
    var r = randomScalar(), w = randomScalar();
    var alpha = Point.BASE.multiply(r).toBytes();
    var beta = encode(ranking, candidates).add(key.multiply(r)).toBytes();
    var t = Point.BASE.multiply(w).toBytes();
    var e = hashToScalar([new TextEncoder().encode(contest), key.toBytes(), alpha, beta, t]);
    var s = Fn.add(w, Fn.mul(e, r));
    var out = new Uint8Array(128);
    out.set(alpha, 0);
    out.set(beta, 32);
    out.set(N.numberToBytesLE(e, 32), 64);
    out.set(N.numberToBytesLE(s, 32), 96);
    return N.bytesToHex(out);
  }

  global.omovEncrypt = { encryptBallot: encryptBallot, encode: encode };
})(typeof window !== "undefined" ? window : globalThis);
