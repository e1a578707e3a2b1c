"""The hybrid engine: the trained heads on the real encoder, the engine the report names, refusals and
fallbacks, context classification, and the artifacts in the wheel."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import wording
from wording import classifier, pipeline
from wording.context import context_jsonl
from wording.errors import ModelUnavailable
from wording.lexicon import LexiconScorer
from wording.scoring import SentenceSpan
from wording.standards import default_standards
from wording.types import ContextType, Role

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def hybrid() -> classifier.HybridScorer:
    return classifier.HybridScorer.load(LexiconScorer(default_standards()))


def labels(scorer, text: str, lang: str) -> tuple[set[Role], set[Role]]:
    """(roles the engine gives ``text`` as one sentence, roles its lexicon cues alone give)."""
    scored = scorer.score(text, [SentenceSpan(0, len(text), text)], lang, None)
    got = {r for r, v in scored.roles[0].items() if v >= scored.thresholds[r]}
    return got, {c.role for c in scored.cues[0]}


@pytest.fixture
def fresh_engines():
    """Forget the engines chosen so far (they depend on the environment), before and after."""
    pipeline._scorers.clear()
    yield
    pipeline._scorers.clear()


# ------------------------------------------------------------------------------------- the report


def test_the_report_names_the_hybrid_engine_and_its_encoder(fresh_engines, monkeypatch):
    monkeypatch.delenv("WORDING_ENGINE", raising=False)
    report = wording.check(
        "Sorry for the wait. Your refund went through today.", context="Where is my refund?!"
    )
    assert report.engine.name == "hybrid"
    assert report.engine.reason is None
    assert "e5" in (report.engine.encoder or "")
    assert report.context.source == "context"


def test_wording_engine_lexicon_gives_the_lexicon_with_a_reason(fresh_engines, monkeypatch):
    monkeypatch.setenv("WORDING_ENGINE", "lexicon")
    report = wording.check("Sorry for the wait.", context="Where is my refund?!")
    assert report.engine.name == "lexicon"
    assert "WORDING_ENGINE=lexicon" in (report.engine.reason or "")


def test_one_encoder_pass_per_check(hybrid, fresh_engines, monkeypatch):
    monkeypatch.delenv("WORDING_ENGINE", raising=False)
    wording.check("Hello.", language="en")  # load everything first
    encoder = pipeline._scorers[id(default_standards())].encoder
    encoder.clear_cache()
    calls = []
    real = encoder.forward
    monkeypatch.setattr(encoder, "forward", lambda texts: calls.append(len(texts)) or real(texts))
    draft = "Hi Tom,\nYour parcel left our depot this morning. It should reach you on Friday.\nBest,\nAnna"
    wording.check(draft, context="Where is my parcel? It is three days late.", verify=False)
    assert len(calls) == 1 and calls[0] >= 5  # every sentence and the customer's message together
    wording.check(draft, context="Where is my parcel? It is three days late.", verify=False)
    assert len(calls) == 1  # the same sentences again: all from the embedding cache
    pipeline.clear_caches()
    wording.check(draft, context="Where is my parcel? It is three days late.", verify=False)
    assert len(calls) == 2  # clear_caches() empties the embedding cache


# ------------------------------------------------------------------------- roles without marker words

MARKER_FREE = [
    # (language, sentence, role the model must find although no lexicon cue gives it)
    ("en", "The factory stopped making spare motors for this model in 2019.", Role.BAD_NEWS),
    (
        "en",
        "From June, fiber broadband reaches your street: 1 Gbit for the price of your current plan.",
        Role.PROMOTION,
    ),
    ("en", "The missing bag was located in Frankfurt and lands with you tomorrow.", Role.GOOD_NEWS),
    ("ru", "Запчасти к этой модели завод больше не делает.", Role.BAD_NEWS),
    ("ru", "Ваш чемодан нашёлся в Риге, завтра его привезут домой.", Role.GOOD_NEWS),
    ("lv", "Rūpnīca šim modelim rezerves daļas vairs neizgatavo.", Role.BAD_NEWS),
    ("ar", "توقف تصنيع هذا الطراز ولم تعد قطع الغيار متوفرة.", Role.BAD_NEWS),
    ("ar", "تم تحويل المبلغ المسترد إلى حسابك صباح اليوم.", Role.GOOD_NEWS),
    ("hy", "Ձեր ճամպրուկը գտնվել է Ֆրանկֆուրտում և վաղը կառաքվի Ձեր տուն։", Role.GOOD_NEWS),
]


@pytest.mark.parametrize(("lang", "text", "role"), MARKER_FREE, ids=[f"{m[0]}-{m[2]}" for m in MARKER_FREE])
def test_roles_without_marker_words(hybrid, lang, text, role):
    got, cued = labels(hybrid, text, lang)
    assert role not in cued, "the example should have no lexicon cue for the role"
    assert role in got


def test_lexicon_cues_and_tags_are_passed_through(hybrid):
    text = "Please send us your order number and call our logistics department on 0800 555 0101."
    scored = hybrid.score(
        text, [SentenceSpan(0, len(text), text)], "en", "My parcel is late. Order WM-20931."
    )
    lexicon = LexiconScorer(default_standards()).score(text, [SentenceSpan(0, len(text), text)], "en", None)
    assert scored.cues == lexicon.cues
    assert any(c.tag and c.tag.startswith("ask:") for c in scored.cues[0])
    got = {r for r, v in scored.roles[0].items() if v >= scored.thresholds[r]}
    assert Role.CUSTOMER_EFFORT in got


def test_an_exception_of_the_lexicon_is_not_an_apology(hybrid):
    got, _ = labels(hybrid, "There is no need to apologize, it happens!", "en")
    assert Role.APOLOGY not in got


# ------------------------------------------------------------------ kinds of effort, exclusive roles

EFFORT = [
    # (language, customer's message, reply, kind of the effort sentence, finding expected)
    (
        "en",
        "My kettle stopped working after two weeks.",
        "I'm sorry the kettle stopped working. "
        "Warranty repairs for this model are done by the manufacturer's service centre in Leeds.",
        "redirect",
        True,
    ),
    (
        "en",
        "How do I turn on two-factor login?",
        "Open Settings > Security in the app and switch on two-step sign-in.",
        "instruction",
        False,
    ),
    (
        "ru",
        "Как подключить автоплатёж?",
        "Откройте раздел «Платежи» в приложении и включите автоплатёж для вашей карты.",
        "instruction",
        False,
    ),
]


@pytest.mark.parametrize(
    ("lang", "context", "draft", "kind", "flagged"), EFFORT, ids=[f"{e[0]}-{e[3]}" for e in EFFORT]
)
def test_the_model_tells_a_redirect_from_a_self_service_step(
    fresh_engines, monkeypatch, lang, context, draft, kind, flagged
):
    monkeypatch.delenv("WORDING_ENGINE", raising=False)
    report = wording.check(draft, context=context, language=lang)
    last = report.sentences[-1]
    assert not [c for c in last.cues if c.role == Role.CUSTOMER_EFFORT], "the example must have no cue"
    if Role.CUSTOMER_EFFORT in last.labels:
        assert last.effort == kind
    else:
        assert last.effort is None
    assert ("customer_effort" in {f.check for f in report.findings}) is flagged


def test_exclusive_pairs_come_from_the_labels():
    import numpy as np

    y = np.zeros((300, 3), dtype=bool)
    y[:100, 0] = True  # role 0 and role 1 never together
    y[100:200, 1] = True
    y[:60, 2] = y[100:160, 2] = True  # role 2 goes with both
    assert classifier.exclusive_pairs(y) == [(0, 1)]
    y[100:103, 0] = True  # 3 of 100: more than 2% together
    assert classifier.exclusive_pairs(y) == []


def test_a_cue_phrase_wins_over_an_exclusive_role_only_the_model_gives():
    import numpy as np

    pairs = [(0, 1)]
    combined = np.array([[0.9, 0.8], [0.7, 0.9], [0.6, 0.9], [0.9, 0.9]], dtype=np.float32)
    lexicon = np.array([[0.0, 0.9], [0.0, 0.0], [0.9, 0.0], [0.9, 0.9]], dtype=np.float32)
    out = classifier.apply_exclusions(combined, lexicon, pairs)
    passed = (out >= 0.5).tolist()
    assert passed == [
        [False, True],  # the cue's role stays although the model is surer of the other
        [False, True],  # two model-only roles: the surer one stays
        [True, False],
        [True, True],  # two cue phrases: left alone
    ]
    assert combined[0, 0] == pytest.approx(0.9)  # the input is not modified


def test_a_redirect_is_not_a_next_step_unless_a_cue_says_so():
    import numpy as np

    roles = list(classifier.ROLES)
    e, n = roles.index(Role.CUSTOMER_EFFORT), roles.index(Role.NEXT_STEP)
    combined = np.zeros((3, len(roles)), dtype=np.float32)
    combined[:, e] = combined[:, n] = 0.8
    lexicon = np.zeros_like(combined)
    lexicon[2, n] = 0.9
    out = classifier.hold_for_redirects(combined, lexicon, ["redirect", "instruction", "redirect"], [n])
    assert (out[:, n] >= 0.5).tolist() == [False, True, True]
    assert classifier.effort_choice([[0.6, 0.3, 0.1], [0.4, 0.2, 0.4], [0.4, 0.5, 0.1]], 0.5) == [
        "redirect",
        "instruction",
        "ask",
    ]


def test_artifacts_without_the_effort_calibration_are_refused(tmp_path, hybrid):
    folder = _copy_artifacts(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    del manifest["redirect_threshold"]
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ModelUnavailable, match="incomplete"):
        classifier.load_artifacts(folder, hybrid.encoder.identity)


# ------------------------------------------------------------------------------- on the golden cases


def test_on_the_golden_cases_the_model_finds_more_without_marker_words_and_few_false_alarms(
    fresh_engines, monkeypatch
):
    """The part of the issue's bar the hybrid meets today (docs/quality.md): more of the marker-free
    cases right than the lexicon, and false alarms on at most 1 in 10 clean drafts (it is at 6 of 131).
    Being as good as the lexicon on every check is not met yet and is not asserted."""
    from wording.evaluate import load_cases, run_case

    cases = load_cases()
    free = [c for c in cases if c.marker_free]
    clean = [c for c in cases if not c.expect]
    monkeypatch.setenv("WORDING_ENGINE", "lexicon")
    pipeline._scorers.clear()
    lexicon_right = sum(run_case(c) == set(c.expect) for c in free)
    monkeypatch.setenv("WORDING_ENGINE", "hybrid")
    pipeline._scorers.clear()
    hybrid_right = sum(run_case(c) == set(c.expect) for c in free)
    alarms = sum(bool(run_case(c)) for c in clean)
    assert hybrid_right > lexicon_right, (hybrid_right, lexicon_right)
    assert alarms <= len(clean) // 10, f"{alarms} of {len(clean)} clean drafts got a finding"


# ------------------------------------------------------------------------------------------- context

MESSAGES = [
    ("en", "Oh wonderful, the router died again the day after your technician left.", ContextType.COMPLAINT),
    ("en", "Do you deliver to Tartu, and how long does it usually take?", ContextType.INQUIRY),
    ("en", "Just wanted to say the technician yesterday was brilliant, thank you!", ContextType.PRAISE),
    ("ru", "Заказ так и не пришёл, а в поддержке никто не отвечает уже неделю.", ContextType.COMPLAINT),
    ("ru", "Подскажите, пожалуйста, можно ли изменить адрес доставки?", ContextType.INQUIRY),
    ("lv", "Cik maksā piegāde uz Liepāju?", ContextType.INQUIRY),
    ("lv", "Paldies, kurjers bija ļoti laipns un atbrauca laikā!", ContextType.PRAISE),
    ("ar", "الإنترنت مقطوع منذ ثلاثة أيام ولم يتصل بي أحد!", ContextType.COMPLAINT),
    ("ar", "شكراً جزيلاً، المندوب كان لطيفاً جداً ووصل في الموعد!", ContextType.PRAISE),
    ("hy", "Ի՞նչ արժե առաքումը Գյումրի։", ContextType.INQUIRY),
]


@pytest.mark.parametrize(("lang", "text", "kind"), MESSAGES, ids=[f"{m[0]}-{m[2]}" for m in MESSAGES])
def test_classify_context_uses_the_context_head(fresh_engines, monkeypatch, lang, text, kind):
    monkeypatch.delenv("WORDING_ENGINE", raising=False)
    result = wording.classify_context(text, language=lang)
    assert result["engine"] == "hybrid"
    assert result["type"] == kind, result["scores"]
    assert abs(sum(result["scores"].values()) - 1.0) < 1e-3


def test_context_jsonl_lines(fresh_engines, monkeypatch):
    monkeypatch.delenv("WORDING_ENGINE", raising=False)
    src = io.StringIO(
        json.dumps({"id": "a", "text": "My card was charged twice for the same order!"})
        + "\n"
        + json.dumps({"id": "b", "text": ""})
        + "\n"
    )
    out = io.StringIO()
    assert context_jsonl(src, out) == 1
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert (
        first["id"] == "a"
        and first["type"] == "complaint"
        and set(first["scores"]) == {t.value for t in ContextType}
    )
    assert second["error"]["code"] == "empty_draft"


# --------------------------------------------------------------------------------- refusing artifacts


def _copy_artifacts(tmp_path: Path) -> Path:
    dst = tmp_path / "artifacts"
    shutil.copytree(classifier.artifacts_dir(), dst)
    return dst


def test_artifacts_trained_on_another_encoder_are_refused(tmp_path, hybrid, fresh_engines, monkeypatch):
    folder = _copy_artifacts(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["encoder"]["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ModelUnavailable, match="trained on encoder"):
        classifier.load_artifacts(folder, hybrid.encoder.identity)
    monkeypatch.setenv("WORDING_MODEL_DIR", str(folder))
    monkeypatch.delenv("WORDING_ENGINE", raising=False)
    report = wording.check("Sorry for the wait.", context="Where is my refund?!")
    assert report.engine.name == "lexicon"  # never silent: the reason says why
    assert "trained on encoder" in (report.engine.reason or "")
    monkeypatch.setenv("WORDING_ENGINE", "hybrid")
    pipeline._scorers.clear()
    with pytest.raises(ModelUnavailable):
        wording.check("Sorry for the wait.", context="Where is my refund?!")


def test_tampered_weights_are_refused(tmp_path, hybrid):
    folder = _copy_artifacts(tmp_path)
    weights = folder / classifier.WEIGHTS_FILE
    data = bytearray(weights.read_bytes())
    data[-5] ^= 0x01
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelUnavailable, match="sha256"):
        classifier.load_artifacts(folder, hybrid.encoder.identity)


def test_missing_artifacts_fall_back_with_the_reason(tmp_path, fresh_engines, monkeypatch):
    monkeypatch.setenv("WORDING_MODEL_DIR", str(tmp_path / "nothing-here"))
    monkeypatch.delenv("WORDING_ENGINE", raising=False)
    scorer = classifier.get_scorer(LexiconScorer(default_standards()))
    assert scorer.name == "lexicon"
    assert "make train" in scorer.reason


def test_another_encoder_checkpoint_is_refused_by_the_heads(hybrid, fresh_engines, monkeypatch, tmp_path):
    """WORDING_ENCODER names a local checkpoint; the packaged heads were not trained on it."""
    from wording import encoder as enc_mod

    folder = tmp_path / "my-e5"
    hybrid.encoder.model.save_pretrained(folder)
    hybrid.encoder.tokenizer.save_pretrained(folder)
    monkeypatch.setenv("WORDING_ENCODER", str(folder))
    monkeypatch.setenv("WORDING_ENCODER_SHA256", enc_mod.sha256_file(folder / "model.safetensors"))
    monkeypatch.delenv("WORDING_ENGINE", raising=False)
    other = enc_mod.get_encoder()
    assert other.source == "checkpoint" and other.identity != hybrid.encoder.identity
    scorer = classifier.get_scorer(LexiconScorer(default_standards()))
    assert scorer.name == "lexicon" and "trained on encoder" in scorer.reason
    enc_mod._loaded.clear()


# ------------------------------------------------------------------------------------------- the wheel


def test_the_wheel_ships_the_artifacts_and_they_load_from_it(tmp_path, hybrid):
    out = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        cwd=tmp_path,
    )
    (whl,) = out.glob("wording-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    assert f"models/artifacts/{classifier.WEIGHTS_FILE}" in names
    assert f"models/artifacts/{classifier.MANIFEST_FILE}" in names
    site = tmp_path / "site"
    zipfile.ZipFile(whl).extractall(site)
    # installed elsewhere, wording finds the artifacts beside itself ...
    code = (
        "import sys, wording.classifier as c; assert c.__file__.startswith(sys.argv[1]); "
        "print(c.artifacts_dir())"
    )
    env = {k: v for k, v in os.environ.items() if k != "WORDING_MODEL_DIR"}
    env["PYTHONPATH"] = str(site)
    found = subprocess.run(
        [sys.executable, "-c", code, str(site)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(found) == site / "models" / "artifacts"
    # ... and they pass every check of the loader (sha256 of each file, encoder, labels) and score alike
    shipped = classifier.HybridScorer(
        hybrid.lexicon, hybrid.encoder, classifier.load_artifacts(Path(found), hybrid.encoder.identity)
    )
    text = "The factory stopped making spare motors for this model in 2019."
    span = [SentenceSpan(0, len(text), text)]
    assert shipped.score(text, span, "en", None).roles == hybrid.score(text, span, "en", None).roles
