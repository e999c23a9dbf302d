"""Joins widget/src/*.js into the served widget/widget.js (`make widget` runs it).

The widget is one closure split by concern into source files (prologue, store, style, panel,
transport, conversation, cards, pacing, speech, hands-free, epilogue) whose names sort in the
order they are joined, whole-line comments left out; no bundler. The widget host calls
`build_widget()` so a server started without make still serves the current sources.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

from massage_coach.settings import PROJECT_DIR

WIDGET_DIR = PROJECT_DIR / "widget"
SOURCES_DIR = WIDGET_DIR / "src"
BUILT = WIDGET_DIR / "widget.js"
COMMENT_LINE = re.compile(r"^\s*//")


def sources() -> List[Path]:
    """The source files in joining order (file-name order, like the Makefile's $(sort ...))."""
    return sorted(SOURCES_DIR.glob("*.js"), key=lambda path: path.name)


def joined_sources(files: List[Path]) -> str:
    """The sources in order, without their whole-line // comments: they are for whoever edits the
    sources, and a phone should not download them (a sixth of the gzipped script)."""
    return "".join(line for path in files for line in path.read_text().splitlines(keepends=True)
                   if not COMMENT_LINE.match(line))


def build_widget() -> Path:
    """Writes widget.js when a source is newer (or it is missing); returns its path."""
    files = sources()
    if not files:
        raise FileNotFoundError(f"no widget sources in {SOURCES_DIR}")
    if not BUILT.exists() or BUILT.stat().st_mtime < max(path.stat().st_mtime for path in files):
        joined = joined_sources(files)
        partial = BUILT.with_suffix(".js.part")
        partial.write_text(joined)
        partial.replace(BUILT)  # a page never loads a half-written widget
    return BUILT


if __name__ == "__main__":
    print(build_widget())
