"""The report in a real browser: headless Chromium (Debian package ``chromium``) renders it with the network cut
off, and the test reads back what a person sees (``innerText`` respects CSS, so hidden text would not count):
the warnings, one row per rule, the coverage figures. Markup planted in a disposition must stay inert.

Chromium must be installed (CI's setup installs it); a missing browser fails the test rather than skipping it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.htmltree import by_id, parse
from tests.core.review.samples import PLANTED, history_with_markup
from wrapup_bridge.cli import main

#: Renders what a person sees into the DOM that --dump-dom prints; appended to a copy, never to the report itself.
PROBE = """<script>
document.body.insertAdjacentHTML("beforeend", '<pre id="probe-seen"></pre>');
document.getElementById("probe-seen").textContent = document.querySelector("main").innerText;
</script>"""


def chromium() -> str:
    for name in (os.environ.get("WRAPUP_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and (path := shutil.which(name)):
            return path
    pytest.fail("headless Chromium is needed for the report browser test: apt-get install -y chromium")


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: any request for a host would fail
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, snapshot_file: Path) -> tuple[Path, str]:
    tmp_path = tmp_path_factory.mktemp("browser")
    table = tmp_path / "planted.yaml"
    table.write_text(PLANTED, encoding="utf-8")
    report = tmp_path / "report.html"
    result = CliRunner().invoke(
        main,
        [
            "mapping",
            "report",
            str(table),
            "--history",
            str(history_with_markup(tmp_path)),
            "--catalog",
            str(snapshot_file),
            "--out",
            str(report),
            "--rejects",
            str(tmp_path / "rejects.jsonl"),
        ],
    )
    assert result.exit_code == 1, result.output
    probed = tmp_path / "probed.html"
    probed.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dumped = run_chromium(tmp_path, "--dump-dom", probed.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    return report, dumped.stdout


def test_a_person_sees_warnings_rules_and_coverage(rendered: tuple[Path, str]) -> None:
    _, dom = rendered
    seen = by_id(parse(dom), "probe-seen").raw_text  # innerText: cells end in tabs, rows and blocks in newlines
    assert "Problems found: 7 errors, 7 warnings, 23 records, 21 unmapped (91.3%)" in seen
    assert seen.index("Findings") < seen.index("Coverage over history") < seen.index("Rules (13)")
    assert "error\tline 7\tname-drift\tcode alias 'renamed'" in seen
    assert "is named 'Solved' in the table but 'Resolved' in Genesys" in seen
    assert "warning\tline 28\tunknown-queue\t" in seen
    rule_lines = [i for i, line in enumerate(PLANTED.splitlines(), 1) if line.startswith("  - when:")]
    for number, line in enumerate(rule_lines, 1):
        assert f"#{number}\t{line}\t" in seen, number  # one visible row per rule, with its YAML line
    for figure in ("23\nrecords read", "2\nmapped (8.7%)", "21\nunmapped (91.3%)", "0\nunreadable (rejected)"):
        assert figure in seen


def test_markup_from_exports_stays_inert_in_the_browser(rendered: tuple[Path, str]) -> None:
    _, dom = rendered
    elements = parse(dom)
    assert [e for e in elements if e.tag == "img"] == []
    scripts = [e for e in elements if e.tag == "script"]
    assert len(scripts) == 1  # the test's own probe, nothing from the export
    assert 'alert("x")' in by_id(elements, "probe-seen").text  # shown to the reader as text


def test_screenshot_renders_offline(rendered: tuple[Path, str], tmp_path: Path) -> None:
    report, _ = rendered
    shot = tmp_path / "report.png"
    result = run_chromium(tmp_path, "--window-size=1280,2200", f"--screenshot={shot}", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2200)
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes


def test_a_person_sees_how_records_are_correlated(rendered: tuple[Path, str]) -> None:
    """The planted table names Five9 and has no correlate: section: the report shows the defaults correlate would
    use, after the codes, with the decision in words and each default marked."""
    _, dom = rendered
    seen = by_id(parse(dom), "probe-seen").raw_text
    assert seen.index("Genesys wrap-up codes") < seen.index("Correlation\n") < seen.index("Legacy values seen")
    assert "This table has no correlate: section" in seen
    assert (
        "A record is matched only when one conversation scores ≥ 0.6 and leads the next by ≥ 0.15; otherwise "
        "ambiguous" in seen
    )
    assert "threshold\t0.6 default\t-\tThe least score of a match (0..1)" in seen
    assert "queue\tskill or campaign default for five9\t-\t" in seen
