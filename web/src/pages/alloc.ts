// /ui/allocations/<id>: task states and events (live), resource usage (from the stats
// route), ports, services, logs and files; each running task links to its exec terminal
// where the token may open one (alloc-exec, and alloc-node-exec for raw_exec tasks).

import { get, watch } from "../api";
import { allowsExec, NONE, Rights } from "../capabilities";
import { badge, fill, h, isoTime, link, nanoTime, section, shortId, table } from "../dom";
import { showError } from "../errors";
import { currentRights } from "../rights";
import { jobPath, PageContext } from "../router";
import { Alloc, TaskState } from "../types";
import { filesSection } from "./alloc_files";
import { logsSection } from "./alloc_logs";
import { sessionsSection } from "./alloc_sessions";
import { statsSection } from "./alloc_stats";

function driverOf(alloc: Alloc, task: string): string {
  const group = alloc.Job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  return group?.Tasks.find((t) => t.Name === task)?.Driver ?? "";
}

function tasksTable(alloc: Alloc, rights: Rights): HTMLElement {
  const states = Object.entries(alloc.TaskStates ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const canExec = (name: string, s: TaskState): boolean =>
    s.State === "running" && allowsExec(rights, alloc.Namespace, driverOf(alloc, name));
  return table(["Task", "State", "Restarts", "Started", "Finished", ""], states.map(([name, s]) => [
    name, badge(s.Failed ? "failed" : s.State), String(s.Restarts), isoTime(s.StartedAt), isoTime(s.FinishedAt),
    canExec(name, s) ? link(`/allocations/${alloc.ID}/exec/${encodeURIComponent(name)}`, "Exec",
      { class: "button", id: `exec-${name}` }) : "",
  ]), { id: "tasks" });
}

function eventsTable(states: Record<string, TaskState>): HTMLElement {
  const events = Object.entries(states).flatMap(([task, s]) => (s.Events ?? []).map((e) => ({ task, e })))
    .sort((a, b) => b.e.Time - a.e.Time);
  return table(["Time", "Task", "Type", "Description"], events.map(({ task, e }) =>
    [nanoTime(e.Time), task, e.Type, e.DisplayMessage || e.Message || ""]), { id: "events" });
}

function portsTable(alloc: Alloc): HTMLElement | null {
  const ports = alloc.AllocatedResources?.Shared?.Ports ?? [];
  return ports.length ? table(["Label", "Host Address", "Mapped To"], ports.map((p) =>
    [p.Label, `${p.HostIP}:${p.Value}`, String(p.To || p.Value)]), { id: "ports" }) : null;
}

export function allocPage({ root, params, signal }: PageContext): void {
  const id = params[0] ?? "";
  const header = h("div", { class: "title" }, h("h1", {}, `Allocation ${shortId(id)}`));
  const facts = h("dl", { class: "facts" });
  const [tasks, tasksBody] = section("Tasks", "tasks-section");
  const [events, eventsBody] = section("Task Events", "events-section");
  const [ports, portsBody] = section("Ports and Services", "ports-section");
  const stats = statsSection(id, signal);
  const logs = logsSection(id, signal);
  const files = filesSection(id, signal);
  fill(root, header, facts, tasks, stats.element, events, ports, logs.element, files);
  let shownServices = false;
  let shownSessions = false;
  let rights: Rights = NONE; // no Exec link until the token's policies are known
  let known = false;
  let last: Alloc | null = null;
  const drawTasks = (alloc: Alloc): void => {
    fill(tasksBody, tasksTable(alloc, rights));
    if (known) tasks.dataset["rights"] = "known"; // the Exec links now follow the token
  };
  void currentRights().then((r) => {
    rights = r;
    known = true;
    if (last) drawTasks(last);
  });
  void watch<Alloc>(`/v1/allocation/${id}`, signal, (alloc) => {
    last = alloc;
    fill(header, h("h1", {}, `Allocation ${shortId(alloc.ID)}`), badge(alloc.ClientStatus));
    fill(facts, ...[["ID", alloc.ID], ["Name", alloc.Name]].flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      h("dt", {}, "Job"), h("dd", {}, link(jobPath(alloc.JobID, alloc.Namespace), alloc.JobID)),
      h("dt", {}, "Node"), h("dd", {}, link(`/clients/${alloc.NodeID}`, alloc.NodeName || shortId(alloc.NodeID))),
      h("dt", {}, "Desired"), h("dd", {}, alloc.DesiredStatus));
    drawTasks(alloc);
    fill(eventsBody, eventsTable(alloc.TaskStates ?? {}));
    const tasksNow = Object.keys(alloc.TaskStates ?? {}).sort();
    logs.setTasks(tasksNow);
    stats.setRunning(alloc.ClientStatus === "running");
    fill(portsBody, portsTable(alloc) ?? h("p", { class: "muted" }, "No ports."));
    if (!shownSessions) {
      shownSessions = true;
      root.append(sessionsSection(id, alloc.Namespace, signal));
    }
    if (!shownServices) {
      shownServices = true;
      void get<{ ServiceName: string; Address: string; Port: number; Tags: string[] | null }[]>(
        `/v1/allocation/${id}/services`, signal).then((list) => {
        if (list.length) portsBody.append(table(["Service", "Address", "Tags"], list.map((s) =>
          [s.ServiceName, `${s.Address}:${s.Port}`, (s.Tags ?? []).join(", ")]), { id: "services" }));
      }, () => undefined);
    }
  }, (err) => showError(tasksBody, err, "read-job"));
}
