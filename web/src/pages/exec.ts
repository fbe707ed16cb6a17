// /ui/allocations/<id>/exec/<task>[?command=...]: a terminal (xterm.js) in a task over
// the exec WebSocket; resize follows the window, the exit code or the reason a session
// was refused or dropped shows in the status line.

import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { fill, h, link, shortId } from "../dom";
import { closeMessage, decode, execUrl, handshake, HEARTBEAT, stdin, ttySize } from "../exec/protocol";
import { navigate } from "../nav";
import { PageContext } from "../router";
import { getToken } from "../token";

const HEARTBEAT_MS = 10000;
const DEFAULT_COMMAND = "/bin/sh";

/** `?command=`: words split on spaces, or a JSON array for arguments with spaces. */
export function commandOf(text: string): string[] {
  if (text.startsWith("[")) {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((a) => typeof a === "string")) return parsed as string[];
  }
  return text.split(" ").filter(Boolean);
}

function commandForm(alloc: string, task: string, command: string): HTMLFormElement {
  const input = h("input", { id: "exec-command", value: command, size: 40, "aria-label": "Command" });
  const form = h("form", { class: "controls" }, input, h("button", { type: "submit" }, "Run"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(`/allocations/${alloc}/exec/${encodeURIComponent(task)}?command=${encodeURIComponent(input.value)}`);
  });
  return form;
}

export function execPage({ root, params, query, signal }: PageContext): void {
  const [alloc = "", task = ""] = params;
  const command = query.get("command") || DEFAULT_COMMAND;
  const status = h("div", { id: "exec-status", class: "exec-status", role: "status" }, "Connecting…");
  const size = h("span", { id: "exec-size", class: "muted" });
  const screen = h("div", { id: "terminal", class: "terminal" });
  fill(root, h("div", { class: "title" },
    h("h1", {}, `Exec: ${task}`), h("span", { class: "muted" }, "in allocation ",
      link(`/allocations/${alloc}`, shortId(alloc))), size), commandForm(alloc, task, command), status, screen);

  let argv: string[];
  try {
    argv = commandOf(command);
  } catch {
    status.dataset.state = "failed";
    fill(status, h("span", { class: "error" }, `The command ${command} is neither words nor a JSON array of strings`));
    return;
  }
  const term = new Terminal({ cursorBlink: true, fontFamily: "monospace", fontSize: 14, scrollback: 5000 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(screen);
  fit.fit();
  term.focus();

  const ws = new WebSocket(execUrl(location, alloc, task, argv));
  let ended = false;
  const setStatus = (text: string, kind: string): void => {
    status.className = `exec-status ${kind}`;
    status.dataset.state = kind;
    fill(status, text);
  };
  const sendSize = (): void => {
    size.textContent = `${term.cols}×${term.rows}`;
    size.dataset.rows = String(term.rows);
    size.dataset.cols = String(term.cols);
    if (ws.readyState === WebSocket.OPEN) ws.send(ttySize(term.rows, term.cols));
  };
  const onResize = (): void => fit.fit();
  window.addEventListener("resize", onResize);
  term.onResize(sendSize);
  term.onData((d) => { if (ws.readyState === WebSocket.OPEN && !ended) ws.send(stdin(d)); });
  const beat = setInterval(() => { if (ws.readyState === WebSocket.OPEN) ws.send(HEARTBEAT); }, HEARTBEAT_MS);

  ws.addEventListener("open", () => {
    ws.send(handshake(getToken()));
    sendSize();
    setStatus("Connected", "connected");
  });
  ws.addEventListener("message", (event) => {
    const out = decode(String(event.data));
    if (out.kind === "data") term.write(out.data);
    else if (out.kind === "exit") {
      ended = true;
      setStatus(`The command exited with code ${out.code}`, out.code === 0 ? "exited" : "failed");
    }
  });
  ws.addEventListener("close", (event) => {
    clearInterval(beat);
    if (!ended) setStatus(closeMessage(event.code, event.reason), event.code === 1008 ? "denied" : "dropped");
    ended = true;
  });
  signal.addEventListener("abort", () => {
    window.removeEventListener("resize", onResize);
    clearInterval(beat);
    ws.close(1000);
    term.dispose();
  });
}
