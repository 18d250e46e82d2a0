from __future__ import annotations

import logging

import pytest

from wrapup_bridge.genesys.settings import GenesysSettings, SettingsError

SECRET = "very-secret-value-123"
ENV = {
    "GENESYSCLOUD_OAUTHCLIENT_ID": "client-abc",
    "GENESYSCLOUD_OAUTHCLIENT_SECRET": SECRET,
    "GENESYSCLOUD_REGION": "eu-west-1",
}


def test_reads_the_cli_and_terraform_variables() -> None:
    settings = GenesysSettings.from_variables(ENV)
    assert settings.client_id == "client-abc"
    assert settings.client_secret.get_secret_value() == SECRET
    assert settings.region.name == "eu_west_1"
    assert settings.region.login_base == "https://login.mypurecloud.ie"
    assert settings.budget == 8.0


def test_reads_os_environ_through_the_settings_object(monkeypatch: pytest.MonkeyPatch) -> None:
    from wrapup_bridge.services.settings import Settings

    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GENESYSCLOUD_REGION", "mypurecloud.de")
    assert Settings.from_env().genesys().region.name == "eu_central_1"


def test_region_defaults_to_us_east_1_like_genesys_tools() -> None:
    env = {k: v for k, v in ENV.items() if k != "GENESYSCLOUD_REGION"}
    assert GenesysSettings.from_variables(env).region.api_base == "https://api.mypurecloud.com"


def test_base_overrides() -> None:
    settings = GenesysSettings.from_variables({**ENV, "GENESYSCLOUD_API_BASE": "http://127.0.0.1:8089"})
    assert settings.region.is_custom
    assert settings.region.api_base == settings.region.login_base == "http://127.0.0.1:8089"
    settings = GenesysSettings.from_variables({**ENV, "GENESYSCLOUD_LOGIN_BASE": "http://127.0.0.1:7000"})
    assert settings.region.api_base == "https://api.mypurecloud.ie"
    assert settings.region.login_base == "http://127.0.0.1:7000"


def test_overrides_pass_through() -> None:
    assert GenesysSettings.from_variables(ENV, budget=120.0).budget == 120.0


def test_secret_never_in_repr_str_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    settings = GenesysSettings.from_variables(ENV)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("settings: %s %r", settings, settings)
    for text in (repr(settings), str(settings), caplog.text, settings.model_dump_json()):
        assert SECRET not in text
    assert "client-abc" in repr(settings)


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("GENESYSCLOUD_OAUTHCLIENT_ID", "GENESYSCLOUD_OAUTHCLIENT_ID"),
        ("GENESYSCLOUD_OAUTHCLIENT_SECRET", "GENESYSCLOUD_OAUTHCLIENT_SECRET"),
    ],
)
def test_missing_credentials_name_the_variable(missing: str, named: str) -> None:
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(SettingsError, match=named):
        GenesysSettings.from_variables(env)


def test_bad_region_names_the_variable_and_never_the_secret() -> None:
    with pytest.raises(SettingsError) as caught:
        GenesysSettings.from_variables({**ENV, "GENESYSCLOUD_REGION": "moon-1"})
    assert "GENESYSCLOUD_REGION" in str(caught.value)
    assert "eu-west-1" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert "GENESYSCLOUD_" in caught.value.explain()


def test_user_agent_names_the_tool_and_version() -> None:
    from wrapup_bridge import __version__

    assert GenesysSettings.from_variables(ENV).effective_user_agent == f"wrapup-bridge/{__version__}"
