// Which page a path shows. Paths follow Nomad's UI: /ui/jobs/<id>@<namespace>,
// /ui/allocations/<id>, /ui/clients/<id>, /ui/evaluations, /ui/settings/tokens.

export interface PageContext {
  root: HTMLElement;
  params: string[];
  query: URLSearchParams;
  signal: AbortSignal; // aborted when the user leaves the page: ends its live queries
}

export type Page = (ctx: PageContext) => void;

export interface Match { page: Page; params: string[] }

export function match(table: [RegExp, Page][], path: string): Match | null {
  for (const [pattern, page] of table) {
    const m = pattern.exec(path);
    if (m) return { page, params: m.slice(1).map(decodeURIComponent) };
  }
  return null;
}

/** "web@team-a" -> ["web", "team-a"]; no "@": the default namespace. */
export function splitJobId(raw: string): [string, string] {
  const at = raw.lastIndexOf("@");
  return at > 0 ? [raw.slice(0, at), raw.slice(at + 1)] : [raw, "default"];
}

export function jobPath(id: string, namespace: string): string {
  const ns = namespace && namespace !== "default" ? `@${encodeURIComponent(namespace)}` : "";
  return `/jobs/${encodeURIComponent(id)}${ns}`;
}
