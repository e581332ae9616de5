"""The bundle checks: each finding fires on its own defect, names the file and line, and stays silent on a good bundle."""

from __future__ import annotations

from codedeploy_doctor.bundle.archive import read_tar, read_zip
from codedeploy_doctor.bundle.checks import Context, check_bundle, nearest_path
from codedeploy_doctor.bundle.model import Bundle, Finding
from tests.bundle.builders import APPSPEC, good_bundle, make_tar, make_zip


def _zip_bundle(files: dict[str, object], **options: object) -> Bundle:
    data = make_zip(files, **options)  # type: ignore[arg-type]
    return read_zip("app.zip", len(data), lambda start, length: data[start : start + length])


def _checks(files: dict[str, object], context: Context | None = None, **options: object) -> list[Finding]:
    return check_bundle(_zip_bundle(files, **options), context)[1]


def _ids(findings: list[Finding]) -> list[str]:
    return sorted(finding.check for finding in findings)


def test_a_good_bundle_has_no_findings() -> None:
    assert _checks(good_bundle()) == []


def test_a_missing_script_names_the_appspec_line_and_the_nearest_name() -> None:
    files = good_bundle()
    files["scripts/Start.sh"] = files.pop("scripts/start.sh")
    (finding,) = _checks(files)
    assert (finding.check, finding.file, finding.line, finding.cause) == ("script-missing", "appspec.yml", 8, "script-missing")
    assert "nearest: scripts/Start.sh" in finding.message


def test_crlf_bom_and_shebangs() -> None:
    crlf = _checks(good_bundle(**{"scripts/start.sh": "#!/bin/bash\r\nstart\r\n"}))
    assert [(f.check, f.file, f.line, f.cause) for f in crlf] == [("script-crlf", "scripts/start.sh", 1, "crlf-line-endings")]
    later = _checks(good_bundle(**{"scripts/start.sh": "#!/bin/bash\nset -e\nstart\r\n"}))
    assert [(f.check, f.line) for f in later] == [("script-crlf", 3)]
    bom = _checks(good_bundle(**{"scripts/start.sh": b"\xef\xbb\xbf#!/bin/bash\nstart\n"}))
    assert _ids(bom) == ["script-bom"]
    assert _ids(_checks(good_bundle(**{"scripts/start.sh": "start\n"}))) == ["script-no-shebang"]
    assert _ids(_checks(good_bundle(**{"scripts/start.sh": "#!bash\nstart\n"}))) == ["script-bad-shebang"]
    assert _ids(_checks(good_bundle(**{"scripts/start.sh": "#!/usr/bin/env\nstart\n"}))) == ["script-bad-shebang"]
    assert _checks(good_bundle(**{"scripts/start.sh": b"\x7fELF\x02\x01\x01"})) == []


def test_the_execute_bit_comes_from_the_zips_external_attributes() -> None:
    (finding,) = _checks(good_bundle(**{"scripts/start.sh": (b"#!/bin/bash\nstart\n", 0o644)}))
    assert finding.check == "script-not-executable" and "0644" in finding.message and finding.severity == "warning"
    assert _checks(good_bundle(), unix=False) == [], "no mode known: nothing said"


def test_files_sources_and_permissions() -> None:
    files = good_bundle()
    files["appspec.yml"] = APPSPEC.replace("source: app", "source: build/app") + (
        "permissions:\n  - object: /etc/app\n    owner: root\n"
    )
    findings = _checks(files)
    assert _ids(findings) == ["files-source-missing", "permissions-object-not-installed"]
    source = next(f for f in findings if f.check == "files-source-missing")
    assert source.line == 4 and source.cause == "appspec-files-source-not-found"


def test_hooks_that_do_not_exist_here() -> None:
    files = good_bundle()
    files["appspec.yml"] = (
        APPSPEC + "  Install:\n    - location: scripts/start.sh\n  AfterAllowTestTraffic:\n    - location: scripts/start.sh\n"
    )
    findings = _checks(files)
    assert _ids(findings) == ["hook-unknown-event", "hook-unknown-event"]
    files["appspec.yml"] = APPSPEC + "  BeforeBlockTraffic:\n    - location: scripts/start.sh\n"
    assert _checks(files) == []
    assert _ids(_checks(files, Context(traffic_control=False))) == ["hook-never-runs"]


def test_timeouts() -> None:
    files = good_bundle()
    files["appspec.yml"] = APPSPEC.replace(
        "      runas: webapp\n", "      runas: webapp\n    - location: scripts/check.sh\n      timeout: 900\n"
    ).replace("timeout: 60", "timeout: 3000")
    (finding,) = _checks(files)
    assert finding.check == "event-timeout-over-limit" and finding.cause == "appspec-event-timeout-exceeds-limit"
    assert "3900" in finding.message and finding.line == 7 and "line 12" in finding.message
    files["appspec.yml"] = APPSPEC.replace("timeout: 60", "timeout: 4000")
    assert _ids(_checks(files)) == ["appspec-invalid"]
    files["appspec.yml"] = APPSPEC.replace("timeout: 60", "timeout: soon")
    assert _ids(_checks(files)) == ["appspec-invalid"]


def test_windows_appspec_with_runas_and_permissions() -> None:
    files = good_bundle()
    files["appspec.yml"] = APPSPEC.replace("os: linux", "os: windows") + "permissions:\n  - object: /srv/app\n"
    findings = _checks(files)
    assert _ids(findings) == ["windows-permissions", "windows-runas"]
    assert next(f for f in findings if f.check == "windows-runas").line == 10
    # Linux-only script checks do not apply on Windows: CRLF is fine there.
    files["scripts/start.sh"] = "echo hi\r\n"
    assert _ids(_checks(files)) == ["windows-permissions", "windows-runas"]


def test_appspec_missing_or_invalid() -> None:
    files = good_bundle()
    files["build/appspec.yml"] = files.pop("appspec.yml")
    (finding,) = _checks(files)
    assert finding.check == "appspec-missing" and "build/appspec.yml" in finding.message
    files = good_bundle()
    files["appspec.yml"] = "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: [unclosed\n"
    (finding,) = _checks(files)
    assert finding.check == "appspec-invalid" and finding.line is not None
    files["appspec.yml"] = "version: 1.0\nhooks: []\nfoo: 1\n"
    assert _ids(_checks(files)) == ["appspec-invalid"] * 4


def test_a_partial_listing_never_says_missing() -> None:
    data = make_tar(good_bundle(), gzip=False)
    bundle = read_tar("app.tar", data[:2048], complete=False)
    assert not bundle.complete
    assert [f for f in check_bundle(bundle)[1] if f.check in ("script-missing", "files-source-missing", "appspec-missing")] == []


def test_tar_and_tgz_give_the_same_findings_as_zip() -> None:
    import zlib

    files = good_bundle(**{"scripts/start.sh": "#!/bin/bash\r\nstart\r\n"})
    expected = _ids(_checks(files))
    assert _ids(check_bundle(read_tar("app.tar", make_tar(files), complete=True))[1]) == expected
    tgz = make_tar(files, gzip=True)
    inflated = zlib.decompressobj(31).decompress(tgz)
    assert _ids(check_bundle(read_tar("app.tgz", inflated, complete=True))[1]) == expected


def test_nearest_path_prefers_the_same_name_in_another_case() -> None:
    assert nearest_path("scripts/START.sh", ["scripts/start.sh", "scripts/stop.sh"]) == "scripts/start.sh"
    assert nearest_path("deploy/start.sh", ["scripts/start.sh"]) == "scripts/start.sh"
    assert nearest_path("x", []) is None
