"""The OAuth clients of a pool: from repeated ``GENESYSCLOUD_*`` entries or from a credentials file.

One client-credentials token is limited to about 300 requests per minute (reference §6.3), so a replay of a
million dispositions takes days on one OAuth client; several clients of the same org each get their own token and
budget (``genesys.pool``). They are described in one of two ways:

- the environment: ``GENESYSCLOUD_OAUTHCLIENT_ID`` / ``_SECRET`` (the one client Genesys's CLI and Terraform
  provider read, always the pool's first) and numbered pairs ``GENESYSCLOUD_OAUTHCLIENT_ID_2`` /
  ``GENESYSCLOUD_OAUTHCLIENT_SECRET_2``, ``_3``, ... (any whole numbers, in their order);
- a credentials file (YAML, or JSON, which YAML reads): a list of ``{id, secret}``, at the top or under
  ``clients:``. It names only clients; the region still comes from ``GENESYSCLOUD_REGION`` / ``_API_BASE``.

Secrets are ``SecretStr`` from the moment they are read: no repr, log line or error message of this module carries
one, including the messages about the file (a YAML syntax error is reported by line and column only, because the
parser's own message quotes the text around the mistake, which may be a secret).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr

from wrapup_bridge.core.limits import NestingError
from wrapup_bridge.core.yamlsource import locate_yaml
from wrapup_bridge.genesys.settings import SettingsError

__all__ = ["ID_VARIABLE", "SECRET_VARIABLE", "ClientCredentials", "clients_from_file", "clients_from_variables"]

ID_VARIABLE = "GENESYSCLOUD_OAUTHCLIENT_ID"
SECRET_VARIABLE = "GENESYSCLOUD_OAUTHCLIENT_SECRET"
_NUMBERED = re.compile(rf"^(?:{ID_VARIABLE}|{SECRET_VARIABLE})_(\d+)$")
#: Keys of one client in a credentials file (``client_id``/``client_secret``: the spelling of org files and of
#: Genesys's own OAuth client objects).
_ID_KEYS = ("id", "client_id")
_SECRET_KEYS = ("secret", "client_secret")
#: A credentials file larger than this is not a list of OAuth clients.
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class ClientCredentials:
    """One OAuth client: its id (not a secret), its secret, and where they were read (a variable, ``file:line``),
    which messages name instead of the secret. Prints without the secret."""

    client_id: str
    client_secret: SecretStr = field(repr=False)
    source: str = ""

    def __repr__(self) -> str:
        return f"ClientCredentials({self.client_id!r}, <secret>, source={self.source!r})"

    __str__ = __repr__


def clients_from_variables(source: Mapping[str, str]) -> tuple[ClientCredentials, ...]:
    """The pool the variables of ``source`` describe: ``GENESYSCLOUD_OAUTHCLIENT_ID``/``_SECRET`` first, then each
    numbered pair in order of its number. Raises ``SettingsError`` naming the variable that is missing, blank, or
    holds an id already given by another; () when no client id is set at all."""
    numbered: dict[int, dict[str, str]] = {}
    for name, value in source.items():
        if not name.startswith((ID_VARIABLE, SECRET_VARIABLE)) or name in (ID_VARIABLE, SECRET_VARIABLE):
            continue
        match = _NUMBERED.match(name)
        if match is None:
            raise SettingsError(
                f"{name}: not a pool entry; number the pairs after the first GENESYSCLOUD_OAUTHCLIENT_ID_2 and "
                "GENESYSCLOUD_OAUTHCLIENT_SECRET_2, _3, ..."
            )
        kind = "id" if name.startswith(ID_VARIABLE + "_") else "secret"
        numbered.setdefault(int(match.group(1)), {})[kind] = value
    primary_id = source.get(ID_VARIABLE, "").strip()
    if not primary_id and not source.get(SECRET_VARIABLE, "").strip() and not numbered:
        return ()
    pairs: list[tuple[str, str, str, str]] = [
        (ID_VARIABLE, SECRET_VARIABLE, primary_id, source.get(SECRET_VARIABLE, ""))
    ]
    for number in sorted(numbered):
        entry = numbered[number]
        pairs.append(
            (
                f"{ID_VARIABLE}_{number}",
                f"{SECRET_VARIABLE}_{number}",
                entry.get("id", "").strip(),
                entry.get("secret", ""),
            )
        )
    clients: list[ClientCredentials] = []
    seen: dict[str, str] = {}
    for id_name, secret_name, client_id, secret in pairs:
        missing = [name for name, value in ((id_name, client_id), (secret_name, secret.strip())) if not value]
        if missing:
            raise SettingsError(
                f"{' and '.join(missing)} not set"
                + ("" if id_name == ID_VARIABLE else f" (every pool entry needs both {id_name} and {secret_name})")
                + ": create an OAuth client with the Client Credentials grant in Genesys Cloud (Admin > Integrations "
                "> OAuth) and export its id and secret"
            )
        if client_id in seen:
            raise SettingsError(
                f"{id_name}: OAuth client {client_id!r} is already {seen[client_id]}; each client of a pool must be "
                "another OAuth client (the rate limit is per client's token)"
            )
        seen[client_id] = id_name
        clients.append(ClientCredentials(client_id, SecretStr(secret), id_name))
    return tuple(clients)


def clients_from_file(path: str | Path) -> tuple[ClientCredentials, ...]:
    """The OAuth clients a credentials file lists, in order. Raises ``SettingsError`` naming ``file:line`` (and
    never quoting a secret) when it cannot be read or is not a list of ``{id, secret}``."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SettingsError(f"{path}: {size} bytes is too large for a list of OAuth clients")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"{path}: the OAuth clients file is not there") from None
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    try:
        located = locate_yaml(text)
    except yaml.MarkedYAMLError as exc:
        # The parser's own message quotes the text around the mistake, which may be a secret: say where only.
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        raise SettingsError(f"{where}: not valid YAML or JSON ({exc.problem or 'syntax error'})") from None
    except (yaml.YAMLError, NestingError):
        raise SettingsError(f"{path}: not valid YAML or JSON") from None
    if located.problems:
        problem = located.problems[0]
        raise SettingsError(f"{path}:{problem.line}: {problem.message}")
    value = located.value
    entries_path: tuple[str | int, ...] = ()
    if isinstance(value, Mapping):
        unknown = [key for key in value if key != "clients"]
        if unknown:
            raise SettingsError(
                f"{path}:{located.line_of((unknown[0],))}: unknown key {unknown[0]!r} (expected 'clients')"
            )
        value, entries_path = value.get("clients"), ("clients",)
    if not isinstance(value, Sequence) or isinstance(value, str) or not value:
        raise SettingsError(
            f"{path}:{located.line_of(entries_path)}: expected a list of OAuth clients, each {{id: ..., secret: ...}}"
        )
    clients: list[ClientCredentials] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(value):
        here: tuple[str | int, ...] = (*entries_path, index)
        line = located.line_of(here)

        def line_of(key: str, here: tuple[str | int, ...] = here) -> int:
            return located.line_of((*here, key))

        client = _client(entry, f"{path}:{line}", line_of, path)
        if client.client_id in seen:
            raise SettingsError(
                f"{path}:{line}: OAuth client {client.client_id!r} is already listed on line {seen[client.client_id]}"
            )
        seen[client.client_id] = line
        clients.append(client)
    return tuple(clients)


def _client(entry: Any, where: str, line_of: Callable[[str], int], path: Path) -> ClientCredentials:
    if not isinstance(entry, Mapping):
        raise SettingsError(f"{where}: expected {{id: ..., secret: ...}} for an OAuth client")
    for key in entry:
        if key not in _ID_KEYS + _SECRET_KEYS:
            raise SettingsError(f"{path}:{line_of(key)}: unknown key {key!r} (an OAuth client has id and secret)")
    values: dict[str, str] = {}
    for kind, keys in (("id", _ID_KEYS), ("secret", _SECRET_KEYS)):
        given = [key for key in keys if key in entry]
        if len(given) > 1:
            raise SettingsError(f"{path}:{line_of(given[1])}: {given[0]} and {given[1]} both given; keep one")
        raw = entry.get(given[0]) if given else None
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise SettingsError(f"{where}: the OAuth client has no {kind}")
        if not isinstance(raw, str):
            raise SettingsError(f"{path}:{line_of(given[0])}: the {kind} must be text")
        values[kind] = raw
    return ClientCredentials(values["id"].strip(), SecretStr(values["secret"]), where)
