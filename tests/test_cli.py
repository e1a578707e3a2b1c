"""The command line: text and JSON output, batch mode, and clean errors with non-zero exits."""

from __future__ import annotations

import json

from click.testing import CliRunner

from wording.cli import main

DRAFT = "Hi,\nSorry! So sorry. We apologize. Check out our Premium plan!\nBest,\nLee\n"


def test_check_text_output_shows_findings_and_rewrite(tmp_path):
    d, c = tmp_path / "draft.txt", tmp_path / "ctx.txt"
    d.write_text(DRAFT, "utf-8")
    c.write_text("My router is broken!!", "utf-8")
    result = CliRunner().invoke(main, ["check", str(d), "--context", str(c)])
    assert result.exit_code == 0, result.output
    assert "over_apology" in result.output and "promo_clash" in result.output
    assert "Suggested reply:" in result.output


def test_check_json_is_the_report(tmp_path):
    d = tmp_path / "draft.txt"
    d.write_text(DRAFT, "utf-8")
    result = CliRunner().invoke(main, ["check", str(d), "--format", "json", "--lang", "en"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["schema_version"] == "1" and data["language"]["code"] == "en"


def test_stdin_and_errors(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["check", "-"], input="").exit_code == 2
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe Sorry")
    result = runner.invoke(main, ["check", str(bad)])
    assert result.exit_code == 2 and "not UTF-8" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["check", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2 and "no such draft file" in result.output
    result = runner.invoke(main, ["check", "-"], input="Vielen Dank für Ihre Geduld, wir melden uns bald bei Ihnen.")
    assert result.exit_code == 2 and "unsupported_language" in result.output


def test_batch_mode_keeps_going_past_bad_lines(tmp_path):
    lines = [
        json.dumps({"id": "t1", "draft": "Sorry. Sorry. Sorry.", "context": "It broke!"}),
        "this is not json",
        json.dumps({"id": "t3", "draft": ""}),
        json.dumps({"id": "t4", "draft": "Thanks, your refund went through today!", "language": "en"}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", "utf-8")
    result = CliRunner().invoke(main, ["check", "--jsonl", str(src)])
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["t1", 2, "t3", "t4"]
    assert "report" in out[0] and out[1]["error"]["code"] == "invalid_json"
    assert out[2]["error"]["code"] == "empty_draft" and "report" in out[3]


def test_context_batch(tmp_path):
    src = tmp_path / "ctx.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": "My parcel never arrived and nobody answers!!"}) + "\n"
        + json.dumps({"id": "b", "text": "Hello, do you deliver to Riga on Sundays?"}) + "\n",
        "utf-8",
    )
    result = CliRunner().invoke(main, ["context", "--jsonl", str(src)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["type"] for o in out] == ["complaint", "inquiry"]
    assert set(out[0]["scores"]) == {"complaint", "inquiry", "praise", "other"}
