// The job page's buttons: stop, start (register the stopped job again) and scale a group.
// Each is shown only where the token's policies allow it (rights.ts, with the capability
// sets the agent's routes accept); the agent still decides, and a refusal names the
// capability it lacks. Built once per page and updated as the job changes, so typing and
// messages survive.

import { ApiError, get, send, withQuery } from "../api";
import { allows, NONE, Rights } from "../capabilities";
import { fill, h } from "../dom";
import { currentRights } from "../rights";
import { Job } from "../types";

// What the agent's routes accept for each action (any one of them).
const STOP = ["submit-job", "purge-job", "deregister-job"];
const START = ["submit-job", "register-job"];
const SCALE = ["scale-job", "submit-job"];

function run(status: HTMLElement, what: string, capability: string, action: () => Promise<unknown>): void {
  fill(status, `${what}…`);
  action().then(() => fill(status, `${what}: done`), (err: unknown) => {
    const e = err instanceof ApiError ? err : new ApiError(0, String(err), "");
    fill(status, h("span", { class: "error", role: "alert" }, e.denied
      ? `${what} refused: your token lacks ${capability} in this namespace (${e.message})`
      : `${what} failed: ${e.message}`));
  });
}

export function jobActions(el: HTMLElement, base: string, namespace: string): (job: Job) => void {
  let current: Job | null = null;
  let rights: Rights = NONE; // until the token's policies are known, nothing is offered
  let known = false;
  const status = h("span", { class: "action-status", "aria-live": "polite" });
  const q = (path: string): string => withQuery(path, { namespace });
  const stop = h("button", { id: "job-stop", hidden: true }, "Stop");
  stop.addEventListener("click", () => {
    if (current && confirm(`Stop job ${current.ID}?`)) run(status, "Stop", "submit-job", () => send("DELETE", q(base)));
  });
  const start = h("button", { id: "job-start", hidden: true }, "Start");
  start.addEventListener("click", () => run(status, "Start", "submit-job", async () => {
    const full = await get<Job>(q(base));
    return send("POST", q(base), { Job: { ...full, Stop: false } });
  }));
  const group = h("select", { id: "scale-group", "aria-label": "Group" });
  const count = h("input", { id: "scale-count", type: "number", min: 0, "aria-label": "Count" });
  const scale = h("button", { id: "job-scale" }, "Scale");
  scale.addEventListener("click", () => run(status, "Scale", "scale-job", () => send("POST", q(`${base}/scale`),
    { Count: Number(count.value), Target: { Group: group.value }, Message: "scaled from the web UI" })));
  const scaling = h("span", { class: "scaling" }, group, count, scale);
  scaling.hidden = true;
  fill(el, stop, start, scaling, status);
  const show = (job: Job): void => {
    stop.hidden = job.Stop || !allows(rights, STOP, namespace);
    start.hidden = !job.Stop || !allows(rights, START, namespace);
    scaling.hidden = job.Type === "system" || !allows(rights, SCALE, namespace);
    if (known) el.dataset["rights"] = "known"; // the buttons now say what the token may do
  };
  void currentRights().then((r) => {
    rights = r;
    known = true;
    if (current) show(current);
  });
  return (job: Job): void => {
    const first = current === null;
    current = job;
    show(job);
    const names = job.TaskGroups.map((g) => g.Name);
    if (Array.from(group.options).map((o) => o.value).join() !== names.join()) {
      fill(group, names.map((n) => h("option", { value: n }, n)));
    }
    if (first && !count.value) count.value = String(job.TaskGroups[0]?.Count ?? 1);
  };
}
