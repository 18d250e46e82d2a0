"""``Disposition.to_json_line`` (issue 14: normalize's output built directly) is exactly the line ``json.dumps`` of
``to_json_dict`` writes, for any text a record can hold (quotes, backslashes, control characters,
non-BMP characters, line and paragraph separators)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from wrapup_bridge.core.disposition import Disposition, Media

texts = st.text(st.characters(codec="utf-8"), max_size=20) | st.sampled_from(
    ['"', "\\", "\n\r\t", "\u2028\u2029", "\x00\x1f\x7f", "😀", "Pagé Réalisé"]
)


@settings(max_examples=300, deadline=None)
@given(
    source_id=texts.filter(lambda t: t.strip() != ""),
    code=texts,
    fields=st.dictionaries(texts, texts, max_size=4),
    notes=st.none() | texts,
    agent=st.none() | texts,
    media=st.sampled_from(list(Media)),
    occurred_at=st.none() | st.datetimes(timezones=st.just(UTC)),
    with_conversation=st.booleans(),
)
def test_the_line_is_json_dumps_of_the_dict(
    source_id: str,
    code: str,
    fields: dict[str, str],
    notes: str | None,
    agent: str | None,
    media: Media,
    occurred_at: datetime | None,
    with_conversation: bool,
) -> None:
    record = Disposition(
        source="five9",
        source_id=source_id,
        conversation_id="c0ffee00-0000-4000-8000-000000000001" if with_conversation else None,
        code=code,
        fields=fields,
        notes=notes,
        agent=agent,
        media=media,
        occurred_at=occurred_at,
    )
    line = record.to_json_line()
    assert line == json.dumps(record.to_json_dict(), ensure_ascii=False, default=str)
    assert "\n" not in line and json.loads(line) == record.to_json_dict()


def test_a_record_holding_something_not_text_is_written_as_dumps_writes_it() -> None:
    record = Disposition.model_construct(
        source="five9", source_id="1", conversation_id=None, code="x", fields={"n": 3}, notes=None, agent=None,
        media=Media.VOICE, occurred_at=None,
    )  # fmt: skip
    assert record.to_json_line() == json.dumps(record.to_json_dict(), ensure_ascii=False, default=str)
