// `caravan ui -authenticate` opens the UI with `?ott=<one-time secret>`: trade it once
// for the caller's ACL token (kept like a pasted one), and take it out of the address
// first, so it stays in no history entry or bookmark.

import { ApiError, send } from "./api";
import { fill, h } from "./dom";
import { setToken } from "./token";
import { TokenInfo } from "./types";

/** True when the page may render; false after showing why the exchange failed. */
export async function exchangeOneTimeToken(main: HTMLElement): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const secret = params.get("ott");
  if (secret === null) return true;
  params.delete("ott");
  const rest = params.toString();
  history.replaceState(history.state, "", location.pathname + (rest ? `?${rest}` : "") + location.hash);
  try {
    const reply = await send<{ Token: TokenInfo & { SecretID: string } }>(
      "POST", "/v1/acl/token/onetime/exchange", { OneTimeSecretID: secret });
    setToken(reply.Token.SecretID);
    return true;
  } catch (err) {
    const why = err instanceof ApiError ? `${err.status}: ${err.message}` : String(err);
    fill(main, h("div", { class: "page" }, h("h1", { id: "ott-error" }, "Token Exchange Error"),
      h("p", { class: "error", role: "alert" },
        "The one-time token in the address was refused (it is used, expired or unknown): run ",
        h("code", {}, "caravan ui -authenticate"), ` again, or paste a token on the ACL Token page (${why}).`)));
    return false;
  }
}
