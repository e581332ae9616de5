"""The catalog's published docs and the required ids stay in sync with the data."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from codedeploy_doctor.catalog import builtin_catalog, format_cause_list
from codedeploy_doctor.catalog.docs import main, render_catalog_markdown, render_record_text
from codedeploy_doctor.catalog.records import CAUSE_ID

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "docs" / "causes.md"
LOCAL_REQUIRED = Path(__file__).parent / "required_ids.txt"
SHARED_REQUIRED = REPO_ROOT.parent / "shared" / "causes-required.md"
ALLOWED_LINKS = ("https://docs.aws.amazon.com/", "https://github.com/aws/")


def required_from_shared(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^\| ([a-z0-9-]+) \|", text, re.MULTILINE) if m.group(1) != "id"]


def test_docs_page_is_generated_from_the_catalog() -> None:
    expected = render_catalog_markdown(builtin_catalog())
    assert DOCS.read_text(encoding="utf-8") == expected, "docs/causes.md is stale: run python -m codedeploy_doctor.catalog.docs"


def test_docs_command_writes_and_checks(tmp_path: Path) -> None:
    target = tmp_path / "causes.md"
    assert main(["--output", str(target)]) == 0
    assert main(["--check", "--output", str(target)]) == 0
    target.write_text("stale", encoding="utf-8")
    assert main(["--check", "--output", str(target)]) == 1


def test_every_record_documents_itself() -> None:
    for record in builtin_catalog().records:
        assert CAUSE_ID.fullmatch(record.id)
        assert record.title and record.explanation and record.fix and record.docs, record.id
        for link in record.docs:
            assert link.startswith(ALLOWED_LINKS), (record.id, link)
        assert f"### `{record.id}`" in DOCS.read_text(encoding="utf-8")


def test_required_ids_are_present() -> None:
    required = LOCAL_REQUIRED.read_text(encoding="utf-8").split()
    assert len(required) >= 60
    missing = [cause_id for cause_id in required if builtin_catalog().get(cause_id) is None]
    assert not missing


def test_local_required_list_matches_the_shared_one() -> None:
    if not SHARED_REQUIRED.exists():
        pytest.skip(f"{SHARED_REQUIRED} is not beside the clone")
    shared = required_from_shared(SHARED_REQUIRED.read_text(encoding="utf-8"))
    assert shared, "could not parse the shared required ids"
    assert sorted(shared) == sorted(LOCAL_REQUIRED.read_text(encoding="utf-8").split())


def test_explain_text_and_cause_list() -> None:
    catalog = builtin_catalog()
    text = render_record_text(catalog.get("crlf-line-endings"))  # type: ignore[arg-type]
    for heading in ("Why it happens", "How to fix", "Where to look next", "What it matches", "References"):
        assert heading in text
    rows = format_cause_list(catalog)
    assert [cause_id for cause_id, _ in rows] == [r.id for r in catalog.records]
    assert all(title for _, title in rows)


def test_catalog_data_ships_inside_the_package() -> None:
    assert resources.files("codedeploy_doctor.catalog").joinpath("causes.json").is_file()
