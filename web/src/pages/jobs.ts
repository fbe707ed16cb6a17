// /ui/jobs: every job with its type, status and group summary, live; a namespace filter.

import { get, watch, withQuery } from "../api";
import { badge, fill, h, link, table } from "../dom";
import { showError } from "../errors";
import { navigate } from "../nav";
import { jobPath, PageContext } from "../router";
import { GroupSummary, JobStub, Namespace } from "../types";

const COUNTS: (keyof GroupSummary)[] = ["Queued", "Starting", "Running", "Failed", "Complete", "Lost"];

export function summaryCells(summary: Record<string, GroupSummary> | undefined): HTMLElement {
  const totals = COUNTS.map((k) => Object.values(summary ?? {}).reduce((n, g) => n + (g[k] ?? 0), 0));
  return h("span", { class: "summary" }, COUNTS.map((k, i) =>
    totals[i] ? h("span", { class: `count ${k.toLowerCase()}`, title: k }, `${k.toLowerCase()} ${totals[i]}`) : null));
}

function row(job: JobStub): (Node | string)[] {
  return [link(jobPath(job.ID, job.Namespace), job.ID), job.Namespace, job.Type, String(job.Priority),
    badge(job.Status), summaryCells(job.JobSummary?.Summary)];
}

export function jobsPage({ root, query, signal }: PageContext): void {
  const namespace = query.get("namespace") ?? "*";
  const filter = h("select", { id: "namespace-filter", "aria-label": "Namespace" },
    h("option", { value: "*" }, "All namespaces"));
  filter.addEventListener("change", () => navigate(withQuery("/jobs", { namespace: filter.value })));
  const body = h("div", { class: "body" }, h("p", { class: "muted" }, "Loading…"));
  fill(root, h("div", { class: "title" }, h("h1", {}, "Jobs"), filter), body);
  void get<Namespace[]>("/v1/namespaces", signal).then((list) => {
    for (const ns of list) filter.append(h("option", { value: ns.Name }, ns.Name));
    filter.value = namespace;
  }).catch(() => undefined); // the filter is a convenience; the list below reports errors
  void watch<JobStub[]>(withQuery("/v1/jobs", { namespace, meta: "true" }), signal,
    (jobs) => fill(body, table(["ID", "Namespace", "Type", "Priority", "Status", "Allocations"],
      jobs.map(row), { id: "jobs" })),
    (err) => showError(body, err, "list-jobs"));
}
