// The typed API client: openapi-fetch over the types generated from Atrium's OpenAPI
// (schema.d.ts, `make console-client`). Every call carries the access token; one that meets
// AUTH_TOKEN_EXPIRED refreshes (once, shared) and is sent again; one whose session is over
// ends it here, which sends the user to the login page.
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import * as session from "./session";

const ENDED = new Set(["AUTH_TOKEN_REVOKED", "AUTH_TOKEN_INVALID", "AUTH_REQUIRED"]);

/** An error answered by the API (its envelope's code and message), or NETWORK. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details: { loc?: unknown[]; message: string }[] = [],
  ) {
    super(message);
  }
}

async function codeOf(response: Response): Promise<string | undefined> {
  try {
    return ((await response.clone().json()) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

function send(request: Request, token: string | null): Promise<Response> {
  if (token) request.headers.set("Authorization", `Bearer ${token}`);
  return fetch(request);
}

async function authorisedFetch(request: Request): Promise<Response> {
  const again = request.clone();
  let token = session.accessToken();
  if (token === null && session.resumable()) token = await session.refresh(null);
  let response = await send(request, token);
  if (response.status !== 401 || token === null) return response;
  const code = await codeOf(response);
  if (code === "AUTH_TOKEN_EXPIRED") {
    const fresh = await session.refresh(token);
    if (fresh !== null) response = await send(again, fresh);
  } else if (code !== undefined && ENDED.has(code)) {
    session.end();
  }
  return response;
}

export const api = createClient<paths>({ baseUrl: "", fetch: authorisedFetch });

type Answer<T> = { data?: { data?: T }; error?: unknown; response: Response };
type Done = { data?: object; error?: unknown; response: Response };

async function settle<A extends Done>(call: Promise<A>): Promise<A> {
  let answer: A;
  try {
    answer = await call;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError("NETWORK", String(error), 0);
  }
  if (answer.response.ok && answer.data !== undefined) return answer;
  const body = (answer.error ?? {}) as { code?: string; message?: string; details?: [] };
  throw new ApiError(
    body.code ?? "UNKNOWN",
    body.message ?? answer.response.statusText,
    answer.response.status,
    body.details ?? [],
  );
}

/** The envelope's `data` of a call, or an ApiError carrying the envelope's code. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  return (await settle(call)).data!.data as T;
}

/** A call whose answer carries no data: nothing, or an ApiError. */
export async function complete(call: Promise<Done>): Promise<void> {
  await settle(call);
}
