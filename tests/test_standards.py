"""Standards files: loading, merging, validation errors that point at the problem, lint, show, the
server's named sets, and the command line.

Every rule example of the shipped telecom example runs here, one test per example.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import wording
from wording.cli import main
from wording.errors import ConfigError, InputError
from wording.standards import CheckId, default_paths, default_standards, load_standards
from wording.standards_tools import lint, load_sets, run_example, show

ROOT = Path(__file__).resolve().parent.parent
TELECOM = ROOT / "examples" / "standards" / "telecom.yml"

RULE = """\
  - id: acme.no-asap
    kind: existence
    patterns:
      en: ['\\bASAP\\b']
    source: {title: Acme style guide, url: 'https://acme.example/style#asap'}
    messages:
      en: {message: "Say when, not '{match}'.", explanation: Customers read ASAP as never.}
    examples:
      flag: ["We will fix it ASAP."]
      ok: ["We will fix it by Friday."]
"""


def write(tmp_path: Path, text: str, name: str = "team.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


def problems_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_standards(path)
    return info.value.message


# ------------------------------------------------------------------------------------------ loading


def test_defaults_are_a_standards_document_with_the_checks_and_no_rules():
    std = default_standards()
    assert std.rules == []
    assert std.rule_ids() == tuple(str(c) for c in CheckId)
    assert std.check("over_apology").max_apologies == 2
    assert all(std.check(c).source is not None for c in CheckId)


def test_telecom_example_loads_over_the_defaults():
    std = load_standards(TELECOM)
    assert std.name == "nordlink-care"
    assert std.rule_ids()[:6] == tuple(str(c) for c in CheckId)
    assert {"nordlink.acknowledge-first", "nordlink.no-policy-talk", "nordlink.plan-names"} <= set(
        std.rule_ids()
    )
    kinds = {r.kind for r in std.rules}
    assert kinds == {"existence", "substitution", "occurrence", "conditional", "order"}
    # team phrases are added to the role; the default cues are still there
    promo = std.pack("en").roles[wording.Role.PROMOTION]
    ids = [c.id for c in promo.cues]
    assert "nordlink.en.promo.plans" in ids and "en.promo.upsell" in ids
    # the care statement is replaced, not appended after the default one
    assert std.pack("en").phrases.care == ["Getting you reliably connected again is our first priority."]
    assert std.pack("en").phrases.sign_off == "Kind regards, the Nordlink Care team"


def test_a_rule_with_messages_in_all_five_languages():
    rule = load_standards(TELECOM).rule("nordlink.acknowledge-first")
    assert set(rule.languages) == {"en", "ru", "lv", "ar", "hy"}


def test_a_file_without_a_name_is_named_after_the_file(tmp_path):
    path = write(tmp_path, "checks: {promo_clash: {severity: warning}}\n", "billing-team.yml")
    std = load_standards(path)
    assert std.name == "billing-team"
    assert std.check("promo_clash").severity == "warning"
    assert std.check("news_order").severity == "warning"  # untouched checks keep their defaults


def test_a_mapping_loads_too():
    std = load_standards({"checks": {"news_order": {"enabled": False}}})
    assert not std.check("news_order").enabled
    report = wording.check(
        "Good news: the refund is approved. Unfortunately, the fee is non-refundable.",
        language="en",
        standards=std,
    )
    assert "news_order" not in {f.check for f in report.findings}


# ------------------------------------------------------------------------- errors name file, line, key


def test_unknown_keys_name_file_line_and_key(tmp_path):
    path = write(
        tmp_path,
        """\
        version: 1
        checks:
          over_apology:
            max_apologise: 3
        rules:
          - id: acme.x
            kind: existence
            patterns: {en: ['x']}
            colour: red
        """,
    )
    text = problems_of(path)
    assert f"{path}:4: checks.over_apology.max_apologise: unknown key" in text
    assert f"{path}:9: rules.0 (acme.x).colour: unknown key" in text


def test_wrong_types(tmp_path):
    path = write(
        tmp_path,
        """\
        checks:
          over_apology:
            max_apologies: two
          promo_clash:
            severity: loud
        """,
    )
    text = problems_of(path)
    assert f"{path}:3: checks.over_apology.max_apologies:" in text and "integer" in text
    assert f"{path}:5: checks.promo_clash.severity:" in text


def test_broken_regexes_in_cues_rules_swaps_and_exceptions(tmp_path):
    path = write(
        tmp_path,
        """\
        languages:
          en:
            roles:
              promotion:
                cues:
                  - id: acme.promo
                    pattern: '(unclosed'
        rules:
          - id: acme.swap
            kind: substitution
            swap:
              en: {'[a-': b}
            source: {title: t, url: 'https://acme.example'}
            messages: {en: {message: m, explanation: e}}
            examples: {flag: [a], ok: [b]}
          - id: acme.exc
            kind: existence
            patterns: {en: ['ok']}
            exceptions: {en: ['(?<bad']}
            source: {title: t, url: 'https://acme.example'}
            messages: {en: {message: m, explanation: e}}
            examples: {flag: [a], ok: [b]}
        """,
    )
    text = problems_of(path)
    assert (
        f"{path}:7: languages.en.roles.promotion.cues.0.pattern: broken regular expression '(unclosed'"
        in text
    )
    assert f"{path}:12: rules.0 (acme.swap).swap.en.[a-: broken regular expression '[a-'" in text
    assert f"{path}:19: rules.1 (acme.exc).exceptions.en.0: broken regular expression" in text


def test_a_rule_without_examples_is_rejected(tmp_path):
    path = write(
        tmp_path,
        """\
        rules:
          - id: acme.bare
            kind: existence
            patterns: {en: ['\\bASAP\\b']}
            source: {title: t, url: 'https://acme.example'}
            messages: {en: {message: m, explanation: e}}
          - id: acme.half
            kind: existence
            patterns: {en: ['\\bASAP\\b']}
            source: {title: t, url: 'https://acme.example'}
            messages: {en: {message: m, explanation: e}}
            examples: {flag: ['ASAP'], ok: []}
        """,
    )
    text = problems_of(path)
    assert f"{path}:2: rules.0 (acme.bare).examples: missing: every rule needs `examples`" in text
    assert f"{path}:12: rules.1 (acme.half).examples.ok: needs at least one `ok` example" in text


MSG = "messages: {en: {message: m, explanation: e}}"
STRUCTURE_ERRORS = [
    (["kind: sequence"], "`kind` must be one of existence, substitution"),
    (["kind: existence", MSG], "give `roles` or `patterns`"),
    (
        ["kind: existence", "roles: [apology]", "messages: {en: {message: '{count}', explanation: e}}"],
        "messages.en.message uses unknown placeholder(s) {count}",
    ),
    (["kind: existence", "patterns: {ru: ['x']}", MSG], "patterns: 'ru' has no entry under `messages`"),
    (["kind: occurrence", "roles: [question]", MSG], "needs `max`, `min` or both"),
    (
        ["kind: order", "before: [apology]", "after: [apology]", MSG],
        "apology cannot be both `before` and `after`",
    ),
    (["kind: existence", "roles: [apology]", "when: angry", MSG], "rules.0 (acme.k).when.0"),
    (["kind: existence", "roles: [apologies]", MSG], "rules.0 (acme.k).roles.0"),
    (
        ["kind: existence", "roles: [apology]", "messages: {xx: {message: m, explanation: e}}"],
        "unknown language 'xx'",
    ),
    (
        ["kind: conditional", "if: {roles: [bad_news]}", "then: {roles: [next_step]}", "fix: remove", MSG],
        "a conditional rule inserts",
    ),
    (
        ["kind: existence", "roles: [promotion]", "fix: {replace: {en: '{care} {motto}'}}", MSG],
        "unknown placeholder(s) {motto}",
    ),
]


@pytest.mark.parametrize(("lines", "expected"), STRUCTURE_ERRORS, ids=[e for _, e in STRUCTURE_ERRORS])
def test_rule_structure_errors(tmp_path, lines, expected):
    body = ["source: {title: t, url: 'https://acme.example'}", "examples: {flag: [a], ok: [b]}", *lines]
    path = write(tmp_path, "rules:\n  - id: acme.k\n" + "".join(f"    {line}\n" for line in body))
    text = problems_of(path)
    assert expected in text
    assert f"{path}:" in text


def test_duplicate_and_builtin_rule_ids(tmp_path):
    ids = ("acme.a", "acme.a", "promo_clash")
    path = write(tmp_path, "rules:\n" + "".join(RULE.replace("acme.no-asap", rule_id) for rule_id in ids))
    text = problems_of(path)
    assert f"{path}:12: rules.1 (acme.a).id: duplicate rule id 'acme.a'" in text
    assert f"{path}:22: rules.2 (promo_clash).id: 'promo_clash' is a built-in check id" in text


def test_a_team_cue_reusing_a_default_id_is_rejected(tmp_path):
    path = write(
        tmp_path,
        """\
        languages:
          en:
            roles:
              apology:
                cues:
                  - id: en.apology.sorry
                    pattern: 'pardon'
        """,
    )
    assert f"{path}:6: languages.en: duplicate cue id 'en.apology.sorry'" in problems_of(path)


def test_files_that_are_not_standards(tmp_path):
    assert "no such standards file" in problems_of(tmp_path / "missing.yml")
    assert "not valid YAML" in problems_of(write(tmp_path, "rules: [\n  - a\n", "a.yml"))
    assert ":1: a standards file must be a mapping" in problems_of(write(tmp_path, "- a\n- b\n", "b.yml"))
    latin1 = tmp_path / "c.yml"
    latin1.write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert "not UTF-8" in problems_of(latin1)


# ---------------------------------------------------------------------------------------------- lint


def test_the_telecom_example_lints_clean():
    ok, problems = lint(TELECOM)
    assert ok, problems


def _telecom_examples():
    std = load_standards(TELECOM)
    for rule in std.rules:
        for kind in ("flag", "ok"):
            for n, ex in enumerate(getattr(rule.examples, kind)):
                yield pytest.param(rule.id, kind, ex, rule.example_language(ex), id=f"{rule.id}-{kind}-{n}")


@pytest.mark.parametrize(("rule_id", "kind", "example", "lang"), list(_telecom_examples()))
def test_telecom_rule_example(rule_id, kind, example, lang):
    fired, checks, rewrite = run_example(load_standards(TELECOM), rule_id, example, lang)
    assert fired == (kind == "flag"), (example.text, checks)
    if example.rewrite is not None:
        assert rewrite.strip() == example.rewrite.strip()


def test_lint_reports_failing_examples_with_their_line(tmp_path):
    path = write(
        tmp_path,
        """\
        rules:
          - id: acme.no-asap
            kind: existence
            patterns:
              en: ['\\bASAP\\b']
            source: {title: Acme style guide, url: 'https://acme.example/style'}
            messages:
              en: {message: m, explanation: e}
            examples:
              flag:
                - "We will fix it as soon as we can."
              ok:
                - "We will fix it ASAP."
          - id: acme.plan
            kind: substitution
            swap: {en: {'\\bpro plan\\b': Pro Plan}}
            source: {title: Acme style guide, url: 'https://acme.example/style'}
            messages:
              en: {message: m, explanation: e}
            examples:
              flag:
                - text: "Your pro plan renews on Monday."
                  rewrite: "Your Pro plan renews on Monday."
              ok: ["Your Pro Plan renews on Monday."]
        languages:
          en:
            roles:
              next_step:
                cues:
                  - id: acme.next.portal
                    pattern: '\\bacme portal\\b'
                    examples: ["Follow it in the Acme portal.", "Follow it in the customer portal."]
                    counter: ["You'll receive a reply in the Acme portal."]
        """,
    )
    ok, problems = lint(path)
    assert not ok
    text = "\n".join(problems)
    assert f"{path}:11: rules.0 (acme.no-asap).examples.flag.0: acme.no-asap does not flag" in text
    assert (
        f"{path}:13: rules.0 (acme.no-asap).examples.ok.0: acme.no-asap flags 'We will fix it ASAP.'" in text
    )
    assert (
        f"{path}:22: rules.1 (acme.plan).examples.flag.0: the rewrite is 'Your Pro Plan renews on Monday.'"
        in text
    )
    assert f"{path}:32: languages.en.roles.next_step.cues.0 (acme.next.portal).examples.1:" in text
    assert "the pattern does not match it" in text
    assert f"{path}:33: languages.en.roles.next_step.cues.0 (acme.next.portal).counter.0:" in text
    assert len(problems) == 5


def test_lint_of_an_invalid_file_returns_the_load_problems(tmp_path):
    path = write(tmp_path, "checks: {over_apology: {colour: red}}\n")
    ok, problems = lint(path)
    assert not ok and problems == [f"{path}:1: checks.over_apology.colour: unknown key"]


# ---------------------------------------------------------------------------------------------- show


def test_show_prints_the_effective_checks_rules_phrases_and_ids():
    text = show(load_standards(TELECOM))
    assert text.startswith("standards: nordlink-care")
    assert "over_apology" in text and "max_apologies=2" in text
    assert "missing_acknowledgement  on  warning" in text
    assert (
        "nordlink.acknowledge-first  [order, warning, when: complaint, languages: en, ru, lv, ar, hy]" in text
    )
    assert "apology, empathy before action, next_step; fix: move" in text
    assert "care: Getting you reliably connected again is our first priority." in text
    assert "nordlink.sign-off" in text and "sign_off: Kind regards, the Nordlink Care team" in text
    assert show(default_standards()).count("(none)") == 1  # no team rules by default


# ---------------------------------------------------------------------------------------- rule ids


def test_rule_ids_work_in_disabled_and_unknown_ids_are_refused():
    std = load_standards(TELECOM)
    draft = "Your fibre max router has been reset."
    fired = {f.check for f in wording.check(draft, language="en", standards=std).findings}
    assert "nordlink.plan-names" in fired
    fired = {
        f.check
        for f in wording.check(draft, language="en", standards=std, disabled=["nordlink.plan-names"]).findings
    }
    assert "nordlink.plan-names" not in fired
    with pytest.raises(InputError) as info:
        wording.check(draft, language="en", standards=std, disabled=["nordlink.no-such-rule"])
    assert "nordlink.plan-names" in info.value.message  # the error lists the valid ids
    with pytest.raises(InputError):
        wording.check(draft, language="en", disabled=["nordlink.plan-names"])  # not a rule of the defaults


# ----------------------------------------------------------------------------------- named sets (server)


def test_load_sets_loads_and_lints_every_file(tmp_path):
    billing = write(tmp_path, "name: billing\nrules:\n" + RULE, "billing.yml")
    sets = load_sets({"nordlink": TELECOM, "billing-team": str(billing)})
    assert set(sets) == {"nordlink", "billing-team"}
    assert "acme.no-asap" in sets["billing-team"].rule_ids()
    report = wording.check("We will fix it ASAP.", language="en", standards=sets["billing-team"])
    assert [f.message for f in report.findings if f.check == "acme.no-asap"] == ["Say when, not 'ASAP'."]


def test_load_sets_refuses_a_file_whose_examples_fail(tmp_path):
    broken = write(
        tmp_path, "rules:\n" + RULE.replace("We will fix it by Friday.", "Fix ASAP."), "billing.yml"
    )
    with pytest.raises(ConfigError) as info:
        load_sets({"nordlink": TELECOM, "billing-team": broken})
    message = info.value.message
    assert message.startswith(f"standards set 'billing-team' ({broken}) is invalid")
    assert "acme.no-asap flags 'Fix ASAP.'" in message


def test_load_sets_refuses_missing_and_invalid_files(tmp_path):
    with pytest.raises(ConfigError, match="no such standards file"):
        load_sets({"gone": tmp_path / "gone.yml"})
    with pytest.raises(ConfigError, match="unknown key"):
        load_sets({"typo": write(tmp_path, "chekcs: {}\n")})
    with pytest.raises(ConfigError, match="names must be non-empty"):
        load_sets({"": TELECOM})


# ----------------------------------------------------------------------------------------- the CLI


def test_cli_lint_ok_and_failing(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["standards", "lint", str(TELECOM)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"{TELECOM}: OK")
    bad = write(tmp_path, "rules:\n  - id: acme.x\n    kind: existence\n")
    result = runner.invoke(main, ["standards", "lint", str(bad)])
    assert result.exit_code == 3
    assert f"{bad}:2: rules.0 (acme.x)" in result.output and "Traceback" not in result.output


def test_cli_show_and_check_with_standards(tmp_path, lexicon_only):
    runner = CliRunner()
    result = runner.invoke(main, ["standards", "show", str(TELECOM)])
    assert result.exit_code == 0 and "nordlink.no-policy-talk" in result.output
    result = runner.invoke(main, ["standards", "show"])
    assert result.exit_code == 0 and result.output.startswith("standards: default")
    reply = ROOT / "examples" / "standards" / "telecom-reply.txt"
    complaint = ROOT / "examples" / "standards" / "telecom-complaint.txt"
    args = ["check", str(reply), "--context", str(complaint), "--format", "json"]
    default = json.loads(runner.invoke(main, args).output)
    team = json.loads(runner.invoke(main, [*args, "--standards", str(TELECOM)]).output)
    assert team["standards"] == "nordlink-care" and default["standards"] == "default"
    team_checks = {f["check"] for f in team["findings"]}
    assert {"promo_clash", "nordlink.acknowledge-first", "nordlink.no-policy-talk"} <= team_checks
    assert not {f["check"] for f in default["findings"]} & {"promo_clash", "nordlink.acknowledge-first"}
    result = runner.invoke(main, ["check", str(reply), "--standards", str(tmp_path / "none.yml")])
    assert result.exit_code == 3 and "no such standards file" in result.output



def test_every_default_file_lints_clean_with_its_patterns_compiled():
    """The defaults load without compiling their patterns (a language compiles its own on first use),
    so lint is what proves every packaged pattern valid and every cue example right."""
    for path in default_paths():
        ok, problems = lint(path)
        assert ok, (path.name, problems)
