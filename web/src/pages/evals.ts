// /ui/evaluations: recent evaluations with their placement failures, live.

import { watch, withQuery } from "../api";
import { badge, fill, h, link, nanoTime, section, shortId, table } from "../dom";
import { showError } from "../errors";
import { failureHeader, failureLines } from "../placement";
import { jobPath, PageContext } from "../router";
import { Evaluation } from "../types";

export function evalsPage({ root, signal }: PageContext): void {
  const [list, body] = section("Evaluations", "evals-section");
  fill(root, h("h1", {}, "Evaluations"), list);
  void watch<Evaluation[]>(withQuery("/v1/evaluations", { namespace: "*" }), signal, (evals) => fill(body, table(
    ["ID", "Job", "Namespace", "Triggered By", "Status", "Created", "Placement Failures"],
    evals.sort((a, b) => b.CreateTime - a.CreateTime).map((e) => [shortId(e.ID),
      link(jobPath(e.JobID, e.Namespace), e.JobID), e.Namespace, e.TriggeredBy, badge(e.Status), nanoTime(e.CreateTime),
      h("div", { class: "placement" }, Object.entries(e.FailedTGAllocs ?? {}).map(([g, m]) =>
        h("div", {}, h("strong", {}, failureHeader(g, m)), h("ul", {}, failureLines(m).map((l) => h("li", {}, l))))))]),
    { id: "evaluations" })), (err) => showError(body, err, "read-job"));
}
