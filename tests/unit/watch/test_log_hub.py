"""The monitor's log hub in process: levels filter, a debug listener lowers the root
logger only while it listens, and the agent's own handlers keep their level."""

from __future__ import annotations

import asyncio
import io
import logging

from caravan.http.log_hub import LogHub, Subscriber


def test_a_debug_listener_sees_debug_lines_the_agent_output_does_not() -> None:
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    out = io.StringIO()
    own = logging.StreamHandler(out)  # the agent's own output, as basicConfig leaves it
    root.handlers = [own]
    root.setLevel(logging.INFO)
    hub = LogHub()
    log = logging.getLogger("caravan.test.hub")

    async def scenario() -> tuple[list[str], list[str]]:
        debug, errors = Subscriber(logging.DEBUG, False), Subscriber(logging.ERROR, True)
        hub.subscribe(debug)
        hub.subscribe(errors)
        assert root.level == logging.DEBUG
        log.debug("a debug line")
        log.info("an info line")
        got = await debug.lines(5)
        got_errors = await errors.lines(0.05)
        hub.unsubscribe(debug)
        hub.unsubscribe(errors)
        return got, got_errors

    try:
        lines, error_lines = asyncio.run(scenario())
        assert root.level == logging.INFO  # restored once nobody listens at DEBUG
        assert len(lines) == 2 and "[DEBUG]" in lines[0] and "a debug line" in lines[0]
        assert error_lines == []  # below its level
        assert "a debug line" not in out.getvalue()  # the agent's output stays at INFO
        assert "an info line" in out.getvalue()
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)
