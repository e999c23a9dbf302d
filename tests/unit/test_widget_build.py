"""The widget's sources join into one script that parses, stays small and invents no wording."""

from __future__ import annotations

import gzip
import shutil
import subprocess

import pytest

from massage_coach.server.widget_build import build_widget, joined_sources, sources

GZIP_LIMIT = 16_000  # the 16 kB, read as 16,000 bytes


def test_the_sources_join_into_one_closure_that_parses():
    built = build_widget()
    text = built.read_text()
    assert text == joined_sources(sources()) and "\n  // " not in text
    code = [line for path in sources() for line in path.read_text().splitlines() if not line.lstrip().startswith("//")]
    assert text.splitlines() == code  # only comment lines left out
    assert text.startswith("/*!") and text.rstrip().endswith("})();")
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: system-packages.txt installs nodejs")
    subprocess.run([node, "--check", str(built)], check=True)


def test_the_widget_stays_small():
    assert len(gzip.compress(build_widget().read_bytes(), 9)) <= GZIP_LIMIT


def test_the_widget_takes_its_wording_from_the_payloads():
    text = build_widget().read_text()
    for made_up in ("humanize", "VERDICTS", "RULES", '"collar"', '"dorsal"', '"lumbar"'):
        assert made_up not in text
