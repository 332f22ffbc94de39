// The session's tokens, and the only module that touches them.
//
// - The access token lives in this module's memory only: never in any storage, gone on reload.
// - The refresh token (the API's header/body form, docs/frontend-login.md section 4) must outlive
//   a reload and be shared by every tab, since each refresh rotates it and presenting a spent one
//   ends the session. So it is kept in localStorage, read and written here and nowhere else.
//   When the API's httpOnly refresh cookie is used instead, this file is the one to change:
//   drop `stored*`, send the refresh request with `credentials: "same-origin"` and no body.
// - Refreshing is single-flight in a tab and serialised across tabs with the Web Locks API; the
//   tab that refreshed hands the new access token to the others over a BroadcastChannel, so
//   they need not refresh themselves. Logging out in one tab logs out all of them.
import type { components } from "./schema";

export type TokenPair = components["schemas"]["TokenPair"];
// started: this tab logged in; joined: another tab did, this one shares it.
export type SessionEvent = "started" | "joined" | "refreshed" | "ended";

const REFRESH_KEY = "atrium.console.refresh";
const LOCK = "atrium-console-refresh";
const CHANNEL = "atrium-console-session";
const REFRESH_URL = "/api/v1/auth/token/refresh";
// Refresh this long before the access token expires (at most a fifth of its lifetime).
const EARLY_MS = 60_000;

interface Access {
  token: string;
  expiresAt: number; // epoch milliseconds
}

type Message = { type: "access"; access: Access } | { type: "ended" };

let access: Access | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let inflight: Promise<string | null> | null = null;
const listeners = new Set<(event: SessionEvent) => void>();
const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(CHANNEL);

channel?.addEventListener("message", (event: MessageEvent<Message>) => {
  const message = event.data;
  if (message.type === "access") {
    const joined = access === null;
    adopt(message.access);
    emit(joined ? "joined" : "refreshed");
  } else if (message.type === "ended") {
    clear();
    emit("ended");
  }
});

function storedRefresh(): string | null {
  return localStorage.getItem(REFRESH_KEY);
}

function storeRefresh(token: string | null): void {
  if (token === null) localStorage.removeItem(REFRESH_KEY);
  else localStorage.setItem(REFRESH_KEY, token);
}

function emit(event: SessionEvent): void {
  for (const listener of listeners) listener(event);
}

function adopt(next: Access): void {
  access = next;
  clearTimeout(timer);
  const lifetime = next.expiresAt - Date.now();
  const early = Math.min(EARLY_MS, lifetime / 5);
  timer = setTimeout(() => void refresh(next.token).catch(() => undefined), lifetime - early);
}

function clear(): void {
  access = null;
  clearTimeout(timer);
}

function fromPair(pair: TokenPair): Access {
  return { token: pair.accessToken, expiresAt: Date.now() + pair.expiresIn * 1000 };
}

function withLock<T>(work: () => Promise<T>): Promise<T> {
  return navigator.locks ? (navigator.locks.request(LOCK, work) as Promise<T>) : work();
}

/** The access token, if this tab holds one. */
export function accessToken(): string | null {
  return access && access.expiresAt > Date.now() ? access.token : null;
}

/** Whether a session can be resumed (after a reload) without logging in. */
export function resumable(): boolean {
  return access !== null || storedRefresh() !== null;
}

/** Start the session a login answered; every tab of the console shares it. */
export function start(pair: TokenPair): void {
  storeRefresh(pair.refreshToken);
  const next = fromPair(pair);
  adopt(next);
  channel?.postMessage({ type: "access", access: next } satisfies Message);
  emit("started");
}

/** End the session here and in every other tab (the API call to log out is the caller's). */
export function end(): void {
  storeRefresh(null);
  clear();
  channel?.postMessage({ type: "ended" } satisfies Message);
  emit("ended");
}

/** Listen to the session starting, refreshing or ending; returns the unsubscribe. */
export function onSession(listener: (event: SessionEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * A fresh access token in place of `stale` (the one a caller found expired, or null after a
 * reload): one refresh at a time here and across tabs. Null when the session is over (the
 * session is then ended); throws when the server cannot be reached (the session is kept).
 */
export function refresh(stale: string | null): Promise<string | null> {
  inflight ??= withLock(() => refreshLocked(stale)).finally(() => {
    inflight = null;
  });
  return inflight;
}

async function refreshLocked(stale: string | null): Promise<string | null> {
  // Another tab may have refreshed while this one waited for the lock.
  if (access && access.token !== stale && access.expiresAt - Date.now() > EARLY_MS / 2) {
    return access.token;
  }
  const refreshToken = storedRefresh();
  if (refreshToken === null) {
    clear();
    return null;
  }
  const response = await fetch(REFRESH_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refreshToken }),
  });
  if (!response.ok) {
    if (response.status >= 500) throw new Error(`refresh failed: ${response.status}`);
    end(); // revoked, expired, reused, or another User-Agent: log in again
    return null;
  }
  const pair = ((await response.json()) as { data: TokenPair }).data;
  storeRefresh(pair.refreshToken);
  const next = fromPair(pair);
  adopt(next);
  channel?.postMessage({ type: "access", access: next } satisfies Message);
  emit("refreshed");
  return pair.accessToken;
}
