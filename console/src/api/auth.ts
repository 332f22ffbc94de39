// Login, second factor, logout and "who am I", as docs/frontend-login.md tells frontends.
import { api, complete, unwrap } from "./client";
import { encryptPassword } from "./crypto";
import type { components } from "./schema";
import * as session from "./session";

export type Me = components["schemas"]["MeRead"];
export type MenuNode = components["schemas"]["MenuNode"];
export type Challenge = components["schemas"]["SecondFactorChallenge"];

/** Step one: the encrypted password. Starts the session, or answers the second-factor challenge. */
export async function login(username: string, password: string): Promise<Challenge | null> {
  const key = await unwrap(api.GET("/api/v1/auth/keys/public"));
  const encrypted = await encryptPassword(key, password);
  const result = await unwrap(
    api.POST("/api/v1/auth/login", { body: { username, kid: key.kid, password: encrypted } }),
  );
  if ("challenge" in result) return result;
  session.start(result);
  return null;
}

/** Step two: the authenticator code (or a recovery code) with the challenge. */
export async function secondFactor(challenge: string, code: string, recovery: boolean) {
  const body = recovery ? { challenge, recoveryCode: code } : { challenge, code };
  session.start(await unwrap(api.POST("/api/v1/auth/second-factor/login", { body })));
}

/** End the session on the server (best effort), then here and in every tab. */
export async function logout(): Promise<void> {
  try {
    if (session.accessToken()) await complete(api.POST("/api/v1/auth/logout"));
  } finally {
    session.end();
  }
}

export function fetchMe(): Promise<Me> {
  return unwrap(api.GET("/api/v1/auth/me"));
}
