// The allocation's CPU and memory usage, read from the stats route every few seconds
// while it runs (the route answers a sample, not a blocking query).

import { get } from "../api";
import { bytes, fill, h, section, table } from "../dom";
import { showError } from "../errors";
import { AllocStats, ResourceUsage } from "../types";

const EVERY_MS = 3000;

function usage(u: ResourceUsage): string[] {
  return [`${(u.CpuStats?.Percent ?? 0).toFixed(1)} %`, bytes(u.MemoryStats?.RSS || u.MemoryStats?.Usage || 0)];
}

export function statsSection(id: string, signal: AbortSignal): { element: HTMLElement; setRunning: (r: boolean) => void } {
  const [element, body] = section("Resource Usage", "stats-section");
  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async (): Promise<void> => {
    try {
      const s = await get<AllocStats>(`/v1/client/allocation/${id}/stats`, signal);
      fill(body, table(["Task", "CPU", "Memory"], [
        ["(allocation)", ...usage(s.ResourceUsage)],
        ...Object.entries(s.Tasks ?? {}).sort(([a], [b]) => a.localeCompare(b))
          .map(([t, v]) => [t, ...usage(v.ResourceUsage)]),
      ], { id: "stats" }));
    } catch (err) {
      if (!signal.aborted) showError(body, err, "read-job");
    }
    if (running && !signal.aborted) timer = setTimeout(() => void tick(), EVERY_MS);
  };
  signal.addEventListener("abort", () => clearTimeout(timer));
  return {
    element,
    setRunning(r: boolean): void {
      const wasRunning = running;
      running = r;
      if (r && !wasRunning) void tick();
      if (!r) fill(body, h("p", { class: "muted" }, "Not running."));
    },
  };
}
