// Nomad's exec WebSocket protocol, the browser's side: JSON text frames with base64 data.
//
//   browser -> agent   {"version":1,"auth_token":"<secret>"}   first, with ws_handshake=true
//                      {"stdin":{"data":"<b64>"}}  {"tty_size":{"height":H,"width":W}}  {}
//   agent -> browser   {"stdout"|"stderr":{"data":"<b64>"}}
//                      {"exited":true,"result":{"exit_code":N}}  (exit_code left out when 0)
// A refused or failed session ends with a close frame whose reason is the agent's error.

export type Output = { kind: "data"; data: Uint8Array } | { kind: "exit"; code: number } | { kind: "none" };

const encoder = new TextEncoder();

function toBase64(data: Uint8Array): string {
  let s = "";
  for (const b of data) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export function execUrl(loc: Location, alloc: string, task: string, command: string[]): string {
  const q = new URLSearchParams({ task, tty: "true", command: JSON.stringify(command), ws_handshake: "true" });
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/v1/client/allocation/${encodeURIComponent(alloc)}/exec?${q}`;
}

export const handshake = (token: string): string => JSON.stringify({ version: 1, auth_token: token });
export const stdin = (text: string): string => JSON.stringify({ stdin: { data: toBase64(encoder.encode(text)) } });
export const ttySize = (rows: number, cols: number): string => JSON.stringify({ tty_size: { height: rows, width: cols } });
export const HEARTBEAT = "{}";

interface Frame {
  stdout?: { data?: string }; stderr?: { data?: string };
  exited?: boolean; result?: { exit_code?: number };
}

export function decode(message: string): Output {
  const frame = JSON.parse(message) as Frame;
  const data = frame.stdout?.data ?? frame.stderr?.data;
  if (data) return { kind: "data", data: fromBase64(data) };
  if (frame.exited) return { kind: "exit", code: frame.result?.exit_code ?? 0 };
  return { kind: "none" };
}

/** What the user reads when the socket closed without an exit frame. */
export function closeMessage(code: number, reason: string): string {
  if (code === 1008) {
    const hint = /permission denied/i.test(reason)
      ? " (a terminal needs the alloc-exec capability in the allocation's namespace, and alloc-node-exec as well for raw_exec tasks)"
      : "";
    return `Session denied: ${reason || "the agent refused it"}${hint}`;
  }
  if (reason) return `Session ended by the agent: ${reason} (code ${code})`;
  if (code === 1006) return "Connection dropped: the agent or the network closed it without a reason (code 1006)";
  return `Connection closed (code ${code})`;
}
