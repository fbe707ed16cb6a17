// The ACL token the UI sends: a secret the user pasted, kept in the browser's local
// storage (as Nomad's UI does) and sent as X-Nomad-Token, or in an exec session's first
// message (browsers cannot set headers on a WebSocket).

const KEY = "caravan.token";

export function getToken(): string {
  return localStorage.getItem(KEY) ?? "";
}

export function setToken(secret: string): void {
  if (secret) localStorage.setItem(KEY, secret);
  else localStorage.removeItem(KEY);
}
