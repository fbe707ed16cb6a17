// The job page's buttons: stop, start (register the stopped job again) and scale a group.
// The agent decides what the token allows; a refusal is shown next to the buttons.

import { ApiError, get, send, withQuery } from "../api";
import { fill, h } from "../dom";
import { Job } from "../types";

function run(status: HTMLElement, what: string, capability: string, action: () => Promise<unknown>): void {
  fill(status, `${what}…`);
  action().then(() => fill(status, `${what}: done`), (err: unknown) => {
    const e = err instanceof ApiError ? err : new ApiError(0, String(err), "");
    fill(status, h("span", { class: "error", role: "alert" }, e.denied
      ? `${what} refused: your token lacks ${capability} in this namespace (${e.message})`
      : `${what} failed: ${e.message}`));
  });
}

export function jobActions(el: HTMLElement, job: Job, base: string, namespace: string): void {
  // Kept across re-renders (the job updates live): an action's outcome stays readable.
  const status = el.querySelector<HTMLElement>(".action-status") ??
    h("span", { class: "action-status", "aria-live": "polite" });
  const q = (path: string): string => withQuery(path, { namespace });
  const stop = h("button", { id: "job-stop" }, "Stop");
  stop.addEventListener("click", () => {
    if (confirm(`Stop job ${job.ID}?`)) run(status, "Stop", "submit-job", () => send("DELETE", q(base)));
  });
  const start = h("button", { id: "job-start" }, "Start");
  start.addEventListener("click", () => run(status, "Start", "submit-job", async () => {
    const full = await get<Job>(q(base));
    return send("POST", q(base), { Job: { ...full, Stop: false } });
  }));
  const group = h("select", { id: "scale-group", "aria-label": "Group" },
    job.TaskGroups.map((g) => h("option", { value: g.Name }, g.Name)));
  const count = h("input", { id: "scale-count", type: "number", min: 0, "aria-label": "Count",
    value: job.TaskGroups[0]?.Count ?? 1 });
  const scale = h("button", { id: "job-scale" }, "Scale");
  scale.addEventListener("click", () => run(status, "Scale", "scale-job", () => send("POST", q(`${base}/scale`),
    { Count: Number(count.value), Target: { Group: group.value }, Message: "scaled from the web UI" })));
  fill(el, job.Stop ? start : stop, job.Type !== "system" ? [group, count, scale] : null, status);
}
