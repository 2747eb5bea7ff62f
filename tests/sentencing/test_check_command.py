"""`tongxin eligibility check` and `POST /api/sentencing/eligibility/`: the engine on plain
facts, and bad input named by its field with nothing printed as a result."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import make_user
from tongxin.cli import main

FIXED = {
    "id": "A1",
    "sentence": {
        "type": "fixed_term",
        "years": 6,
        "months": 0,
        "execution_start": "2022-03-01",
        "detention_days": 90,
        "restricted_reduction": False,
    },
    "categories": [],
    "merit": "repentance",
    "reductions": [],
}
RECIDIVIST = {
    "id": "R1",
    "sentence": {"type": "fixed_term", "years": 3, "months": 0, "execution_start": "2024-01-31"},
    "categories": ["recidivist"],
    "merit": "repentance",
    "reductions": [],
}


def _run(capsys, *args, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        import io

        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["eligibility", "check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_one_object_per_input_in_order(tmp_path, capsys):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([FIXED, RECIDIVIST]), encoding="utf-8")
    code, out, err = _run(capsys, "--on", "2023-08-31", str(path))
    assert code == 0 and err == ""
    lines = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in lines] == ["A1", "R1"]
    first = lines[0]
    # 6 years: 18 months from execution start (2022-03-01) → 2023-09-01; not yet on 08-31.
    assert first["reduction"]["earliest_date"] == "2023-09-01"
    assert first["reduction"]["eligible"] is False
    assert first["reduction"]["max_months"] == 9
    assert set(first["reduction"]) >= {"eligible", "earliest_date", "max_months", "reasons"}
    assert all(set(r) == {"rule", "basis", "text"} for r in first["reduction"]["reasons"])
    # Parole: half of 72 months from term start (2022-03-01 − 90 days = 2021-12-01).
    assert first["parole"]["earliest_date"] == "2024-12-01"
    assert lines[1]["parole"] == {
        "eligible": False,
        "earliest_date": None,
        "reasons": lines[1]["parole"]["reasons"],
    }
    assert any(r["rule"] == "parole.recidivist" for r in lines[1]["parole"]["reasons"])


def test_the_day_of_the_threshold_is_eligible(tmp_path, capsys):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([FIXED]), encoding="utf-8")
    code, out, _ = _run(capsys, "--on", "2023-09-01", str(path))
    assert code == 0
    assert json.loads(out)["reduction"]["eligible"] is True


def test_reads_standard_input(capsys, monkeypatch):
    code, out, _ = _run(
        capsys, "--on", "2025-01-01", "-", stdin=json.dumps([FIXED]), monkeypatch=monkeypatch
    )
    assert code == 0 and json.loads(out)["id"] == "A1"


@pytest.mark.parametrize(
    ("case", "field", "words"),
    [
        ({**FIXED, "categories": ["thief"]}, "[0].categories[0]", "thief"),
        (
            {**FIXED, "sentence": {**FIXED["sentence"], "execution_start": "2023-02-30"}},
            "[0].sentence.execution_start",
            "2023-02-30",
        ),
        ({**FIXED, "sentence": {**FIXED["sentence"], "years": -2}}, "[0].sentence.years", ""),
        ({**FIXED, "merit": "good"}, "[0].merit", "good"),
    ],
    ids=["unknown-category", "impossible-date", "negative-term", "unknown-merit"],
)
def test_bad_input_names_the_field_and_prints_no_result(tmp_path, capsys, case, field, words):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([FIXED, case]), encoding="utf-8")
    code, out, err = _run(capsys, str(path))
    assert code == 2
    assert out == ""
    assert err.startswith("错误:") and "[1]" + field.removeprefix("[0]") in err
    assert words in err


def test_not_json_and_missing_file_are_refused(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text("[{", encoding="utf-8")
    code, out, err = _run(capsys, str(path))
    assert code == 2 and out == "" and "不是有效的 JSON" in err
    code, out, err = _run(capsys, str(tmp_path / "absent.json"))
    assert code == 2 and out == "" and "无法读取" in err


def test_bad_date_option_exits_non_zero():
    result = subprocess.run(
        [sys.executable, "-m", "tongxin.cli", "eligibility", "check", "--on", "2023-13-01", "-"],
        input="[]",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert "YYYY-MM-DD" in result.stderr


# --- the API ------------------------------------------------------------------------------------


@pytest.fixture
def api_user(roles, tree):
    return make_user("district_api", "district_officer", tree.district_a1)


def test_api_answers_like_the_command(client, api_user, tmp_path, capsys):
    client.force_login(api_user)
    response = client.post(
        "/api/sentencing/eligibility/?on=2023-09-01",
        data=json.dumps([FIXED, RECIDIVIST]),
        content_type="application/json",
    )
    assert response.status_code == 200
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([FIXED, RECIDIVIST]), encoding="utf-8")
    code, out, _ = _run(capsys, "--on", "2023-09-01", str(path))
    assert code == 0
    assert response.json()[0]["reduction"]["eligible"] is True
    assert response.json() == [json.loads(line) for line in out.splitlines()]


def test_api_bad_input_is_a_400_on_the_field(client, api_user):
    client.force_login(api_user)
    response = client.post(
        "/api/sentencing/eligibility/",
        data=json.dumps([{**FIXED, "categories": ["thief"]}]),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["[0].categories[0]"]
    response = client.post(
        "/api/sentencing/eligibility/?on=2023-02-30",
        data=json.dumps([FIXED]),
        content_type="application/json",
    )
    assert response.status_code == 400 and "on" in response.json()


def test_api_needs_a_login(client, db):
    response = client.post(
        "/api/sentencing/eligibility/", data="[]", content_type="application/json"
    )
    assert response.status_code == 401
