// Moving between pages without reloading: history.pushState, then the router renders.

let render: () => void = () => undefined;

export function onNavigate(fn: () => void): void {
  render = fn;
}

/** Go to `path` inside the UI ("/jobs/web", not "/ui/jobs/web"). */
export function navigate(path: string, replace = false): void {
  const url = `/ui${path}`;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  render();
}

/** Follow clicks on in-UI links (data-nav) through navigate(); others load normally. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener("click", (event) => {
    const a = (event.target as Element).closest("a[data-nav]");
    if (!a || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate((a.getAttribute("href") ?? "/ui/").replace(/^\/ui/, ""));
  });
  window.addEventListener("popstate", () => render());
}
