"""genesys.credentials: a pool's OAuth clients from numbered GENESYSCLOUD_* variables or a credentials file; every
mistake names the variable or file:line, and no message, repr or str carries a secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from wrapup_bridge.genesys.credentials import ClientCredentials, clients_from_file, clients_from_variables
from wrapup_bridge.genesys.settings import SettingsError

SECRET = "s3cr3t-value-never-shown"


def env(**pairs: str) -> dict[str, str]:
    return {f"GENESYSCLOUD_OAUTHCLIENT_{k}": v for k, v in pairs.items()}


def ids(clients: tuple[ClientCredentials, ...]) -> list[tuple[str, str, str]]:
    return [(c.client_id, c.client_secret.get_secret_value(), c.source) for c in clients]


def test_the_first_client_then_the_numbered_pairs_in_order_of_their_number() -> None:
    clients = clients_from_variables(
        env(ID="a", SECRET="sa", ID_10="j", SECRET_10="sj", ID_2="b", SECRET_2="sb", ID_3=" c ", SECRET_3="sc")
        | {"GENESYSCLOUD_REGION": "eu-west-1"}
    )
    assert ids(clients) == [
        ("a", "sa", "GENESYSCLOUD_OAUTHCLIENT_ID"),
        ("b", "sb", "GENESYSCLOUD_OAUTHCLIENT_ID_2"),
        ("c", "sc", "GENESYSCLOUD_OAUTHCLIENT_ID_3"),
        ("j", "sj", "GENESYSCLOUD_OAUTHCLIENT_ID_10"),
    ]


def test_no_client_set_is_no_pool() -> None:
    assert clients_from_variables({"GENESYSCLOUD_REGION": "eu-west-1"}) == ()


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        (env(ID="a", SECRET="sa", ID_2="b"), "GENESYSCLOUD_OAUTHCLIENT_SECRET_2 not set"),
        (env(ID="a", SECRET="sa", SECRET_2="sb"), "GENESYSCLOUD_OAUTHCLIENT_ID_2 not set"),
        (env(ID="a", SECRET="sa", ID_2="b", SECRET_2="  "), "GENESYSCLOUD_OAUTHCLIENT_SECRET_2 not set"),
        (env(ID_2="b", SECRET_2="sb"), "GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET not set"),
        (env(ID="a", SECRET="sa", ID2="b", SECRET2="sb"), "GENESYSCLOUD_OAUTHCLIENT_ID2: not a pool entry"),
        (env(ID="a", SECRET="sa", ID_X="b"), "GENESYSCLOUD_OAUTHCLIENT_ID_X: not a pool entry"),
        (
            env(ID="a", SECRET="sa", ID_2="a", SECRET_2="sb"),
            "GENESYSCLOUD_OAUTHCLIENT_ID_2: OAuth client 'a' is already",
        ),
    ],
)
def test_a_mistake_in_the_variables_names_the_variable(variables: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as caught:
        clients_from_variables(variables)
    assert named in str(caught.value)
    assert not any(v in str(caught.value) for k, v in variables.items() if "SECRET" in k and v.strip())


def test_the_file_lists_clients_at_the_top_or_under_clients(tmp_path: Path) -> None:
    top = tmp_path / "top.yaml"
    top.write_text(f"- id: a\n  secret: {SECRET}\n- {{client_id: b, client_secret: '007'}}\n", encoding="utf-8")
    under = tmp_path / "under.json"
    under.write_text('{"clients": [{"id": "a", "secret": "x"}, {"id": "b", "secret": "y"}]}', encoding="utf-8")
    assert ids(clients_from_file(top)) == [("a", SECRET, f"{top}:1"), ("b", "007", f"{top}:3")]
    assert [c.client_id for c in clients_from_file(under)] == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        (f"- id: a\n  secret: {SECRET}\n- id: b\n", ":3", "has no secret"),
        (f"- id: a\n  secret: {SECRET}\n  scope: all\n", ":3", "unknown key 'scope'"),
        (f"- id: a\n  secret: {SECRET}\n- id: a\n  secret: other\n", ":3", "'a' is already listed on line 1"),
        (f"- id: a\n  secret: [{SECRET}]\n", ":2", "the secret must be text"),
        (f"- id: a\n  secret: {SECRET}\n  client_secret: {SECRET}\n", ":3", "secret and client_secret both given"),
        (f"clients:\n  - id: a\n    secret: {SECRET}\nregion: x\n", ":4", "unknown key 'region'"),
        ("clients: []\n", ":1", "expected a list of OAuth clients"),
        ("just text\n", ":1", "expected a list of OAuth clients"),
        (f"- id: a\n  secret: {SECRET}\n- [\n", ":4:1", "not valid YAML or JSON"),
        (f"- id: a\n  secret: {SECRET}: oops\n", ":2", "not valid YAML or JSON"),
        (f"- id: a\n  id: b\n  secret: {SECRET}\n", ":2", "duplicate"),
    ],
)
def test_a_mistake_in_the_file_names_file_and_line_and_never_the_secret(
    tmp_path: Path, text: str, where: str, says: str
) -> None:
    path = tmp_path / "clients.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        clients_from_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}{where}"), message
    assert says in message
    assert SECRET not in message and SECRET not in repr(caught.value)


def test_a_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"clients\.yaml: the OAuth clients file is not there"):
        clients_from_file(tmp_path / "clients.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"- id: \xff\n")
    with pytest.raises(SettingsError, match=r"binary\.yaml: not UTF-8 text"):
        clients_from_file(binary)


def test_credentials_print_without_the_secret() -> None:
    client = ClientCredentials("a", SecretStr(SECRET), "GENESYSCLOUD_OAUTHCLIENT_ID_2")
    for shown in (repr(client), str(client), f"{client}", repr([client])):
        assert SECRET not in shown and "'a'" in shown and "GENESYSCLOUD_OAUTHCLIENT_ID_2" in shown
