"""The web UI: the bundle that `web/` builds into `static/`, served under `/ui/` by every agent.

`routes.py` is the HTTP side (`/` redirects, hashed assets cached for a year, every other
`/ui/...` path answers the page shell, which routes in the browser); `assets.py` reads the
built files once when the app is built. The TypeScript sources live in `web/src/`.
"""

from caravan.ui.routes import routes

__all__ = ["routes"]
