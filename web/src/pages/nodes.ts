// /ui/clients: every node with its status, eligibility and drivers' health, live.

import { watch } from "../api";
import { badge, fill, h, link, section, shortId, table } from "../dom";
import { showError } from "../errors";
import { PageContext } from "../router";
import { DriverInfo, NodeStub } from "../types";

export function driverList(drivers: Record<string, DriverInfo> | null | undefined): HTMLElement {
  return h("span", { class: "drivers" }, Object.entries(drivers ?? {}).sort(([a], [b]) => a.localeCompare(b))
    .filter(([, d]) => d.Detected)
    .map(([name, d]) => h("span", { class: `driver ${d.Healthy ? "healthy" : "unhealthy"}`,
      title: d.HealthDescription }, name)));
}

export function nodesPage({ root, signal }: PageContext): void {
  const [list, body] = section("Clients", "nodes-section");
  fill(root, h("h1", {}, "Clients"), list);
  void watch<NodeStub[]>("/v1/nodes", signal, (nodes) => fill(body, table(
    ["ID", "Name", "Address", "Datacenter", "Class", "Eligibility", "Status", "Drivers"],
    nodes.map((n) => [link(`/clients/${n.ID}`, shortId(n.ID)), n.Name, n.Address, n.Datacenter,
      n.NodeClass || "-", n.SchedulingEligibility, badge(n.Drain ? "draining" : n.Status), driverList(n.Drivers)]),
    { id: "nodes" })), (err) => showError(body, err, "node:read"));
}
