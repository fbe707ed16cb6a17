// A file browser over `alloc fs`: list a directory of the alloc dir, open a subdirectory,
// show the start of a file.

import { get, request, withQuery } from "../api";
import { bytes, fill, h, section, table } from "../dom";
import { showError } from "../errors";
import { FileInfo } from "../types";

const SHOW_BYTES = "65536";

export function filesSection(id: string, signal: AbortSignal): HTMLElement {
  const [element, body] = section("Files", "files-section");
  const crumb = h("div", { class: "crumb", id: "files-path" });
  const view = h("pre", { class: "file", id: "file-content", hidden: true });
  element.insertBefore(crumb, body);
  element.append(view);

  const show = async (path: string): Promise<void> => {
    try {
      const res = await request(withQuery(`/v1/client/fs/readat/${id}`,
        { path, offset: "0", limit: SHOW_BYTES }), { signal });
      view.hidden = false;
      fill(view, await res.text());
    } catch (err) {
      showError(body, err, "read-fs");
    }
  };

  const list = async (path: string): Promise<void> => {
    fill(crumb, path.split("/").filter(Boolean).reduce<(Node | string)[]>((parts, name, i, all) => {
      const to = "/" + all.slice(0, i + 1).join("/");
      return [...parts, " / ", h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); void list(to); } }, name)];
    }, [h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); void list("/"); } }, "alloc dir")]));
    try {
      const entries = await get<FileInfo[]>(withQuery(`/v1/client/fs/ls/${id}`, { path }), signal);
      const join = (name: string): string => `${path.replace(/\/$/, "")}/${name}`;
      fill(body, table(["Name", "Mode", "Size", "Modified"], entries.map((f) => [
        h("a", { href: "#", class: f.IsDir ? "dir" : "file", onclick: (e: Event) => {
          e.preventDefault();
          void (f.IsDir ? list(join(f.Name)) : show(join(f.Name)));
        } }, f.IsDir ? `${f.Name}/` : f.Name),
        f.FileMode, f.IsDir ? "" : bytes(f.Size), new Date(f.ModTime).toLocaleString(),
      ]), { id: "files" }));
    } catch (err) {
      showError(body, err, "read-fs");
    }
  };
  void list("/");
  return element;
}
