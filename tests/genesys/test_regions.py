from __future__ import annotations

import pytest

from wrapup_bridge.genesys.errors import ConfigurationError, GenesysError
from wrapup_bridge.genesys.regions import REGIONS, UnknownRegionError, resolve_region

# The table of reference/genesys-cloud-api.md §6.1, copied independently of the module under test.
TABLE = [
    ("us_east_1", "api.mypurecloud.com", "login.mypurecloud.com"),
    ("us_east_2", "api.use2.us-gov-pure.cloud", "login.use2.us-gov-pure.cloud"),
    ("us_west_2", "api.usw2.pure.cloud", "login.usw2.pure.cloud"),
    ("ca_central_1", "api.cac1.pure.cloud", "login.cac1.pure.cloud"),
    ("sa_east_1", "api.sae1.pure.cloud", "login.sae1.pure.cloud"),
    ("mx_central_1", "api.mxc1.pure.cloud", "login.mxc1.pure.cloud"),
    ("eu_west_1", "api.mypurecloud.ie", "login.mypurecloud.ie"),
    ("eu_west_2", "api.euw2.pure.cloud", "login.euw2.pure.cloud"),
    ("eu_central_1", "api.mypurecloud.de", "login.mypurecloud.de"),
    ("eu_central_2", "api.euc2.pure.cloud", "login.euc2.pure.cloud"),
    ("eusc_de_east_1", "api.edee1.eusc-pure.cloud", "login.edee1.eusc-pure.cloud"),
    ("me_central_1", "api.mec1.pure.cloud", "login.mec1.pure.cloud"),
    ("ap_south_1", "api.aps1.pure.cloud", "login.aps1.pure.cloud"),
    ("ap_southeast_1", "api.apse1.pure.cloud", "login.apse1.pure.cloud"),
    ("ap_southeast_2", "api.mypurecloud.com.au", "login.mypurecloud.com.au"),
    ("ap_northeast_1", "api.mypurecloud.jp", "login.mypurecloud.jp"),
    ("ap_northeast_2", "api.apne2.pure.cloud", "login.apne2.pure.cloud"),
    ("ap_northeast_3", "api.apne3.pure.cloud", "login.apne3.pure.cloud"),
]


def test_table_is_complete() -> None:
    assert {name for name, _, _ in TABLE} == set(REGIONS)


@pytest.mark.parametrize(("name", "api", "login"), TABLE)
def test_every_region_resolves_by_every_spelling(name: str, api: str, login: str) -> None:
    domain = api.removeprefix("api.")
    spellings = [
        name,
        name.replace("_", "-"),
        name.upper(),
        f" {name.replace('_', '-')} ",
        domain,
        api,
        login,
        f"https://{api}",
        f"https://{api}/",
        f"https://{domain}",
    ]
    for spelling in spellings:
        region = resolve_region(spelling)
        assert region.name == name, spelling
        assert region.api_base == f"https://{api}", spelling
        assert region.login_base == f"https://{login}", spelling
        assert not region.is_custom


@pytest.mark.parametrize(
    ("value", "base"),
    [
        ("http://127.0.0.1:8089", "http://127.0.0.1:8089"),
        ("http://127.0.0.1:8089/", "http://127.0.0.1:8089"),
        ("http://localhost:9000/genesys/", "http://localhost:9000/genesys"),
        ("https://proxy.internal.example", "https://proxy.internal.example"),
    ],
)
def test_explicit_base_url_is_both_api_and_login(value: str, base: str) -> None:
    region = resolve_region(value)
    assert region.is_custom
    assert region.api_base == base
    assert region.login_base == base


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("us-east-9", "not a region name"),
        ("", "empty"),
        ("mypurecloud.co", "looks like a Genesys Cloud host"),
        ("https://api.mypurecloud.xx", "looks like a Genesys Cloud host"),
        ("http://api.mypurecloud.ie", "https only"),
        ("127.0.0.1:8089", "full http(s):// URL"),
        ("ftp://example.com", "not a base URL"),
    ],
)
def test_unknown_values_fail_with_the_valid_names(value: str, why: str) -> None:
    with pytest.raises(UnknownRegionError) as caught:
        resolve_region(value)
    text = str(caught.value)
    assert why in text
    if why != "not a base URL":
        assert "us-east-1" in text and "ap-northeast-3" in text and "mypurecloud.ie" in text
    assert isinstance(caught.value, ConfigurationError)
    assert isinstance(caught.value, GenesysError)
    assert isinstance(caught.value, ValueError)


def test_overrides_make_a_custom_region() -> None:
    region = resolve_region("eu-west-1").with_bases(login_base="http://127.0.0.1:9/")
    assert region.is_custom
    assert region.api_base == "https://api.mypurecloud.ie"
    assert region.login_base == "http://127.0.0.1:9"
    assert resolve_region("eu-west-1").with_bases() == resolve_region("eu-west-1")
