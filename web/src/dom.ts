// A few DOM helpers instead of a framework: pages build elements with h() and replace
// a section's children when its data changes.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, ""), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el: HTMLElement, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replace everything inside `el` (text is always text: nothing is parsed as HTML). */
export function fill(el: HTMLElement, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A link inside the UI: navigates without reloading the page (see router.ts). */
export function link(path: string, text: Child, attrs: Attrs = {}): HTMLAnchorElement {
  return h("a", { href: `/ui${path}`, "data-nav": true, ...attrs }, text);
}

export function table(headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLTableElement {
  return h("table", attrs,
    h("thead", {}, h("tr", {}, headers.map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.length
      ? rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))
      : [h("tr", {}, h("td", { colspan: headers.length, class: "empty" }, "None"))]));
}

export function section(title: string, id: string): [HTMLElement, HTMLElement] {
  const body = h("div", { class: "body" }, h("p", { class: "muted" }, "Loading…"));
  return [h("section", { id }, h("h2", {}, title), body), body];
}

export function badge(status: string): HTMLSpanElement {
  return h("span", { class: `badge ${status.replace(/[^a-z-]/gi, "")}` }, status);
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** Nanoseconds since the epoch (Nomad's times) as a local date and time. */
export function nanoTime(ns: number): string {
  return ns ? new Date(ns / 1e6).toLocaleString() : "-";
}

export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

/** An RFC 3339 time (task states); Go's zero time means "not yet". */
export function isoTime(s: string | null | undefined): string {
  return !s || s.startsWith("0001-") ? "-" : new Date(s).toLocaleString();
}
