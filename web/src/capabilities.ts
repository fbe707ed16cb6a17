// What a token may do in a namespace, computed in the browser from the policies it holds
// (their `RulesJSON`), so the pages show only the buttons the agent would honour.
// Pure (no I/O): `rights.ts` fetches; web/test/ checks this module under node's runner.
//
// Same rules as the agent's (caravan/acl/acl.py and globs.py), not Nomad UI's looser
// ones: rules of one name merge across policies (a `deny` clears them and wins); an
// exact name wins over globs; else the closest glob (fewest characters its `*`s stand
// for; ties to the glob that sorts first); no rule means nothing is allowed. Nomad's UI
// falls back to the `default` rule there, which would show buttons the agent refuses.

export interface NamespaceRule { Name: string; Policy?: string; Capabilities?: string[] | null }
export interface PolicyRules { Namespaces?: NamespaceRule[] | null }
export interface PolicyWithRules { Name: string; RulesJSON?: PolicyRules | null }

/** `all`: ACLs off or a management token. Otherwise capability sets by name or glob. */
export type Rights = { all: true } | { all: false; namespaces: Map<string, Set<string>> };

export const ALL: Rights = { all: true };
export const NONE: Rights = { all: false, namespaces: new Map() };
const DENY = "deny";

export function compileRights(policies: PolicyWithRules[]): Rights {
  const namespaces = new Map<string, Set<string>>();
  for (const policy of policies) {
    for (const rule of policy.RulesJSON?.Namespaces ?? []) {
      const current = namespaces.get(rule.Name) ?? new Set<string>();
      namespaces.set(rule.Name, merge(current, rule.Capabilities ?? []));
    }
  }
  return { all: false, namespaces };
}

function merge(current: Set<string>, granted: string[]): Set<string> {
  if (current.has(DENY)) return current;
  if (granted.includes(DENY)) return new Set([DENY]);
  for (const c of granted) current.add(c);
  return current;
}

function globPattern(glob: string): RegExp {
  const parts = glob.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`, "s");
}

/** The capability set that applies in `namespace`, or null when no rule matches. */
export function rulesFor(rights: Rights, namespace: string): Set<string> | null {
  if (rights.all) return null;
  const exact = rights.namespaces.get(namespace);
  if (exact) return exact;
  let best: { difference: number; glob: string; caps: Set<string> } | null = null;
  for (const [glob, caps] of rights.namespaces) {
    if (!glob.includes("*") || !globPattern(glob).test(namespace)) continue;
    const difference = namespace.length - glob.length + glob.split("*").length - 1;
    if (!best || difference < best.difference || (difference === best.difference && glob < best.glob)) {
      best = { difference, glob, caps };
    }
  }
  return best ? best.caps : null;
}

/** True when the token holds `capability` (any one, for a list) in `namespace`. */
export function allows(rights: Rights, capability: string | string[], namespace: string): boolean {
  if (rights.all) return true;
  const granted = rulesFor(rights, namespace || "default");
  const wanted = Array.isArray(capability) ? capability : [capability];
  return granted !== null && !granted.has(DENY) && wanted.some((c) => granted.has(c));
}

// Drivers that run a task's command on the host itself (no filesystem isolation): a
// session there needs alloc-node-exec too, as the agent's exec route checks.
const HOST_DRIVERS = new Set(["raw_exec"]);

/** May the token open a terminal in a task of this driver in `namespace`? */
export function allowsExec(rights: Rights, namespace: string, driver: string): boolean {
  return allows(rights, "alloc-exec", namespace) &&
    (!HOST_DRIVERS.has(driver) || allows(rights, "alloc-node-exec", namespace));
}
