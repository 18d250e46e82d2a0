"""services.settings and services.target for a pool of OAuth clients: which clients the environment and a
credentials file name, the org-wide ceiling's variable, and the pooled target (its clients, identities and
description)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.cli.replay_scenario import make_org, pool_clients
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.genesys.pool import ClientPool
from wrapup_bridge.genesys.settings import SettingsError
from wrapup_bridge.services.settings import BadSetting, Settings
from wrapup_bridge.services.target import build_target, connect

BASE = {"GENESYSCLOUD_REGION": "eu-west-1"}
FIRST = {"GENESYSCLOUD_OAUTHCLIENT_ID": "a", "GENESYSCLOUD_OAUTHCLIENT_SECRET": "sa"}
SECOND = {"GENESYSCLOUD_OAUTHCLIENT_ID_2": "b", "GENESYSCLOUD_OAUTHCLIENT_SECRET_2": "sb"}


def clients_file(folder: Path, *pairs: tuple[str, str]) -> Path:
    path = folder / "clients.yaml"
    path.write_text("clients:\n" + "".join(f"  - id: {i}\n    secret: {s}\n" for i, s in pairs), encoding="utf-8")
    return path


def test_the_pool_is_the_variables_clients_then_the_files(tmp_path: Path) -> None:
    path = clients_file(tmp_path, ("c", "sc"), ("a", "sa"), ("d", "sd"))
    settings = Settings.from_env({**BASE, **FIRST, **SECOND, "WRAPUP_BRIDGE_OAUTH_CLIENTS": str(path)})
    clients = settings.oauth_clients()
    # 'a' is in both with the same secret: once, where the variables put it.
    assert [(c.client_id, c.source) for c in clients] == [
        ("a", "GENESYSCLOUD_OAUTHCLIENT_ID"),
        ("b", "GENESYSCLOUD_OAUTHCLIENT_ID_2"),
        ("c", f"{path}:2"),
        ("d", f"{path}:6"),
    ]
    genesys, pooled = settings.genesys_pool(budget=30.0)
    assert genesys.client_id == "a" and genesys.budget == 30.0 and genesys.region.api_host == "api.mypurecloud.ie"
    assert pooled == clients


def test_a_client_in_the_file_with_another_secret_than_the_variables_is_refused(tmp_path: Path) -> None:
    path = clients_file(tmp_path, ("a", "other-secret"))
    settings = Settings.from_env({**BASE, **FIRST}).with_clients_file(path)
    with pytest.raises(SettingsError) as caught:
        settings.oauth_clients()
    assert str(caught.value) == (
        f"{path}:2: OAuth client 'a' is also GENESYSCLOUD_OAUTHCLIENT_ID, with another secret; keep one"
    )


def test_a_credentials_file_alone_is_genesys_credentials(tmp_path: Path) -> None:
    path = clients_file(tmp_path, ("c", "sc"), ("d", "sd"))
    settings = Settings.from_env(BASE).with_clients_file(path)
    assert Settings.from_env(BASE).has_genesys_credentials is False
    assert settings.has_genesys_credentials is True and settings.clients_file == path
    assert settings.genesys().client_id == "c"  # every command: the file's first client
    genesys, pooled = settings.genesys_pool()
    assert genesys.client_id == "c" and [c.client_id for c in pooled] == ["c", "d"]
    assert settings.with_clients_file(None) is settings


def test_one_client_is_a_pool_of_one() -> None:
    _, pooled = Settings.from_env({**BASE, **FIRST}).genesys_pool()
    assert [(c.client_id, c.client_secret.get_secret_value()) for c in pooled] == [("a", "sa")]
    with pytest.raises(SettingsError, match="GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET not set"):
        Settings.from_env(BASE).genesys_pool()


def test_the_org_ceiling_variable() -> None:
    settings = Settings.from_env({**BASE, **FIRST, "WRAPUP_BRIDGE_ORG_RATE_LIMIT": "450"})
    assert settings.org_rate_limit == 450.0
    assert settings.genesys().org_rate_per_minute == 450.0
    assert settings.genesys_pool()[0].org_rate_per_minute == 450.0
    assert settings.genesys(org_rate_per_minute=100.0).org_rate_per_minute == 100.0  # an explicit override wins
    assert Settings.from_env({**BASE, **FIRST}).genesys().org_rate_per_minute is None
    for value, says in (
        ("fast", "is not a number"),
        ("0", "is not a positive number"),
        ("inf", "is not a positive number"),
    ):
        with pytest.raises(BadSetting, match=f"WRAPUP_BRIDGE_ORG_RATE_LIMIT: '{value}' {says}"):
            _ = Settings.from_env({"WRAPUP_BRIDGE_ORG_RATE_LIMIT": value}).org_rate_limit


def test_a_genesys_pool_target() -> None:
    settings = Settings.from_env({**BASE, **FIRST, **SECOND})
    single = build_target("genesys", settings=settings)
    assert single.clients == () and single.identities == (single.identity,)
    assert type(single.client()).__name__ == "GenesysClient"
    pooled = build_target("genesys", settings=settings, pool=True, org_rate_per_minute=500.0)
    assert [c.client_id for c in pooled.clients] == ["a", "b"]
    assert pooled.identity == single.identity == "genesys https://api.mypurecloud.ie client a"
    assert pooled.identities == (pooled.identity, "genesys https://api.mypurecloud.ie client b")
    assert pooled.description.endswith(", with 2 OAuth clients (a, b)")
    client = pooled.client()
    assert isinstance(client, ClientPool) and client.size == 2 and client.cap.max_rate_per_minute == 500.0
    asyncio.run(client.aclose())
    with pytest.raises(ValueError, match="clients names the emulator's"):
        build_target("genesys", settings=settings, clients=["a"])


def test_an_emulator_pool_target_from_the_org_or_a_file(tmp_path: Path) -> None:
    emulator = Emulator(make_org(2, clients=3), EmulatorConfig(rate_limit=None))
    by_id = build_target("emulator", emulator, clients=["pool-2", "demo-client"])
    assert by_id.settings.client_id == "pool-2" and [c.client_id for c in by_id.clients] == ["pool-2", "demo-client"]
    assert by_id.identities == (by_id.identity,)  # the emulator's identity is its org file's
    with pytest.raises(ValueError, match="no OAuth client 'pool-9'"):
        build_target("emulator", emulator, clients=["pool-9"])
    path = clients_file(tmp_path, *pool_clients(3)[1:])
    from_file = build_target("emulator", emulator, pool=True, settings=Settings.from_env({}).with_clients_file(path))
    assert [c.client_id for c in from_file.clients] == ["pool-2", "pool-3"]
    alone = build_target("emulator", emulator, pool=True, settings=Settings.from_env({}))
    assert [c.client_id for c in alone.clients] == ["demo-client"] and "OAuth clients" not in alone.description


def test_connect_to_a_pool_logs_every_client_in_and_names_one_refused(tmp_path: Path) -> None:
    emulator = Emulator(make_org(2, clients=3), EmulatorConfig(rate_limit=None))
    good = clients_file(tmp_path, *pool_clients(3))

    async def go(path: Path) -> list[int]:
        settings = Settings.from_env({}).with_clients_file(path)
        async with connect("emulator", emulator, settings=settings, pool=True) as connection:
            assert connection.pool_size == 3
            assert connection.answers_to(connection.identity) and not connection.answers_to("genesys x client y")
            return [member.auth.fetches for member in connection.client.members]  # type: ignore[attr-defined]

    assert asyncio.run(go(good)) == [1, 1, 1]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: demo-client, secret: demo-secret}\n- {id: pool-2, secret: wrong-secret}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        asyncio.run(go(bad))
    assert str(caught.value).startswith(f"{bad}:2: OAuth client 'pool-2' of the pool was refused")
    assert "wrong-secret" not in str(caught.value)
