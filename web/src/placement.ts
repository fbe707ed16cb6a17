// Why a task group could not be placed, in Nomad's words (its AllocMetric lines).

import { AllocMetric } from "./types";

function sorted(m: Record<string, number> | null | undefined): [string, number][] {
  return Object.entries(m ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

export function failureHeader(group: string, metric: AllocMetric): string {
  const n = metric.CoalescedFailures + 1;
  return `Task Group "${group}" (failed to place ${n} ${n === 1 ? "allocation" : "allocations"}):`;
}

export function failureLines(metric: AllocMetric): string[] {
  const lines: string[] = [];
  if (metric.NodesEvaluated === 0) lines.push("No nodes were eligible for evaluation");
  for (const [dc, n] of sorted(metric.NodesAvailable)) {
    if (n === 0) lines.push(`No nodes are available in datacenter "${dc}"`);
  }
  for (const [c, n] of sorted(metric.ClassFiltered)) lines.push(`Class "${c}": ${n} nodes excluded by filter`);
  for (const [c, n] of sorted(metric.ConstraintFiltered)) lines.push(`Constraint "${c}": ${n} nodes excluded by filter`);
  if (metric.NodesExhausted > 0) lines.push(`Resources exhausted on ${metric.NodesExhausted} nodes`);
  for (const [c, n] of sorted(metric.ClassExhausted)) lines.push(`Class "${c}" exhausted on ${n} nodes`);
  for (const [d, n] of sorted(metric.DimensionExhausted)) lines.push(`Dimension "${d}" exhausted on ${n} nodes`);
  for (const q of metric.QuotaExhausted ?? []) lines.push(`Quota limit hit "${q}"`);
  return lines;
}
