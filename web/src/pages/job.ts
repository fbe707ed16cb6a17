// /ui/jobs/<id>@<ns>: groups with their summary, allocations, versions (with diffs),
// evaluations with placement failures, deployments once the route exists; stop, start, scale.

import { watch, withQuery } from "../api";
import { badge, fill, h, link, nanoTime, section, shortId, table } from "../dom";
import { showError } from "../errors";
import { diffLines, JobDiff } from "../diff";
import { failureHeader, failureLines } from "../placement";
import { PageContext, splitJobId } from "../router";
import { AllocStub, Evaluation, GroupSummary, Job } from "../types";
import { jobActions } from "./job_actions";

interface JobSummaryBody { Summary: Record<string, GroupSummary> }
interface VersionsBody { Versions: Job[]; Diffs?: JobDiff[] | null }

export function allocRows(allocs: AllocStub[]): (Node | string)[][] {
  return allocs.map((a) => [link(`/allocations/${a.ID}`, shortId(a.ID)), a.TaskGroup,
    link(`/clients/${a.NodeID}`, a.NodeName || shortId(a.NodeID)), String(a.JobVersion),
    a.DesiredStatus, badge(a.ClientStatus), nanoTime(a.ModifyTime)]);
}

export const ALLOC_HEADERS = ["ID", "Group", "Node", "Version", "Desired", "Status", "Modified"];

function groupsTable(job: Job, summary: Record<string, GroupSummary>): HTMLElement {
  return table(["Group", "Count", "Queued", "Starting", "Running", "Failed", "Complete", "Lost"],
    job.TaskGroups.map((g) => {
      const s = summary[g.Name];
      return [g.Name, String(g.Count), ...(["Queued", "Starting", "Running", "Failed", "Complete", "Lost"] as const)
        .map((k) => String(s?.[k] ?? 0))];
    }), { id: "groups" });
}

function evalRows(evals: Evaluation[]): (Node | string)[][] {
  return evals.map((e) => [shortId(e.ID), e.TriggeredBy, badge(e.Status), nanoTime(e.CreateTime),
    h("div", { class: "placement" }, Object.entries(e.FailedTGAllocs ?? {}).map(([g, m]) =>
      h("div", {}, h("strong", {}, failureHeader(g, m)), h("ul", {}, failureLines(m).map((l) => h("li", {}, l))))))]);
}

function versionRows(body: VersionsBody): (Node | string)[][] {
  return body.Versions.map((v, i) => {
    // Diffs[i] compares version i with the one before it (the oldest has none).
    const diff = body.Diffs?.[i];
    const lines = diff ? diffLines(diff) : [];
    return [String(v.Version), nanoTime(v.SubmitTime ?? 0), v.Stable ? "yes" : "no", v.Stop ? "stopped" : "",
      lines.length ? h("pre", { class: "diff" }, lines.join("\n")) : ""];
  });
}

interface DeploymentGroup {
  DesiredTotal: number; PlacedAllocs: number; HealthyAllocs: number; UnhealthyAllocs: number;
  DesiredCanaries: number; Promoted: boolean;
}
interface Deployment {
  ID: string; JobVersion: number; Status: string; StatusDescription: string;
  TaskGroups?: Record<string, DeploymentGroup> | null;
}

function deploymentsTable(list: Deployment[]): HTMLElement {
  return table(["ID", "Version", "Status", "Description", "Groups (placed / healthy / unhealthy of desired)"],
    list.map((d) => [shortId(d.ID), String(d.JobVersion), badge(d.Status), d.StatusDescription,
      h("div", {}, Object.entries(d.TaskGroups ?? {}).map(([g, s]) => h("div", {},
        `${g}: ${s.PlacedAllocs} / ${s.HealthyAllocs} / ${s.UnhealthyAllocs} of ${s.DesiredTotal}` +
        (s.DesiredCanaries ? `, ${s.DesiredCanaries} canaries${s.Promoted ? " (promoted)" : ""}` : ""))))]),
    { id: "deployments" });
}

export function jobPage({ root, params, signal }: PageContext): void {
  const [id, namespace] = splitJobId(params[0] ?? "");
  const base = `/v1/job/${encodeURIComponent(id)}`;
  const q = (path: string, extra: Record<string, string> = {}): string =>
    withQuery(path, { namespace, ...extra });
  const header = h("div", { class: "title" }, h("h1", {}, id));
  const actions = h("div", { class: "actions" });
  const [groups, groupsBody] = section("Task Groups", "groups-section");
  const [allocs, allocsBody] = section("Allocations", "allocs-section");
  const [evals, evalsBody] = section("Evaluations", "evals-section");
  const [versions, versionsBody] = section("Versions", "versions-section");
  const [deploys, deploysBody] = section("Deployments", "deployments-section");
  const facts = h("dl", { class: "facts" });
  fill(root, header, facts, actions, groups, allocs, evals, versions, deploys);

  const showActions = jobActions(actions, base, namespace);
  let summary: Record<string, GroupSummary> = {};
  let job: Job | null = null;
  const drawGroups = (): void => { if (job) fill(groupsBody, groupsTable(job, summary)); };
  void watch<Job>(q(base), signal, (j) => {
    job = j;
    fill(facts, ...[["Namespace", j.Namespace], ["Type", j.Type], ["Status", j.Status],
      ["Version", String(j.Version)], ["Priority", String(j.Priority)],
      ["Datacenters", (j.Datacenters ?? []).join(", ")]].flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
    fill(header, h("h1", {}, j.ID), badge(j.Stop ? "stopped" : j.Status));
    showActions(j);
    drawGroups();
  }, (err) => showError(groupsBody, err, "read-job"));
  void watch<JobSummaryBody>(q(`${base}/summary`), signal,
    (s) => { summary = s.Summary ?? {}; drawGroups(); }, () => undefined);
  void watch<AllocStub[]>(q(`${base}/allocations`), signal,
    (list) => fill(allocsBody, table(ALLOC_HEADERS, allocRows(list), { id: "allocations" })),
    (err) => showError(allocsBody, err, "read-job"));
  void watch<Evaluation[]>(q(`${base}/evaluations`), signal,
    (list) => fill(evalsBody, table(["ID", "Triggered By", "Status", "Created", "Placement Failures"],
      evalRows(list), { id: "evaluations" })),
    (err) => showError(evalsBody, err, "read-job"));
  void watch<VersionsBody>(q(`${base}/versions`, { diffs: "true" }), signal,
    (body) => fill(versionsBody, table(["Version", "Submitted", "Stable", "", "Changes"], versionRows(body), { id: "versions" })),
    (err) => showError(versionsBody, err, "read-job"));
  void watch<Deployment[]>(q(`${base}/deployments`), signal,
    (list) => fill(deploysBody, list.length ? deploymentsTable(list) : h("p", { class: "muted" }, "No deployments.")),
    // Shown once the route exists: until then (501) the section stays away.
    (err) => (err.status === 501 ? deploys.remove() : showError(deploysBody, err, "read-job")));
}
