"""``core.authoring.tfoutput``: the ids ``terraform output -json`` printed, in both of its shapes (samples written
from Terraform's own code: tests/core/authoring/tfoutput_samples.py), and every way a document can be wrong refused
with the file, the line and what is wrong."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.authoring.tfoutput_samples import DISPUTE, DOCUMENT, EMPTY, IDS, PROMISE, SINGLE
from wrapup_bridge.core.authoring.terraform import IDS_OUTPUT
from wrapup_bridge.core.authoring.tfoutput import OutputCode, parse_terraform_output


def parse(text: str, name: str = "ids.json") -> list[tuple[str, str, int]]:
    return [(c.name, c.id, c.line) for c in parse_terraform_output(text.encode(), name=name).codes]


def refused(text: str | bytes, name: str = "ids.json") -> str:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(ValueError) as caught:
        parse_terraform_output(data, name=name)
    return str(caught.value)


def test_the_whole_document_and_the_single_output_give_the_same_codes() -> None:
    whole = parse_terraform_output(DOCUMENT.encode(), name="tf-out.json")
    assert whole.output == IDS_OUTPUT and whole.file == "tf-out.json"
    # Terraform escapes & as \u0026: the names come back as they were declared, on their own lines.
    assert whole.codes == (
        OutputCode("Billing & Payments Dispute", DISPUTE, 17),
        OutputCode("Promise To Pay", PROMISE, 18),
    )
    assert whole.sha256 == hashlib.sha256(DOCUMENT.encode()).hexdigest()
    assert whole.source == f"Terraform output tf-out.json ({IDS_OUTPUT})"
    single = parse_terraform_output(SINGLE.encode(), name="<stdin>")
    assert single.output is None and single.source == "Terraform output <stdin>"
    assert {c.name: c.id for c in single.codes} == {c.name: c.id for c in whole.codes} == IDS
    assert whole.to_dict()["codes"][1] == {"name": "Promise To Pay", "id": PROMISE, "line": 18}


def test_names_are_matched_as_against_the_org() -> None:
    catalog = parse_terraform_output(SINGLE.encode(), name="ids.json").catalog()
    assert [c.id for c in catalog.codes_named("  promise to PAY ")] == [PROMISE]
    assert [c.id for c in catalog.codes_named("Billing & Payments\u00a0Dispute")] == [DISPUTE]
    assert catalog.source == "Terraform output ids.json" and catalog.fingerprint.startswith("sha256:")


def test_a_sensitive_output_and_other_encodings_are_read() -> None:
    sensitive = DOCUMENT.replace('"sensitive": false,\n    "type": [', '"sensitive": true,\n    "type": [')
    assert sensitive != DOCUMENT
    assert parse(sensitive)[1][:2] == ("Promise To Pay", PROMISE)
    for data in (DOCUMENT.encode("utf-16"), b"\xef\xbb\xbf" + DOCUMENT.encode(), DOCUMENT.encode("utf-16-be")):
        codes = parse_terraform_output(data, name="ps.json").codes
        assert [(c.name, c.line) for c in codes] == [("Billing & Payments Dispute", 17), ("Promise To Pay", 18)]
    # Indented by hand, on one line, with other outputs of every type: the same codes.
    outputs = json.loads(DOCUMENT)
    outputs["a_list"] = {"sensitive": False, "type": ["tuple", ["string"]], "value": ["x"]}
    assert parse(json.dumps(outputs))[0][:2] == ("Billing & Payments Dispute", DISPUTE)


def test_what_is_not_json_or_not_an_output_is_refused() -> None:
    assert refused("") == "ids.json: empty, not what `terraform output -json` prints (at least {})"
    assert refused('{\n  "a": ,\n}').startswith("ids.json:2: not JSON (Expecting value at column 8)")
    human = refused('ids = {\n  "Sale" = "0dd6a32c"\n}\n')  # `terraform output` without -json
    assert human.startswith("ids.json:1: not JSON (Expecting value at column 1)") and "without -json" in human
    assert refused('[\n"x"]').startswith("ids.json:1: a list, not what `terraform output -json` prints")
    assert refused(f'"{PROMISE}"').startswith("ids.json:1: a string")  # `terraform output -json` of a string
    assert refused(b'{"Sale": "\xff"}') == "ids.json:1: byte 10 is not utf-8: not what Terraform prints"
    assert refused("[" * 100 + "]" * 100) == "ids.json: nested more than 64 levels deep, which nothing real is; refused"


def test_no_such_output() -> None:
    before_apply = refused(EMPTY, "tf.json")
    assert before_apply.startswith("tf.json: no outputs at all (`terraform output -json` prints {} before")
    other = json.loads(DOCUMENT)
    del other[IDS_OUTPUT]
    message = refused(json.dumps(other, indent=2), "tf.json")
    assert message.startswith(f"tf.json: no output {IDS_OUTPUT} (its outputs: billing_queue_id);")
    assert "`terraform output -json NAME`" in message
    twice = DOCUMENT.replace('  "billing_queue_id": {', f'  "{IDS_OUTPUT}": {{', 1)
    assert refused(twice).startswith(f"ids.json:7: output {IDS_OUTPUT} is given twice (lines 2 and 7)")


def test_an_output_of_the_wrong_shape() -> None:
    assert refused(f'{{"{IDS_OUTPUT}": 3}}') == (
        f"ids.json:1: output {IDS_OUTPUT} is a number (3), not an output as `terraform output -json` prints one "
        '({"sensitive": ..., "type": ..., "value": ...})'
    )
    no_value = f'{{\n  "{IDS_OUTPUT}": {{\n    "sensitive": false,\n    "type": "string"\n  }}\n}}'
    assert refused(no_value).startswith(f"ids.json:2: output {IDS_OUTPUT} is an object, not an output")
    a_string = f'{{\n  "{IDS_OUTPUT}": {{\n    "sensitive": false,\n    "type": "string",\n    "value": "x"\n  }}\n}}'
    assert refused(a_string).startswith(
        f"ids.json:5: the value of output {IDS_OUTPUT} is a string ('x'), not an object of code names to ids"
    )


def test_every_wrong_entry_is_reported_with_its_line() -> None:
    text = DOCUMENT.replace(f'"Promise To Pay": "{PROMISE}"', '"Promise To Pay": "TODO",\n      "Busy": null')
    message = refused(text, "tf.json")
    assert message.splitlines() == [
        f"tf.json:18: output {IDS_OUTPUT}: 'Promise To Pay' is 'TODO', not a code id (a UUID)",
        f"tf.json:19: output {IDS_OUTPUT}: 'Busy' is null, not a code id (a UUID)",
    ]
    single = "{\n" + f'  "Sale": "{PROMISE}",\n  "Sale": "{DISPUTE}",\n  "": "{DISPUTE}",\n  "Busy": 7\n' + "}"
    assert refused(single).splitlines() == [
        "ids.json:3: 'Sale' is given twice (lines 2 and 3)",
        "ids.json:4: an entry has a blank name",
        "ids.json:5: 'Busy' is a number (7), not a code id (a UUID)",
    ]
    shared = "{\n" + f'  "Sale": "{PROMISE}",\n  "Renewal": "{PROMISE.upper()}"\n' + "}"
    assert refused(shared) == (
        f"ids.json:3: 'Renewal' has the id of 'Sale' (line 2): {PROMISE.upper()}; each code has its own"
    )


def test_an_empty_object_of_codes_is_no_codes() -> None:
    empty = f'{{"{IDS_OUTPUT}": {{"sensitive": false, "type": ["object", {{}}], "value": {{}}}}}}'
    assert parse_terraform_output(empty.encode(), name="x").codes == ()


@settings(max_examples=60)
@given(
    st.dictionaries(st.text(min_size=1, max_size=20).filter(str.strip), st.uuids().map(str), max_size=8),
    st.booleans(),
    st.booleans(),
)
def test_any_names_come_back_with_their_ids_and_lines(ids: dict[str, str], ascii_only: bool, whole: bool) -> None:
    """Laid out as Terraform lays it out (sorted keys, two-space indent), escaped or not: every name back, exactly,
    with its id and the line its entry is on."""
    if whole:
        outputs = {IDS_OUTPUT: {"sensitive": False, "type": ["object", dict.fromkeys(ids, "string")], "value": ids}}
        text = json.dumps(outputs, indent=2, sort_keys=True, ensure_ascii=ascii_only) if ids else "{}"
    else:
        text = json.dumps(ids, indent=2, sort_keys=True, ensure_ascii=ascii_only)
    if not ids:
        with pytest.raises(ValueError, match="no outputs at all"):
            parse_terraform_output(text.encode(), name="x")
        return
    codes = parse_terraform_output(text.encode(), name="x").codes
    assert {c.name: c.id for c in codes} == ids
    lines = text.split("\n")
    for code in codes:
        assert lines[code.line - 1].lstrip().startswith(json.dumps(code.name, ensure_ascii=ascii_only) + ": ")
        assert code.id in lines[code.line - 1]
