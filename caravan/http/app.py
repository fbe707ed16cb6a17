"""The route table: every Nomad-compatible route and the error handlers, in one place."""

from __future__ import annotations

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from caravan import ui
from caravan.errors import CaravanError
from caravan.http import (
    acl,
    agent,
    agent_health,
    agent_monitor,
    agent_servers,
    alloc_exec,
    allocations,
    client_allocs,
    client_gc,
    client_fs,
    client_stats,
    deployments,
    dispatch,
    enterprise,
    errors,
    evaluations,
    events,
    exec_audit,
    identity,
    introduction,
    job_changes,
    job_statuses,
    job_validate,
    jobs,
    keyring,
    metrics,
    namespaces,
    node_meta,
    node_rpc,
    node_ops,
    nodes,
    operator_raft,
    operator_scheduler,
    periodic,
    scaling,
    search,
    services,
    system,
    system_reconcile,
    variables,
)
from caravan.http.auth import TokenResolver
from caravan.http.context import AgentContext
from caravan.http.leader_forward import ForwardToLeader
from caravan.http.limits import BodyLimit, ClientRestored, ForwardToServer


def build_app(ctx: AgentContext, *, max_body_bytes: int = 16 * 1024 * 1024) -> Starlette:
    routes: list[BaseRoute] = [
        # before jobs: `/v1/job/<id>/services` (`/scale`, `/actions`, ...) is not a job ID
        # ending so
        *job_statuses.routes,
        *node_rpc.routes, *services.routes, *alloc_exec.routes, *job_changes.routes,
        *deployments.routes,
        *periodic.routes, *dispatch.routes, *node_ops.routes, *system.routes,
        *jobs.routes, *job_validate.routes, *allocations.routes, *evaluations.routes,
        *nodes.routes, *agent.routes, *client_allocs.routes, *client_fs.routes,
        *node_meta.routes, *operator_scheduler.routes, *client_gc.routes,
        *exec_audit.routes, *acl.routes, *namespaces.routes, *introduction.routes,
        *events.routes, *search.routes, *metrics.routes, *agent_monitor.routes,
        *agent_health.routes, *agent_servers.routes,
        *enterprise.routes, *system_reconcile.routes, *operator_raft.routes,
        *client_stats.routes, *scaling.routes,
        # last: `/ui/{path}` answers the page shell for any path below it
        *ui.routes(enabled=ctx.config.ui.enabled,
                   csp=ctx.config.ui.content_security_policy.directives()),
    ]
    routes[:0] = [*identity.routes, *variables.routes, *keyring.routes]  # before /v1/node/<id>
    middleware = [Middleware(BodyLimit, max_bytes=max_body_bytes),
                  Middleware(ClientRestored, ctx=ctx)]
    if ctx.server is None:
        middleware.append(Middleware(ForwardToServer, ctx=ctx))
    elif ctx.server.leadership is not None:
        middleware.append(Middleware(ForwardToLeader, ctx=ctx))
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            CaravanError: errors.caravan_error,
            ValidationError: errors.validation_error,
            HTTPException: errors.http_error,
            Exception: errors.unexpected_error,
        },
    )
    app.state.ctx = ctx
    app.state.acl_resolver = TokenResolver(ctx)
    return app
