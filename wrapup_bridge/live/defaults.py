"""Defaults the live pieces share, in a module that imports next to nothing, so building a bridge stays cheap.

Nothing here reads the environment: ``services.settings.Settings`` is the one reader (``WRAPUP_BRIDGE_OUTBOX``,
``WRAPUP_BRIDGE_MAPPING``, ``WRAPUP_BRIDGE_BUDGET``, ...); these are what applies when a variable is unset.
"""

from __future__ import annotations

from typing import Final

from wrapup_bridge.data import TWILIO_FLEX_MAPPING

__all__ = [
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_BUDGET",
    "DEFAULT_HEADER_TIMEOUT",
    "DEFAULT_KEEP_ALIVE_TIMEOUT",
    "DEFAULT_MAPPING",
    "DEFAULT_MAX_CONNECTIONS",
]

#: Inside Twilio Functions' 10 s and Genesys function data actions' 15 s, with room for the reply.
DEFAULT_BUDGET: Final = 8.0
#: The shipped Twilio Flex table (package data), so a bridge built with no table named works after a pip install.
DEFAULT_MAPPING: Final = str(TWILIO_FLEX_MAPPING)

# The webhook server's limits (``wrapup-bridge serve``; see ``live.server``). Twilio and Five9 send a request of a
# few KiB at once, in well under a second; these leave room for a slow mobile link and none for a client that
# holds a connection without sending. For comparison, Apache's mod_reqtimeout (httpd.apache.org/docs/2.4/mod/
# mod_reqtimeout.html) defaults to header=20-40,MinRate=500 body=20,MinRate=500 and its first example is header=10
# body=30; Go services commonly set a ReadHeaderTimeout of 2-30 s.
#: Seconds from connecting (or from the first byte of the next request on a kept-alive connection) to a whole head.
DEFAULT_HEADER_TIMEOUT: Final = 10.0
#: Seconds from the request head to the whole body (at most ``--max-body`` bytes).
DEFAULT_BODY_TIMEOUT: Final = 10.0
#: Seconds an idle kept-alive connection stays open (uvicorn's own default).
DEFAULT_KEEP_ALIVE_TIMEOUT: Final = 5
#: Connections open at once; one more is answered 503 and closed. Each request takes at most the 8 s budget, so
#: 200 carries about 25 requests a second that all wait out the budget, and far more when Genesys answers in time.
DEFAULT_MAX_CONNECTIONS: Final = 200
