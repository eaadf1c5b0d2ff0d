// What the browser's ballot encryption needs from @noble: the Edwards25519 group, SHA-512 and
// byte conversions. Bundled by `npm run build` into static/omov/vendor/noble.js as the global
// `omovNoble` (docs/adr/0004-noble-bundled-and-committed.md).
export { ed25519 } from "@noble/curves/ed25519.js";
export { bytesToNumberLE, numberToBytesLE } from "@noble/curves/utils.js";
export { sha512 } from "@noble/hashes/sha2.js";
export { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
