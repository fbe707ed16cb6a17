// /ui/settings/tokens: paste a token's Secret ID; it is checked against the agent
// (/v1/acl/token/self), kept in local storage, and sent with every request from then on.

import { ApiError, get } from "../api";
import { fill, h } from "../dom";
import { navigate } from "../nav";
import { PageContext } from "../router";
import { getToken, setToken } from "../token";
import { TokenInfo } from "../types";

function describe(info: TokenInfo): HTMLElement {
  return h("dl", { class: "facts", id: "token-info" },
    h("dt", {}, "Name"), h("dd", {}, info.Name || "-"),
    h("dt", {}, "Type"), h("dd", {}, info.Type),
    h("dt", {}, "Accessor ID"), h("dd", {}, info.AccessorID),
    h("dt", {}, "Policies"), h("dd", {}, (info.Policies ?? []).join(", ") || "-"));
}

export function tokenPage({ root, query, signal }: PageContext): void {
  const from = query.get("from");
  const input = h("input", { id: "token-secret", type: "password", autocomplete: "off",
    placeholder: "Secret ID", "aria-label": "Secret ID", size: 40 });
  const save = h("button", { id: "token-save", type: "submit" }, "Set Token");
  const clear = h("button", { id: "token-clear", type: "button" }, "Clear Token");
  const status = h("div", { id: "token-status", role: "status" });
  const form = h("form", { class: "token-form" }, input, save, clear);
  fill(root, h("h1", {}, "ACL Token"),
    from ? h("div", { class: "error denied", role: "alert", id: "token-needed" },
      "This agent has ACLs enabled and the page you asked for needs a token. ",
      "Paste a token's Secret ID below.") : null,
    h("p", {}, "The Secret ID is kept in this browser's local storage and sent to the agent with every request."),
    form, status);

  const show = async (): Promise<void> => {
    if (!getToken()) { fill(status, h("p", { class: "muted" }, "No token set: requests are anonymous.")); return; }
    try {
      fill(status, describe(await get<TokenInfo>("/v1/acl/token/self", signal)));
    } catch (err) {
      const msg = err instanceof ApiError ? err.message : String(err);
      fill(status, h("div", { class: "error", role: "alert" }, `The agent does not accept this token: ${msg}`));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    input.value = "";
    if (from && getToken()) navigate(from.replace(/^\/ui/, ""), true);
    else void show();
  });
  clear.addEventListener("click", () => { setToken(""); void show(); });
  void show();
}
