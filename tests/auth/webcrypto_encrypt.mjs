// Encrypt a login payload exactly as a browser does, with WebCrypto (crypto.subtle).
// Usage: node webcrypto_encrypt.mjs PUBLIC_KEY.pem '{"password":"...","nonce":"...","ts":1700000000}'
// Prints base64(RSA-OAEP-SHA256(UTF-8 payload)).
import { readFileSync } from "node:fs";

const [pemPath, payload] = process.argv.slice(2);
if (!pemPath || payload === undefined) {
  console.error("usage: webcrypto_encrypt.mjs PUBLIC_KEY.pem PAYLOAD_JSON");
  process.exit(2);
}

function pemToDer(pem) {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0)).buffer;
}

const key = await crypto.subtle.importKey(
  "spki",
  pemToDer(readFileSync(pemPath, "utf8")),
  { name: "RSA-OAEP", hash: "SHA-256" },
  false,
  ["encrypt"],
);
const ciphertext = await crypto.subtle.encrypt(
  { name: "RSA-OAEP" },
  key,
  new TextEncoder().encode(payload),
);
let binary = "";
for (const byte of new Uint8Array(ciphertext)) binary += String.fromCharCode(byte);
process.stdout.write(btoa(binary));
