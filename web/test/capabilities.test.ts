// The browser's capability computation (src/capabilities.ts) against the agent's rules:
// merging across policies, deny winning, exact names before globs, the closest glob,
// no fallback to `default`, and exec on raw_exec needing alloc-node-exec too.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ALL, NONE, allows, allowsExec, compileRights, PolicyWithRules } from "../src/capabilities";

function policy(name: string, namespaces: [string, string[]][]): PolicyWithRules {
  return { Name: name, RulesJSON: { Namespaces: namespaces.map(([Name, Capabilities]) => ({ Name, Capabilities })) } };
}

const READ = ["list-jobs", "read-job", "parse-job", "read-job-scaling", "list-scaling-policies", "read-scaling-policy"];

test("ACLs off or a management token allow everything", () => {
  assert.equal(allows(ALL, "submit-job", "anything"), true);
  assert.equal(allowsExec(ALL, "default", "raw_exec"), true);
});

test("no policies allow nothing", () => {
  assert.equal(allows(NONE, "read-job", "default"), false);
  assert.equal(allows(compileRights([]), "list-jobs", "default"), false);
  assert.equal(allows(compileRights([{ Name: "empty", RulesJSON: null }]), "list-jobs", "default"), false);
});

test("a read policy shows no write buttons", () => {
  const rights = compileRights([policy("reader", [["default", READ]])]);
  assert.equal(allows(rights, "read-job", "default"), true);
  assert.equal(allows(rights, ["submit-job", "scale-job"], "default"), false);
  assert.equal(allowsExec(rights, "default", "exec"), false);
});

test("the same namespace in two policies merges; any one of a list is enough", () => {
  const rights = compileRights([policy("a", [["default", READ]]), policy("b", [["default", ["scale-job"]]])]);
  assert.equal(allows(rights, ["scale-job", "submit-job"], "default"), true);
  assert.equal(allows(rights, "submit-job", "default"), false);
});

test("deny in any policy wins over grants in others, whatever the order", () => {
  for (const order of [["w", "d"], ["d", "w"]]) {
    const byName: Record<string, PolicyWithRules> = {
      w: policy("w", [["default", ["submit-job", "alloc-exec"]]]),
      d: policy("d", [["default", ["deny"]]]),
    };
    const rights = compileRights(order.map((n) => byName[n]!));
    assert.equal(allows(rights, "submit-job", "default"), false);
    assert.equal(allowsExec(rights, "default", "exec"), false);
  }
});

test("an exact name wins over a glob that also matches", () => {
  const rights = compileRights([policy("p", [["team-*", ["submit-job"]], ["team-a", ["read-job"]]])]);
  assert.equal(allows(rights, "submit-job", "team-a"), false);
  assert.equal(allows(rights, "submit-job", "team-b"), true);
});

test("the closest glob applies, not the first one written", () => {
  const rights = compileRights([policy("p", [["*", ["submit-job"]], ["prod-*", ["read-job"]]])]);
  assert.equal(allows(rights, "submit-job", "prod-web"), false);
  assert.equal(allows(rights, "read-job", "prod-web"), true);
  assert.equal(allows(rights, "submit-job", "dev"), true);
});

test("a glob's regex characters are literal", () => {
  const rights = compileRights([policy("p", [["a.b-*", ["submit-job"]]])]);
  assert.equal(allows(rights, "submit-job", "a.b-1"), true);
  assert.equal(allows(rights, "submit-job", "axb-1"), false);
});

test("no rule for a namespace allows nothing there (no fallback to default)", () => {
  const rights = compileRights([policy("p", [["default", ["submit-job"]]])]);
  assert.equal(allows(rights, "submit-job", "team-b"), false);
  assert.equal(allows(rights, "submit-job", ""), true); // "" is the default namespace
});

test("exec in a raw_exec task also needs alloc-node-exec", () => {
  const execOnly = compileRights([policy("p", [["default", ["alloc-exec"]]])]);
  assert.equal(allowsExec(execOnly, "default", "exec"), true);
  assert.equal(allowsExec(execOnly, "default", "raw_exec"), false);
  const both = compileRights([policy("p", [["default", ["alloc-exec", "alloc-node-exec"]]])]);
  assert.equal(allowsExec(both, "default", "raw_exec"), true);
});
