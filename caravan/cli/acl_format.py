"""Nomad's text layouts for ACL tokens and policies (`acl token *`, `acl policy *`)."""

from __future__ import annotations

from collections.abc import Sequence

from caravan.cli.formatting import format_kv, format_list
from caravan.structs.acl import (
    ACLPolicy,
    ACLPolicyListStub,
    ACLToken,
    ACLTokenListStub,
    parse_rfc3339_ns,
    rfc3339_nano,
)


def go_time(text: str | None) -> str:
    """A wire time as Go's `time.Time.String()` prints it in UTC:
    `2024-05-01 10:00:00.123456789 +0000 UTC`; `<none>` when unset."""
    ns = parse_rfc3339_ns(text or "")
    if not ns:
        return "<none>"
    iso = rfc3339_nano(ns)  # normalised to UTC, trailing zeros already trimmed
    return iso[:-1].replace("T", " ") + " +0000 UTC"


def token_text(token: ACLToken) -> str:
    """`Accessor ID = ...` block; client tokens add their policies and a Roles table."""
    pairs: list[tuple[str, object]] = [
        ("Accessor ID", token.accessor_id), ("Secret ID", token.secret_id),
        ("Name", token.name), ("Type", token.type), ("Global", _go_bool(token.global_)),
        ("Create Time", go_time(token.create_time)),
        ("Expiry Time", go_time(token.expiration_time)),
        ("Create Index", token.create_index), ("Modify Index", token.modify_index),
    ]
    if token.type == "management":
        return format_kv([*pairs, ("Policies", "n/a"), ("Roles", "n/a")])
    pairs.append(("Policies", "[" + " ".join(token.policies or []) + "]"))
    roles = [["ID", "Name"], *([r.id, r.name] for r in token.roles or [])]
    table = format_list(roles) if len(roles) > 1 else "<none>"
    return f"{format_kv(pairs)}\n\nRoles\n{table}"


def tokens_table(tokens: Sequence[ACLTokenListStub], now_ns: int) -> str:
    if not tokens:
        return "No tokens found"
    rows: list[list[str]] = [["Name", "Type", "Global", "Accessor ID", "Expired"]]
    rows += [[t.name, t.type, _go_bool(t.global_), t.accessor_id, _go_bool(t.expired(now_ns))]
             for t in tokens]
    return format_list(rows)


def policy_text(policy: ACLPolicy) -> str:
    text = format_kv([("Name", policy.name), ("Description", policy.description),
                      ("CreateIndex", policy.create_index),
                      ("ModifyIndex", policy.modify_index)])
    job = policy.job_acl
    if job is not None:
        text += "\n\nAssociated Workload\n" + format_kv([
            ("Namespace", job.namespace), ("JobID", job.job_id), ("Group", job.group),
            ("Task", job.task)])
    return f"{text}\n\nRules\n\n{policy.rules}"


def policies_table(policies: Sequence[ACLPolicyListStub]) -> str:
    if not policies:
        return "No policies found"
    return format_list([["Name", "Description"],
                        *([p.name, p.description] for p in policies)])


def _go_bool(value: bool) -> str:
    return "true" if value else "false"
