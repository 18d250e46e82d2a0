"""Every JSON field our client sends is one the official SDK's models declare (no invented payload keys: the
classic forum mistakes are wrap-up fields at the wrong level and made-up names like ``wrapupCode``)."""

from __future__ import annotations

from typing import Any

import pytest

from wrapup_bridge.core.decision import CodeRef
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.outcome import WrapupTarget
from wrapup_bridge.genesys.paths import MEDIA_PATHS
from wrapup_bridge.genesys.sink import ApplyOptions, wrapup_body, wrapup_request

#: The tests of Genesys's SDK share one worker (``make test`` runs with --dist loadgroup): only that one imports it.
pytestmark = pytest.mark.xdist_group("genesys-sdk")


def sdk() -> Any:
    """Genesys's official SDK (PureCloudPlatformClientV2), imported by the first test that uses it: its import
    takes seconds, which a worker that only collects this module does not pay."""
    import PureCloudPlatformClientV2  # type: ignore[import-untyped]

    return PureCloudPlatformClientV2


CODE = CodeRef(alias="sale", id="0dd6a32c-c059-4534-97bf-c82d73d9c869", name="Sale")
RECORD = Disposition(source="five9", source_id="1", code="Sale", notes="Customer paid by card")


def declared(model: Any) -> set[str]:
    return set(model.attribute_map.values())


@pytest.mark.parametrize("historical", [False, True])
def test_post_body_fields_are_wrapup_input_fields(historical: bool) -> None:
    body = wrapup_body(CODE, RECORD, ApplyOptions(historical=historical))
    assert set(body) <= declared(sdk().WrapupInput()), set(body) - declared(sdk().WrapupInput())
    assert body["code"] == CODE.id  # the id, never the name


@pytest.mark.parametrize("media", list(Media))
def test_requests_use_paths_the_sdk_has(media: Media) -> None:
    target = WrapupTarget(
        conversation_id="c",
        participant_id="p",
        communication_id="m",
        media=media,
        media_path=MEDIA_PATHS[media],
    )
    method, path, body = wrapup_request(target, wrapup_body(CODE, RECORD, ApplyOptions()), "post")
    segment = MEDIA_PATHS[media].removesuffix("s")
    sdk_method = getattr(sdk().ConversationsApi, f"post_conversations_{segment}_participant_communication_wrapup")
    assert method == "POST" and callable(sdk_method)
    assert path == f"/api/v2/conversations/{MEDIA_PATHS[media]}/c/participants/p/communications/m/wrapup"
    method, path, body = wrapup_request(target, wrapup_body(CODE, RECORD, ApplyOptions()), "patch")
    assert (method, path) == ("PATCH", "/api/v2/conversations/c/participants/p")
    assert set(body) <= declared(sdk().MediaParticipantRequest())
    assert set(body["wrapup"]) <= declared(sdk().WrapupInput())
