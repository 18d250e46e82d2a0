"""Twilio source adapter: Flex task attributes, TaskRouter events, Voice status/AMD callbacks, Flex Insights CSV
exports and Agent Copilot wrap-up webhooks, each read by its own module into ``Disposition`` records.

The registry imports ``TwilioAdapter`` from here; ``FORMATS`` lists the ``--format`` names.
"""

from __future__ import annotations

from wrapup_bridge.adapters.twilio.adapter import FORMATS, TwilioAdapter

__all__ = ["FORMATS", "TwilioAdapter"]
