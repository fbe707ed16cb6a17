"""`client.acl_policies` and `client.acl_tokens`: /v1/acl/bootstrap, policies, tokens."""

from __future__ import annotations

from pydantic import TypeAdapter

from caravan.api._base import SubAPI
from caravan.api.query import QueryMeta, QueryOptions, merge, path_id
from caravan.structs.acl import ACLPolicy, ACLPolicyListStub, ACLToken, ACLTokenListStub
from caravan.structs.one_time_token import (
    OneTimeToken,
    OneTimeTokenExchangeResponse,
    OneTimeTokenUpsertResponse,
)

PolicyStubs = list[ACLPolicyListStub]
TokenStubs = list[ACLTokenListStub]

_POLICY = TypeAdapter(ACLPolicy)
_POLICIES = TypeAdapter(PolicyStubs)
_TOKEN = TypeAdapter(ACLToken)
_TOKENS = TypeAdapter(TokenStubs)
_ONE_TIME = TypeAdapter(OneTimeTokenUpsertResponse)
_EXCHANGED = TypeAdapter(OneTimeTokenExchangeResponse)


class ACLPolicies(SubAPI):
    def list(self, prefix: str = "",
             q: QueryOptions | None = None) -> tuple[PolicyStubs, QueryMeta]:
        return self._read("/v1/acl/policies", _POLICIES, merge(q, prefix=prefix))

    def info(self, name: str, q: QueryOptions | None = None) -> tuple[ACLPolicy, QueryMeta]:
        return self._read(f"/v1/acl/policy/{path_id(name)}", _POLICY, q)

    def upsert(self, policy: ACLPolicy, q: QueryOptions | None = None) -> None:
        """Create or replace the policy named `policy.name`."""
        body: dict[str, object] = {"Name": policy.name, "Description": policy.description,
                                   "Rules": policy.rules}
        if policy.job_acl is not None:
            body["JobACL"] = policy.job_acl.to_wire()
        self._client.write("PUT", f"/v1/acl/policy/{path_id(policy.name)}", body, q)

    def delete(self, name: str, q: QueryOptions | None = None) -> None:
        self._client.write("DELETE", f"/v1/acl/policy/{path_id(name)}", None, q)


class ACLTokens(SubAPI):
    def bootstrap(self, secret: str = "", q: QueryOptions | None = None) -> ACLToken:
        """The initial management token; `secret` chooses its SecretID (a UUID)."""
        body = {"BootstrapSecret": secret} if secret else None
        return self._write("POST", "/v1/acl/bootstrap", _TOKEN, body, q)

    def list(self, prefix: str = "",
             q: QueryOptions | None = None) -> tuple[TokenStubs, QueryMeta]:
        return self._read("/v1/acl/tokens", _TOKENS, merge(q, prefix=prefix))

    def info(self, accessor_id: str,
             q: QueryOptions | None = None) -> tuple[ACLToken, QueryMeta]:
        return self._read(f"/v1/acl/token/{path_id(accessor_id)}", _TOKEN, q)

    def self(self, q: QueryOptions | None = None) -> tuple[ACLToken, QueryMeta]:
        return self._read("/v1/acl/token/self", _TOKEN, q)

    def create(self, token: ACLToken, q: QueryOptions | None = None) -> ACLToken:
        """A new token; the answer carries its SecretID, which is never shown again."""
        return self._write("PUT", "/v1/acl/token", _TOKEN, _token_body(token), q)

    def update(self, token: ACLToken, q: QueryOptions | None = None) -> ACLToken:
        path = f"/v1/acl/token/{path_id(token.accessor_id)}"
        return self._write("PUT", path, _TOKEN, _token_body(token), q)

    def delete(self, accessor_id: str, q: QueryOptions | None = None) -> None:
        self._client.write("DELETE", f"/v1/acl/token/{path_id(accessor_id)}", None, q)

    def upsert_one_time_token(self, q: QueryOptions | None = None) -> OneTimeToken:
        """A secret good for one exchange, within ten minutes, for the caller's token."""
        return self._write("PUT", "/v1/acl/token/onetime", _ONE_TIME, None, q).one_time_token

    def exchange_one_time_token(self, secret: str, q: QueryOptions | None = None) -> ACLToken:
        return self._write("PUT", "/v1/acl/token/onetime/exchange", _EXCHANGED,
                           {"OneTimeSecretID": secret}, q).token


def _token_body(token: ACLToken) -> dict[str, object]:
    body = token.to_wire()
    for unset in ("CreateTime", "Hash", "CreateIndex", "ModifyIndex"):
        body.pop(unset, None)
    return body


class ACLIdentity(SubAPI):
    def create_client_introduction_token(self, ttl_s: float = 0.0, node_name: str = "",
                                         node_pool: str = "",
                                         q: QueryOptions | None = None) -> str:
        """A signed JWT a new client node presents at its first registration (needs
        `node:write`). `ttl_s` 0 means the server's default_identity_ttl."""
        body = {"TTL": f"{int(ttl_s * 1e9)}ns" if ttl_s else "", "NodeName": node_name,
                "NodePool": node_pool}
        reply = self._client.write("PUT", "/v1/acl/identity/client-introduction-token",
                                   body, q)
        return str((reply or {}).get("JWT", ""))
