// How a page shows a failed read: a denied one names the capability it needs (and, with
// no token set, sends the user to the token page); others show the agent's message.

import { ApiError } from "./api";
import { h, fill, link } from "./dom";
import { getToken } from "./token";
import { navigate } from "./nav";

export function showError(where: HTMLElement, err: unknown, capability: string): void {
  const apiErr = err instanceof ApiError ? err : new ApiError(0, String(err), "");
  if (apiErr.denied && !getToken()) {
    navigate(`/settings/tokens?from=${encodeURIComponent(location.pathname)}`);
    return;
  }
  if (apiErr.denied) {
    fill(where, h("div", { class: "error denied", role: "alert" },
      h("strong", {}, "Permission denied. "),
      `Your token lacks the ${capability} capability this needs`,
      /^permission denied$/i.test(apiErr.message) ? ". " : ` (${apiErr.message}). `,
      link("/settings/tokens", "Change the token")));
    return;
  }
  fill(where, h("div", { class: "error", role: "alert" },
    apiErr.status ? `Error ${apiErr.status}: ${apiErr.message}` : `Cannot reach the agent: ${apiErr.message}`));
}
