"""Org files with a ``generate:`` block, for the generated-conversation tests and ``benchmarks/emulator.py``: the
week org's catalog (two queues with their numbers, four agents, the demo client) and a month of calls in New York
time, which has a daylight-saving switch on 2026-03-08 (and ``period`` can be moved over the November one).

``generated_org_text(count)`` is the YAML a person would write; ``generated_org_dict`` the same as parsed data.
"""

from __future__ import annotations

from typing import Any

import yaml

from tests.emulator.week_org import week_org_dict

__all__ = ["PREFIX", "SUPPORT", "generate_block", "generated_id", "generated_org_dict", "generated_org_text"]

SUPPORT = "32f46174-fc86-4b1c-a519-6bd0bcde15a0"
PREFIX = "6e0e0000-0000-4000-8000"
#: A contact center's week: quiet nights and weekends, busy from 8 to 17 local time.
HOURLY = [0.05] * 6 + [0.3, 0.6] + [1.0] * 9 + [0.8, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05]
DAILY = [1.0, 1.0, 1.0, 1.0, 1.0, 0.4, 0.2]


def generated_id(n: int) -> str:
    return f"{PREFIX}-{n:012d}"


def generate_block(count: int, **overrides: Any) -> dict[str, Any]:
    """A month of calls (March 2026, New York time): ``overrides`` replace keys of the block."""
    block: dict[str, Any] = {
        "seed": 14,
        "count": count,
        "id_prefix": PREFIX,
        "period": {"start": "2026-03-01T00:00:00-05:00", "end": "2026-04-01T00:00:00-04:00"},
        "timezone": "America/New_York",
        "daily": DAILY,
        "hourly": HOURLY,
        "duration": {"min_seconds": 20, "mean_seconds": 240, "max_seconds": 3600},
        "media": {"voice": 0.85, "email": 0.06, "message": 0.09},
        "outbound": 0.2,
        "queues": {
            "Billing": {"weight": 2, "number": "tel:+18005550100"},
            "Support": {"weight": 1, "number": "tel:+18005550200"},
        },
        "unanswered": 0.03,
        "wrapped": 0.1,
        "customers": max(1, count // 5),
        "attributes": {"legacyCallId": "L{n:08d}"},
        "external_tag": "legacy-{n}",
        "tagged": 0.33,
    }
    block.update(overrides)
    return block


def generated_org_dict(count: int, listed: int = 0, **overrides: Any) -> dict[str, Any]:
    """The org file's data: the week org's catalog with ``listed`` conversations (its own ids) and the block."""
    data = week_org_dict(max(listed, 1))
    data["name"] = f"generated month org ({count} conversations, emulator)"
    if not listed:
        data["conversations"] = []
    data["generate"] = generate_block(count, **overrides)
    return data


def generated_org_text(count: int, listed: int = 0, **overrides: Any) -> str:
    """The org file as YAML text (times as ISO strings, which the org file reads as zoned times)."""
    return yaml.safe_dump(generated_org_dict(count, listed, **overrides), sort_keys=False, width=120)
