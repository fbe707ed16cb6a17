// /ui/allocations/<id>/exec/<task>[?command=...]: a terminal (xterm.js) in a task over
// the exec WebSocket; resize follows the window, the exit code or the reason a session
// was refused or dropped shows in the status line.

import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { fill, h, link, shortId } from "../dom";
import { closeMessage, decode, execUrl, handshake, HEARTBEAT, stdin, ttySize } from "../exec/protocol";
import { PageContext } from "../router";
import { getToken } from "../token";

const HEARTBEAT_MS = 10000;
const DEFAULT_COMMAND = "/bin/sh";

export function execPage({ root, params, query, signal }: PageContext): void {
  const [alloc = "", task = ""] = params;
  const command = query.get("command") || DEFAULT_COMMAND;
  const status = h("div", { id: "exec-status", class: "exec-status", role: "status" }, "Connecting…");
  const size = h("span", { id: "exec-size", class: "muted" });
  const screen = h("div", { id: "terminal", class: "terminal" });
  fill(root, h("div", { class: "title" },
    h("h1", {}, `Exec: ${task}`), h("span", { class: "muted" }, "in allocation ",
      link(`/allocations/${alloc}`, shortId(alloc)), ` — ${command}`), size), status, screen);

  const term = new Terminal({ cursorBlink: true, fontFamily: "monospace", fontSize: 14, scrollback: 5000 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(screen);
  fit.fit();
  term.focus();

  const ws = new WebSocket(execUrl(location, alloc, task, command.split(" ").filter(Boolean)));
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
