// The UI's entry point: the page frame (navigation), the route table, and rendering the
// page the address names. Framework: none (see web/README.md).

import "@xterm/xterm/css/xterm.css";
import "./style.css";
import { h, fill } from "./dom";
import { interceptLinks, onNavigate } from "./nav";
import { match, Page } from "./router";
import { jobsPage } from "./pages/jobs";
import { jobPage } from "./pages/job";
import { allocPage } from "./pages/alloc";
import { execPage } from "./pages/exec";
import { nodesPage } from "./pages/nodes";
import { nodePage } from "./pages/node";
import { evalsPage } from "./pages/evals";
import { tokenPage } from "./pages/token";
import { exchangeOneTimeToken } from "./one_time";

const ROUTES: [RegExp, Page][] = [
  [/^\/?$/, jobsPage],
  [/^\/jobs\/?$/, jobsPage],
  [/^\/jobs\/(.+)$/, jobPage],
  [/^\/allocations\/([^/]+)\/exec\/([^/]+)$/, execPage],
  [/^\/allocations\/([^/]+)$/, allocPage],
  [/^\/clients\/?$/, nodesPage],
  [/^\/clients\/([^/]+)$/, nodePage],
  [/^\/evaluations\/?$/, evalsPage],
  [/^\/settings\/tokens\/?$/, tokenPage],
];

const NAV: [string, string][] = [
  ["/jobs", "Jobs"], ["/clients", "Clients"], ["/evaluations", "Evaluations"],
  ["/settings/tokens", "ACL Token"],
];

let current: AbortController | null = null;

function render(main: HTMLElement): void {
  current?.abort(); // the page we leave stops its live queries and sessions
  current = new AbortController();
  const path = location.pathname.replace(/^\/ui/, "") || "/";
  const found = match(ROUTES, path);
  const root = h("div", { class: "page" });
  fill(main, root);
  document.querySelectorAll("nav a").forEach((a) => {
    const href = (a.getAttribute("href") ?? "").replace(/^\/ui/, "");
    a.classList.toggle("active", path.startsWith(href) || (path === "/" && href === "/jobs"));
  });
  if (!found) {
    fill(root, h("h1", {}, "Not found"), h("p", {}, `The UI has no page at ${location.pathname}.`));
    return;
  }
  found.page({ root, params: found.params, query: new URLSearchParams(location.search),
    signal: current.signal });
}

async function start(): Promise<void> {
  const app = document.getElementById("app");
  if (!app) return;
  const main = h("main", {});
  fill(app,
    h("header", {}, h("a", { href: "/ui/jobs", "data-nav": true, class: "brand" }, "caravan"),
      h("nav", {}, NAV.map(([p, t]) => h("a", { href: `/ui${p}`, "data-nav": true }, t)))),
    main);
  interceptLinks(app);
  // Leaving the UI (a typed address, a reload): end the page's blocking queries first, or
  // the next document's request queues behind them for up to their wait (Chromium keeps
  // six connections per origin, and they hold them).
  addEventListener("beforeunload", () => current?.abort());
  onNavigate(() => render(main));
  if (await exchangeOneTimeToken(main)) render(main);
}

void start();
