"""`/` and `/ui/...`: the page shell, its hashed assets, and the headers that guard them.

    /                    307 -> /ui/
    /ui                  307 -> /ui/
    /ui/assets/<name>    a built file; names carry a content hash, so a year's caching
                         (immutable) is safe; an unknown name is a 404; gzip-compressed
                         (once, when the app is built) for a browser that accepts it
    /ui/<anything else>  the page shell (no-cache: it names the current hashes); the
                         browser-side router reads the path (/ui/jobs/<id>, ...)

Every answer carries a Content-Security-Policy that allows only the agent's own origin:
scripts, styles, fonts, images and connections (fetch and the exec WebSocket) from
'self', nothing inline but styles (xterm.js sizes its cells in a <style> element it
writes), no frames, no plugins, no foreign form targets.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from caravan.ui.assets import NOT_BUILT, Asset, Bundle, load, static_dir

CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def routes(bundle: Bundle | None = None) -> list[BaseRoute]:
    """The UI's routes over `bundle` (by default the one built into the package)."""
    files = bundle if bundle is not None else load(static_dir())

    async def to_ui(request: Request) -> Response:
        return RedirectResponse("/ui/", status_code=307)

    async def asset(request: Request) -> Response:
        found = files.assets.get(request.path_params["name"])
        if found is None:
            return _guarded(PlainTextResponse("no such UI asset", status_code=404))
        return _send(request, found, IMMUTABLE)

    async def shell(request: Request) -> Response:
        if files.index is None:
            return _guarded(PlainTextResponse(NOT_BUILT, status_code=503))
        return _send(request, files.index, REVALIDATE)

    return [Route("/", to_ui, methods=["GET", "HEAD"]),
            Route("/ui", to_ui, methods=["GET", "HEAD"]),
            Route("/ui/assets/{name}", asset, methods=["GET", "HEAD"]),
            Route("/ui/{path:path}", shell, methods=["GET", "HEAD"])]


def _send(request: Request, found: Asset, cache: str) -> Response:
    headers = {"ETag": found.etag, "Cache-Control": cache, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == found.etag:
        return _guarded(Response(status_code=304, headers=headers))
    body = found.body
    if found.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body = found.gzipped
        headers["Content-Encoding"] = "gzip"
    return _guarded(Response(body, media_type=found.media_type, headers=headers))


def _guarded(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response
