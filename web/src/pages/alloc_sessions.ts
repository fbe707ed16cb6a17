// The allocation's exec sessions from the audit (`read-exec-audit`), and playback of a
// recorded one in a terminal, where the node records sessions.

import { Terminal } from "@xterm/xterm";
import { request, watch, withQuery } from "../api";
import { fill, h, nanoTime, section, shortId, table } from "../dom";
import { showError } from "../errors";
import { parseCast, schedule } from "../exec/asciicast";

interface ExecSession {
  ID: string; Kind: string; TokenName: string; AccessorID: string; Task: string; Command: string[];
  StartTime: number; ExitCode: number | null; Error: string; Recorded: boolean;
}

function play(screen: HTMLElement, text: string, signal: AbortSignal): void {
  const cast = parseCast(text);
  const term = new Terminal({ cols: cast.width, rows: cast.height, disableStdin: true, fontSize: 13 });
  fill(screen);
  term.open(screen);
  const timers = schedule(cast).map((at, i) => setTimeout(() => term.write(cast.events[i]?.[1] ?? ""), at * 1000));
  signal.addEventListener("abort", () => { timers.forEach(clearTimeout); term.dispose(); }, { once: true });
}

export function sessionsSection(id: string, namespace: string, signal: AbortSignal): HTMLElement {
  const [element, body] = section("Exec Sessions", "sessions-section");
  const screen = h("div", { id: "replay", class: "replay" });
  element.append(screen);
  let playing: AbortController | null = null;
  signal.addEventListener("abort", () => playing?.abort());
  const replay = async (session: ExecSession): Promise<void> => {
    playing?.abort();
    playing = new AbortController();
    try {
      const text = await (await request(`/v1/exec/session/${session.ID}/recording`, { signal })).text();
      play(screen, text, playing.signal);
    } catch (err) {
      showError(screen, err, "read-exec-audit");
    }
  };
  void watch<ExecSession[]>(withQuery("/v1/exec/sessions", { alloc: id, namespace }), signal, (list) => {
    fill(body, table(["Session", "Started", "Token", "Task", "Command", "Result", ""], list.map((s) => [
      shortId(s.ID), nanoTime(s.StartTime), s.TokenName || shortId(s.AccessorID) || "-", s.Task, s.Command.join(" "),
      s.Error || (s.ExitCode === null ? "running" : `exit ${s.ExitCode}`),
      s.Recorded ? h("button", { class: "replay-button", onclick: () => void replay(s) }, "Play") : "",
    ]), { id: "sessions" }));
  }, (err) => {
    if (err.status === 404 || err.status === 501) element.remove();
    else showError(body, err, "read-exec-audit");
  });
  return element;
}
