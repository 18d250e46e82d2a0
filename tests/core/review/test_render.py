"""The report renderers' escaping (core.review.render_md); the rendered reports are tested through
``mapping report`` in tests/cli/test_mapping_report.py."""

from __future__ import annotations

from wrapup_bridge.core.review.render_md import md_escape


def test_markdown_escape_neutralises_table_and_markup() -> None:
    assert md_escape("a|b\n<i>*x*</i>") == "a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt;"
