"""Genesys Cloud regions: which API and login hosts an org lives on.

An OAuth client exists in exactly one region, so a wrong region looks exactly like a wrong secret (the login
host answers 401). Users name regions the way Genesys's own CLI and Terraform provider taught them
(``us-east-1``), the way the Python SDK spells them (``us_east_1``), or by host (``mypurecloud.ie``); all of
these resolve here, and an explicit ``http(s)://`` base URL (the emulator, a test server, a proxy) is used for
both the API and the login host.

Source: ``PureCloudRegionHosts`` of PureCloudPlatformClientV2 269.0.0 (reference/genesys-cloud-api.md §6.1);
the login host is the API host with ``api.`` replaced by ``login.``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from wrapup_bridge.genesys.errors import ConfigurationError

__all__ = ["REGIONS", "Region", "UnknownRegionError", "resolve_region"]

#: Region name (SDK enum spelling) -> API host.
REGIONS: dict[str, str] = {
    "us_east_1": "api.mypurecloud.com",
    "us_east_2": "api.use2.us-gov-pure.cloud",
    "us_west_2": "api.usw2.pure.cloud",
    "ca_central_1": "api.cac1.pure.cloud",
    "sa_east_1": "api.sae1.pure.cloud",
    "mx_central_1": "api.mxc1.pure.cloud",
    "eu_west_1": "api.mypurecloud.ie",
    "eu_west_2": "api.euw2.pure.cloud",
    "eu_central_1": "api.mypurecloud.de",
    "eu_central_2": "api.euc2.pure.cloud",
    "eusc_de_east_1": "api.edee1.eusc-pure.cloud",
    "me_central_1": "api.mec1.pure.cloud",
    "ap_south_1": "api.aps1.pure.cloud",
    "ap_southeast_1": "api.apse1.pure.cloud",
    "ap_southeast_2": "api.mypurecloud.com.au",
    "ap_northeast_1": "api.mypurecloud.jp",
    "ap_northeast_2": "api.apne2.pure.cloud",
    "ap_northeast_3": "api.apne3.pure.cloud",
}

#: Domain (API host without ``api.``) -> region name, for resolving hosts.
_BY_DOMAIN: dict[str, str] = {host.removeprefix("api."): name for name, host in REGIONS.items()}

# Domains that only Genesys uses: a host under one of them that is not in the table is a typo, not a proxy.
_GENESYS_SUFFIXES = ("pure.cloud", "pure-cloud", "mypurecloud", "inindca.com", "inintca.com")

EMULATOR_REGION = "custom"


class UnknownRegionError(ConfigurationError):
    """A region value matched no region name, no Genesys host and is not an explicit base URL."""


@dataclass(frozen=True, slots=True)
class Region:
    """Where the API and the OAuth token endpoint are.

    ``name`` is the SDK enum spelling for a Genesys region, or ``"custom"`` for an explicit base URL (the
    emulator); ``is_custom`` tells output to say the target is not Genesys.
    """

    name: str
    api_base: str
    login_base: str

    @property
    def is_custom(self) -> bool:
        return self.name == EMULATOR_REGION

    @property
    def api_host(self) -> str:
        return urlsplit(self.api_base).netloc

    @property
    def login_host(self) -> str:
        return urlsplit(self.login_base).netloc

    def with_bases(self, api_base: str | None = None, login_base: str | None = None) -> Region:
        """This region with explicit base URL overrides (``GENESYSCLOUD_API_BASE`` / ``_LOGIN_BASE``)."""
        api = _clean_base(api_base) if api_base else self.api_base
        login = _clean_base(login_base) if login_base else self.login_base
        if api == self.api_base and login == self.login_base:
            return self
        return Region(name=EMULATOR_REGION, api_base=api, login_base=login)


def _for_name(name: str) -> Region:
    host = REGIONS[name]
    return Region(name=name, api_base=f"https://{host}", login_base=f"https://login.{host.removeprefix('api.')}")


def _clean_base(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UnknownRegionError(f"{url!r} is not a base URL: expected http(s)://host[:port][/prefix]")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _unknown(value: str, why: str) -> UnknownRegionError:
    names = ", ".join(name.replace("_", "-") for name in REGIONS)
    return UnknownRegionError(
        f"unknown Genesys Cloud region {value!r} ({why}). Use a region name ({names}), an API host such as "
        "mypurecloud.ie, or an explicit base URL such as http://127.0.0.1:8089 for the emulator."
    )


def resolve_region(value: str) -> Region:
    """Resolve a region name, a Genesys host or an explicit base URL; raise ``UnknownRegionError`` otherwise."""
    text = value.strip()
    if not text:
        raise _unknown(value, "empty")
    name = text.lower().replace("-", "_")
    if name in REGIONS:
        return _for_name(name)

    has_scheme = "://" in text
    parts = urlsplit(text if has_scheme else f"https://{text}")
    host = (parts.hostname or "").lower().rstrip(".")
    domain = host
    for prefix in ("api.", "login.", "apps."):
        if domain.startswith(prefix):
            domain = domain.removeprefix(prefix)
            break
    if domain in _BY_DOMAIN and parts.port is None and parts.path.strip("/") == "":
        if has_scheme and parts.scheme != "https":
            raise _unknown(value, "Genesys Cloud hosts are served over https only")
        return _for_name(_BY_DOMAIN[domain])
    if any(suffix in host for suffix in _GENESYS_SUFFIXES):
        raise _unknown(value, f"{host!r} looks like a Genesys Cloud host but is not one of its regions")
    if not has_scheme:
        raise _unknown(value, "not a region name or Genesys host; give an emulator or proxy as a full http(s):// URL")
    base = _clean_base(text)
    return Region(name=EMULATOR_REGION, api_base=base, login_base=base)
