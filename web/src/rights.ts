// The current token's rights, fetched once per token and page load: ACLs off (the
// policy list answers 400) or a management token -> everything; otherwise the policies
// the token holds (the anonymous policy when no token is set), with their RulesJSON.
// Only for showing buttons: the agent still checks every request.

import { ApiError, get } from "./api";
import { ALL, compileRights, NONE, PolicyWithRules, Rights } from "./capabilities";
import { getToken } from "./token";
import { TokenInfo } from "./types";

let cached: { token: string; rights: Promise<Rights> } | null = null;

async function fetchRights(token: string): Promise<Rights> {
  let policies: PolicyWithRules[];
  try {
    policies = await get<PolicyWithRules[]>("/v1/acl/policies");
  } catch (err) {
    // "ACL support disabled": every request is allowed. Anything else (an unknown token,
    // the agent unreachable): show nothing the token may not be allowed to do.
    return err instanceof ApiError && err.status === 400 ? ALL : NONE;
  }
  if (token) {
    try {
      if ((await get<TokenInfo>("/v1/acl/token/self")).Type === "management") return ALL;
    } catch {
      return NONE;
    }
  }
  return compileRights(policies);
}

/** The rights of the token now in local storage (one fetch per token). */
export function currentRights(): Promise<Rights> {
  const token = getToken();
  if (!cached || cached.token !== token) cached = { token, rights: fetchRights(token) };
  return cached.rights;
}
