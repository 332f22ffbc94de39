// The login password's encryption, exactly as docs/frontend-login.md section 2 gives it:
// RSA-OAEP (SHA-256) of the JSON {password, nonce, ts} with the server's public key.
import type { components } from "./schema";

export type PublicKey = components["schemas"]["PublicKeyRead"];

function pemToSpki(pem: string): ArrayBuffer {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0)).buffer;
}

function toBase64(buffer: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function canEncrypt(): boolean {
  return window.isSecureContext && typeof crypto !== "undefined" && crypto.subtle !== undefined;
}

/** base64(RSA-OAEP-SHA256({password, nonce, ts})): a fresh nonce each call, so one per attempt. */
export async function encryptPassword(key: PublicKey, password: string): Promise<string> {
  const publicKey = await crypto.subtle.importKey(
    "spki",
    pemToSpki(key.pem),
    { name: "RSA-OAEP", hash: "SHA-256" },
    false,
    ["encrypt"],
  );
  const payload = JSON.stringify({
    password,
    nonce: crypto.randomUUID(),
    ts: Math.floor(Date.now() / 1000),
  });
  const ciphertext = await crypto.subtle.encrypt(
    { name: "RSA-OAEP" },
    publicKey,
    new TextEncoder().encode(payload),
  );
  return toBase64(ciphertext);
}
