"""Code, tests and the README cite the repository's own docs, by file and section, and every
cited file and section exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (
    "domain",
    "persistence",
    "importers",
    "services",
    "cli",
    "migrations",
    "tests",
    "scripts",
)
# A citation: docs/<file>.md, optionally followed by a quoted section name.
CITATION = re.compile(r'docs/([\w.-]+\.md)(?:\)?,\s*"([^"]+)")?')
OUTSIDE = "shared" + "/design"  # written in two parts so this file does not cite it itself


def _texts() -> dict[Path, str]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for folder in SOURCES:
        files += sorted((ROOT / folder).rglob("*.py")) + sorted((ROOT / folder).rglob("*.sh"))
    return {path: path.read_text(encoding="utf-8") for path in files}


def _headings(doc: Path) -> set[str]:
    return {
        line.lstrip("#").strip()
        for line in doc.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def test_nothing_cites_documents_outside_the_repository():
    offenders = [str(p.relative_to(ROOT)) for p, text in _texts().items() if OUTSIDE in text]
    assert offenders == []


def test_every_cited_document_and_section_exists():
    cited: list[tuple[str, str, str | None]] = []
    for path, text in _texts().items():
        for match in CITATION.finditer(text):
            cited.append((str(path.relative_to(ROOT)), match.group(1), match.group(2)))
    assert any(section for _, _, section in cited)  # the pattern does find sections
    missing = []
    for source, name, section in cited:
        doc = ROOT / "docs" / name
        if not doc.is_file():
            missing.append((source, name, None))
        elif section is not None and section not in _headings(doc):
            missing.append((source, name, section))
    assert missing == []
