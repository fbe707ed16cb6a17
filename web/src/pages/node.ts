// /ui/clients/<id>: a node's drivers and their health, resources, attributes and
// allocations, live.

import { watch } from "../api";
import { badge, fill, h, section, table } from "../dom";
import { showError } from "../errors";
import { PageContext } from "../router";
import { AllocStub, Node } from "../types";
import { ALLOC_HEADERS, allocRows } from "./job";

export function nodePage({ root, params, signal }: PageContext): void {
  const id = params[0] ?? "";
  const header = h("div", { class: "title" }, h("h1", {}, `Client ${id}`));
  const [drivers, driversBody] = section("Drivers", "drivers-section");
  const [resources, resourcesBody] = section("Resources", "resources-section");
  const [allocs, allocsBody] = section("Allocations", "allocs-section");
  const [attrs, attrsBody] = section("Attributes", "attributes-section");
  fill(root, header, drivers, resources, allocs, attrs);
  void watch<Node>(`/v1/node/${id}`, signal, (node) => {
    fill(header, h("h1", {}, `Client ${node.Name}`), badge(node.Status),
      h("span", { class: "muted" }, ` ${node.ID} · ${node.Address} · ${node.Datacenter} · eligibility ${node.SchedulingEligibility}`));
    fill(driversBody, table(["Driver", "Detected", "Healthy", "Description"],
      Object.entries(node.Drivers ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([name, d]) =>
        [name, String(d.Detected), badge(d.Healthy ? "healthy" : "unhealthy"), d.HealthDescription]), { id: "drivers" }));
    const r = node.NodeResources;
    fill(resourcesBody, table(["CPU (MHz)", "Memory (MiB)", "Disk (MiB)"],
      [[String(r?.Cpu?.CpuShares ?? "-"), String(r?.Memory?.MemoryMB ?? "-"), String(r?.Disk?.DiskMB ?? "-")]]));
    fill(attrsBody, table(["Attribute", "Value"], Object.entries(node.Attributes ?? {}).sort(([a], [b]) => a.localeCompare(b))));
  }, (err) => showError(driversBody, err, "node:read"));
  void watch<AllocStub[]>(`/v1/node/${id}/allocations`, signal,
    (list) => fill(allocsBody, table(ALLOC_HEADERS, allocRows(list), { id: "allocations" })),
    (err) => showError(allocsBody, err, "node:read"));
}
