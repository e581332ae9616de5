"""``cd-doctor lint PATH``: directories, zips, tars, an AppSpec file alone; exit codes and both formats."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codedeploy_doctor.cli import app
from tests.bundle.builders import Content, good_bundle, make_tar, make_zip

runner = CliRunner()


def lint(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["lint", *args], prog_name="cd-doctor")
    return result.exit_code, result.stdout, result.stderr


def _write_tree(root: Path, files: dict[str, Content]) -> Path:
    for name, content in files.items():
        data, mode = content if isinstance(content, tuple) else (content, 0o755 if name.endswith(".sh") else 0o644)
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        os.chmod(path, mode)
    return root


def test_a_clean_directory_exits_0(tmp_path: Path) -> None:
    code, out, err = lint(str(_write_tree(tmp_path / "bundle", good_bundle())))
    assert (code, err) == (0, "")
    assert "no findings" in out and "2 hook script(s)" in out


def test_findings_exit_1_with_file_and_line(tmp_path: Path) -> None:
    files = good_bundle(**{"scripts/start.sh": "#!/bin/bash\r\nstart\r\n"})
    files.pop("scripts/check.sh")
    code, out, _ = lint(str(_write_tree(tmp_path / "bundle", files)))
    assert code == 1
    assert "appspec.yml:12: error: script-missing: ValidateService location scripts/check.sh is not in the bundle" in out
    assert "scripts/start.sh:1: error: script-crlf:" in out
    assert out.rstrip().endswith("2 error(s), 0 warning(s)")


def test_zip_tar_and_tgz(tmp_path: Path) -> None:
    files = good_bundle(**{"scripts/start.sh": ("#!/bin/bash\nstart\n", 0o644)})
    for name, data in (("app.zip", make_zip(files)), ("app.tar", make_tar(files)), ("app.tgz", make_tar(files, gzip=True))):
        path = tmp_path / name
        path.write_bytes(data)
        code, out, _ = lint(str(path), "--format", "json")
        document = json.loads(out)
        assert code == 1 and document["format"] == "cd-doctor.lint/1", name
        assert [f["check"] for f in document["findings"]] == ["script-not-executable"], name
        assert document["counts"] == {"error": 0, "warning": 1}


def test_an_appspec_file_alone_checks_the_file_only(tmp_path: Path) -> None:
    path = tmp_path / "appspec.yml"
    path.write_text("version: 0.0\nos: windows\nhooks:\n  AfterInstall:\n    - location: a.ps1\n      runas: admin\n")
    code, out, _ = lint(str(path))
    assert code == 1
    assert "appspec.yml:6: error: windows-runas" in out
    assert "note: only the AppSpec file was checked" in out
    path.write_text("version: 0.0\nos: linux\n")
    assert lint(str(path))[0] == 0


@pytest.mark.parametrize("content", [b"not a bundle", b"PK\x03\x04 broken zip"])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "thing.zip"
    path.write_bytes(content)
    code, out, err = lint(str(path))
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert lint(str(tmp_path / "absent"))[0] == 2
    assert lint(str(path), "--format", "xml")[0] == 2


def test_names_from_the_archive_are_cleaned(tmp_path: Path) -> None:
    files = good_bundle()
    files["appspec.yml"] = str(files["appspec.yml"]).replace("scripts/check.sh", "scripts/\x1b[31mred.sh")
    path = tmp_path / "app.zip"
    path.write_bytes(make_zip(files))
    code, out, _ = lint(str(path))
    assert code == 1 and "\x1b" not in out


def test_no_symlink_is_followed_out_of_the_bundle(tmp_path: Path) -> None:
    secret = tmp_path / "secret.sh"
    secret.write_text("\r\n")
    root = _write_tree(tmp_path / "bundle", good_bundle())
    (root / "scripts" / "start.sh").unlink()
    (root / "scripts" / "start.sh").symlink_to(secret)
    _, out, _ = lint(str(root))
    assert "script-crlf" not in out
