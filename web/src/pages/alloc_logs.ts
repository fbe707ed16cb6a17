// A task's stdout or stderr: the tail (following new lines as they come) or the head,
// streamed from the logs route as plain text.

import { ApiError, request, withQuery } from "../api";
import { fill, h } from "../dom";
import { showError } from "../errors";

const TAIL_BYTES = "50000";

export function logsSection(id: string, signal: AbortSignal): { element: HTMLElement; setTasks: (t: string[]) => void } {
  const task = h("select", { id: "log-task", "aria-label": "Task" });
  const stream = h("select", { id: "log-type", "aria-label": "Stream" },
    h("option", { value: "stdout" }, "stdout"), h("option", { value: "stderr" }, "stderr"));
  const mode = h("select", { id: "log-mode", "aria-label": "Mode" },
    h("option", { value: "follow" }, "tail, follow"), h("option", { value: "head" }, "head"));
  const out = h("pre", { id: "logs", class: "logs" });
  const element = h("section", { id: "logs-section" }, h("h2", {}, "Logs"),
    h("div", { class: "controls" }, task, stream, mode), out);
  let current: AbortController | null = null;
  signal.addEventListener("abort", () => current?.abort());

  const open = async (): Promise<void> => {
    current?.abort();
    current = new AbortController();
    const mine = current.signal;
    fill(out);
    if (!task.value) return;
    const follow = mode.value === "follow";
    const url = withQuery(`/v1/client/fs/logs/${id}`, { task: task.value, type: stream.value, plain: "true",
      follow: follow ? "true" : undefined, origin: follow ? "end" : "start", offset: follow ? TAIL_BYTES : "0" });
    try {
      const body = (await request(url, { signal: mine })).body;
      if (!body) return;
      const reader = body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
        out.append(value);
        if (atBottom) out.scrollTop = out.scrollHeight;
      }
    } catch (err) {
      if (mine.aborted) return;
      if (err instanceof ApiError && err.status === 404) fill(out, h("span", { class: "muted" }, err.message));
      else showError(out, err, "read-logs");
    }
  };
  for (const control of [task, stream, mode]) control.addEventListener("change", () => void open());
  return {
    element,
    setTasks(names: string[]): void {
      const have = Array.from(task.options).map((o) => o.value);
      if (have.join() === names.join()) return;
      fill(task, names.map((n) => h("option", { value: n }, n)));
      void open();
    },
  };
}
