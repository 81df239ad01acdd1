"""User-facing text (code, docs, README, examples) cites only files that are in the
repository: no design notes kept elsewhere, no issue numbers, no ``../shared`` paths; and
every ``docs/NAME.md`` it cites exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOREIGN = re.compile(r"DESIGN\.md|STYLE\.md|\.\./shared|\bissue #?\d+|\b[a-z]+ #\d{2,}\b", re.I)


def _texts() -> list[Path]:
    files = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "examples").glob("*")]
    files += (ROOT / "logos").rglob("*.py")
    files += [p for p in (ROOT / "plugins").rglob("*.py") if "/tests/" not in str(p)]
    return [p for p in files if p.is_file()]


def test_no_reference_to_files_or_issues_outside_the_repository():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in _texts()
        for match in FOREIGN.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_every_cited_docs_page_exists():
    cited = {
        name
        for path in _texts()
        for name in re.findall(r"docs/([a-z_]+\.md)", path.read_text(encoding="utf-8"))
    }
    assert cited and all((ROOT / "docs" / name).is_file() for name in cited), sorted(cited)
