"""`client.nodes`: list and read client nodes and the allocations placed on them."""

from __future__ import annotations

from pydantic import TypeAdapter

from caravan.api._base import SubAPI
from caravan.api.query import QueryMeta, QueryOptions, merge, path_id
from caravan.structs import Allocation, Node, NodeListStub
from caravan.structs.drain import DrainSpec, NodeDrainUpdateResponse
from caravan.structs.node_meta import NodeMetaResponse
from caravan.structs.responses import NodeEligibilityUpdateResponse

NodeStubs = list[NodeListStub]
AllocList = list[Allocation]

_NODE = TypeAdapter(Node)
_NODES = TypeAdapter(NodeStubs)
_ALLOCS = TypeAdapter(AllocList)
_ELIGIBILITY = TypeAdapter(NodeEligibilityUpdateResponse)
_DRAIN = TypeAdapter(NodeDrainUpdateResponse)
_META = TypeAdapter(NodeMetaResponse)


class Nodes(SubAPI):
    def list(self, prefix: str = "", q: QueryOptions | None = None) -> tuple[NodeStubs, QueryMeta]:
        return self._read("/v1/nodes", _NODES, merge(q, prefix=prefix))

    def info(self, node_id: str, q: QueryOptions | None = None) -> tuple[Node, QueryMeta]:
        return self._read(f"/v1/node/{path_id(node_id)}", _NODE, q)

    def allocations(
        self, node_id: str, q: QueryOptions | None = None
    ) -> tuple[AllocList, QueryMeta]:
        """Full allocations (Job embedded) placed on the node."""
        return self._read(f"/v1/node/{path_id(node_id)}/allocations", _ALLOCS, q)

    def toggle_eligibility(self, node_id: str, eligible: bool,
                           q: QueryOptions | None = None) -> NodeEligibilityUpdateResponse:
        body = {"NodeID": node_id, "Eligibility": "eligible" if eligible else "ineligible"}
        return self._write("PUT", f"/v1/node/{path_id(node_id)}/eligibility", _ELIGIBILITY,
                           body, q)

    def update_drain(self, node_id: str, spec: DrainSpec | None, *, mark_eligible: bool,
                     meta: dict[str, str] | None = None,
                     q: QueryOptions | None = None) -> NodeDrainUpdateResponse:
        """Start (or update) a drain with `spec`, or cancel it with None."""
        body = {"NodeID": node_id, "MarkEligible": mark_eligible, "Meta": meta or None,
                "DrainSpec": spec.model_dump(by_alias=True) if spec is not None else None}
        return self._write("PUT", f"/v1/node/{path_id(node_id)}/drain", _DRAIN, body, q)

    def meta_read(self, node_id: str = "", q: QueryOptions | None = None
                  ) -> tuple[NodeMetaResponse, QueryMeta]:
        """A node's metadata (static, dynamic, merged); "" is the agent's own node."""
        params = {"node_id": node_id} if node_id else {}
        return self._read("/v1/client/metadata", _META, merge(q, **params))

    def meta_apply(self, node_id: str, meta: dict[str, str | None],
                   q: QueryOptions | None = None) -> NodeMetaResponse:
        """Set (a string) or unset (None) dynamic keys; "" is the agent's own node."""
        return self._write("POST", "/v1/client/metadata", _META,
                           {"NodeID": node_id, "Meta": meta}, q)
