// Calls to the agent's Nomad API: the token header, errors with the agent's message, and
// blocking queries (`?index=N&wait=`) that keep a page live without polling.

import { getToken } from "./token";

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly path: string) {
    super(message);
  }

  /** A 403: the token is missing, unknown, or lacks a capability. */
  get denied(): boolean {
    return this.status === 403;
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = getToken();
  return token ? { "X-Nomad-Token": token, ...extra } : extra;
}

// Chromium keeps at most six HTTP/1.1 connections to one origin, and a page's blocking
// queries hold theirs for up to WAIT: a request that would queue behind them (a click on
// Stop or Scale) cuts the waits short instead, and each watch asks again right after it.
const CONNECTIONS = 6;
const waits = new Set<AbortController>();
let others = 0; // requests in flight that are not blocking queries

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  others++;
  try {
    const pending = send_(path, init);
    if (others + waits.size > CONNECTIONS) for (const w of waits) w.abort();
    return await pending;
  } finally {
    others--;
  }
}

async function send_(path: string, init: RequestInit): Promise<Response> {
  const response = await fetch(path, { ...init, headers: headers(init.headers as Record<string, string>) });
  if (!response.ok) {
    const text = (await response.text()).trim();
    throw new ApiError(response.status, text || response.statusText, path);
  }
  return response;
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request(path, { signal })).json()) as T;
}

export async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "Content-Type": "application/json" };
  }
  const text = await (await request(path, init)).text();
  return (text ? JSON.parse(text) : {}) as T;
}

/** `path` with `params` appended (values left out when empty). */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}${path.includes("?") ? "&" : "?"}${s}` : path;
}

const WAIT = "30s";
const RETRY_MS = 2000;

/**
 * Read `path`, call `onData`, then wait on the agent for the next change (a blocking
 * query on the X-Nomad-Index it answered) and call it again, until `signal` aborts.
 * An error goes to `onError`; one the agent will answer again (4xx, 501) stops watching,
 * others (the agent unreachable or overloaded) are retried.
 */
export async function watch<T>(path: string, signal: AbortSignal,
  onData: (data: T) => void, onError: (err: ApiError) => void): Promise<void> {
  let index = 0;
  while (!signal.aborted) {
    const round = new AbortController();
    const stop = (): void => round.abort();
    signal.addEventListener("abort", stop, { once: true });
    if (index) waits.add(round);
    try {
      const url = index ? withQuery(path, { index: String(index), wait: WAIT }) : path;
      const response = await send_(url, { signal: round.signal });
      const next = Number(response.headers.get("X-Nomad-Index") ?? "0");
      const data = (await response.json()) as T;
      // A wait that timed out answers the same index: nothing changed.
      if (!index || next !== index) onData(data);
      index = Math.max(next, 1);
    } catch (err) {
      if (signal.aborted) return;
      if (round.signal.aborted) continue; // cut short for another request: ask again

      const apiErr = err instanceof ApiError ? err : new ApiError(0, String(err), path);
      onError(apiErr);
      if ((apiErr.status >= 400 && apiErr.status < 500) || apiErr.status === 501) return;
      await sleep(RETRY_MS, signal);
    } finally {
      waits.delete(round);
      signal.removeEventListener("abort", stop);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
