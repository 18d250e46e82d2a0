"""``services.authoring.sync``: the table file read and written exactly (BOM, line ends, permissions), and never
over an edit made since it was read; the Terraform output read from a file or stdin, or refused naming it."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from tests.conftest import MAPPINGS
from tests.core.authoring.tfoutput_samples import DOCUMENT, IDS, PROMISE, SINGLE
from wrapup_bridge.core.mapping import MappingTableError
from wrapup_bridge.core.review.orgview import CatalogCode, OrgCatalog
from wrapup_bridge.services.authoring.sync import (
    read_table_text,
    read_terraform_output,
    replace_if_unchanged,
    sync_file,
    write_synced,
)
from wrapup_bridge.services.catalog import CatalogFileError

SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
WRONG = "00000000-0000-4000-8000-000000000000"
CATALOG = OrgCatalog.build([CatalogCode(SALE, "Sale", None, None)], [], source="org", fingerprint="sha256:0")


def test_bytes_other_than_the_ids_stay(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    original = f"\ufeffcodes:\r\n  sale: {{id: {WRONG}, name: Sale}}  # é\r\n".encode()
    path.write_bytes(original)
    path.chmod(0o640)
    result = sync_file(path, CATALOG)
    assert write_synced(path, result) is True
    assert path.read_bytes() == original.replace(WRONG.encode(), SALE.encode())
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert write_synced(path, sync_file(path, CATALOG)) is False  # nothing left to change
    assert [p.name for p in tmp_path.iterdir()] == ["t.yaml"]  # no temporary file left


def test_an_edit_made_meanwhile_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "five9.yaml"
    path.write_text((MAPPINGS / "five9.yaml").read_text(encoding="utf-8").replace(SALE, WRONG), encoding="utf-8")
    result = sync_file(path, CATALOG)
    assert result.changed
    path.write_text(path.read_text(encoding="utf-8") + "# someone else's edit\n", encoding="utf-8")
    with pytest.raises(MappingTableError, match="changed since sync read it"):
        write_synced(path, result)
    assert path.read_text(encoding="utf-8").endswith("# someone else's edit\n") and WRONG in path.read_text()


def test_replace_if_unchanged_compares_the_bytes_read(tmp_path: Path) -> None:
    """What sync and `mapping init --extend` write a reviewed table with: only over the text they read (a BOM and
    CRLF included), keeping the mode; a file since changed, even into bytes that are not UTF-8, is left alone."""
    path = tmp_path / "t.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\r\n")
    path.chmod(0o640)
    old = read_table_text(path)
    assert replace_if_unchanged(path, old, old + "# added\r\n") is True
    assert path.read_bytes() == b"\xef\xbb\xbfversion: 1\r\n# added\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert replace_if_unchanged(path, old, "version: 2\n") is False  # it holds the added line now
    path.write_bytes(b"\xff\xfe")
    assert replace_if_unchanged(path, old, "version: 2\n") is False
    assert path.read_bytes() == b"\xff\xfe"


def test_the_terraform_output_is_read_from_a_file_or_stdin(tmp_path: Path) -> None:
    path = tmp_path / "tf-out.json"
    path.write_text(DOCUMENT, encoding="utf-8")
    from_file = read_terraform_output(path)
    assert from_file.file == str(path) and {c.name: c.id for c in from_file.codes} == IDS
    from_stdin = read_terraform_output("-", stdin=io.BytesIO(SINGLE.encode("utf-16")))
    assert from_stdin.file == "<stdin>" and from_stdin.output is None
    assert {c.name: c.id for c in from_stdin.codes} == IDS

    table = tmp_path / "t.yaml"
    original = f"codes:\n  promise: {{name: Promise To Pay}}   # new\n  sale: {{id: {WRONG}, name: Sale}}\n"
    table.write_text(original, encoding="utf-8")
    result = sync_file(table, CATALOG, terraform=from_file)
    assert write_synced(table, result) is True
    assert table.read_text(encoding="utf-8") == original.replace(
        "{name: Promise", f"{{id: {PROMISE}, name: Promise"
    ).replace(WRONG, SALE)


def test_a_terraform_output_that_cannot_be_used_is_a_catalog_file_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogFileError, match=r"cannot read Terraform output '.*nope.json': No such file"):
        read_terraform_output(tmp_path / "nope.json")
    with pytest.raises(CatalogFileError, match=r"cannot read Terraform output '.*': Is a directory"):
        read_terraform_output(tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text(DOCUMENT.replace(PROMISE, "(known after apply)"), encoding="utf-8")
    with pytest.raises(CatalogFileError) as caught:
        read_terraform_output(broken)
    assert str(caught.value) == (
        f"{broken}:18: output wrapup_bridge_new_code_ids: 'Promise To Pay' is '(known after apply)', not a code id "
        "(a UUID)"
    )
    with pytest.raises(CatalogFileError, match=r"<stdin>: empty"):
        read_terraform_output("-", stdin=io.BytesIO(b""))
