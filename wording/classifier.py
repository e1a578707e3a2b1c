"""The hybrid engine: trained heads on the frozen e5 encoder, combined with the lexicon's evidence.

Roles (multi-label, one score per role and sentence). The role head (a small MLP on the sentence's
e5 embedding, trained by ``models/train.py``) gives a probability ``p`` per role; the lexicon gives its
own score ``x`` (the weight of the strongest cue phrase in the sentence, 0 without one; a cue passes at
0.5). They are combined as "lexicon OR model"::

    score = max(x, g(p))       g: piecewise linear, g(0) = 0, g(t) = 0.5, g(1) = 1

where ``t`` is the role's threshold for the model, calibrated on the validation split (the value in
[0.5, 0.95] that maximises the validation F1 of the combined labels). Every role thus passes at 0.5:
a cue phrase the lexicon trusts still gives the role (the lexicon's exceptions, e.g. "no need to
apologize", keep working), and the model adds the role to sentences without any marker word when it is
confident. The model never removes a role the lexicon found: on the validation split the lexicon's
cues are precise and its misses are what the model is for. The lexicon's cues (with their tags, e.g.
``ask:order_number`` or ``redirect``) are passed through unchanged: the checks need them.

Context type (complaint / inquiry / praise / other): the context head (an MLP on the embedding of the
whole customer message) gives softmax probabilities. Without a message, the type is inferred from the
draft's roles (an apology or empathy suggests a complaint) and the report says so.

The artifacts (``models/artifacts``, or ``WORDING_MODEL_DIR``) are a safetensors file with the heads'
weights and thresholds and ``manifest.json`` (label maps, thresholds, architecture, the sha256 of the
encoder they were trained on and of every artifact file). :meth:`HybridScorer.load` refuses artifacts
whose files do not match their manifest, or that were trained on another encoder.

``get_scorer`` picks the engine: ``WORDING_ENGINE=lexicon`` gives the lexicon (with that reason);
otherwise the hybrid, or, when it cannot load, the lexicon with the reason. Never silently.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import ModelUnavailable
from .scoring import DEFAULT_THRESHOLD, Scored, SentenceSpan
from .types import ROLES, ContextType, Role

log = logging.getLogger(__name__)

FORMAT = 1
CONTEXT_TYPES: tuple[ContextType, ...] = (
    ContextType.COMPLAINT,
    ContextType.INQUIRY,
    ContextType.PRAISE,
    ContextType.OTHER,
)
WEIGHTS_FILE = "heads.safetensors"
MANIFEST_FILE = "manifest.json"


def artifacts_dir() -> Path:
    """``WORDING_MODEL_DIR``, else ``models/artifacts`` beside the ``wording`` package (repo or wheel)."""
    raw = os.environ.get("WORDING_MODEL_DIR")
    if raw:
        return Path(raw).expanduser()
    return Path(__file__).resolve().parent.parent / "models" / "artifacts"


# ------------------------------------------------------------------------------------------- heads


def mlp(dim: int, hidden: int, layers: int, out: int, dropout: float = 0.0):  # type: ignore[no-untyped-def]
    """``layers`` hidden layers of width ``hidden`` (GELU, dropout), then a linear output layer."""
    from torch import nn

    mods: list[nn.Module] = [nn.Dropout(dropout)]
    width = dim
    for _ in range(layers if hidden > 0 else 0):
        mods += [nn.Linear(width, hidden), nn.GELU(), nn.Dropout(dropout)]
        width = hidden
    mods.append(nn.Linear(width, out))
    return nn.Sequential(*mods)


def make_heads(arch: dict[str, int], dropout: float = 0.0):  # type: ignore[no-untyped-def]
    """The role head and the context head as one torch module (``models/train.py`` trains it).

    ``arch``: ``dim``, ``role_hidden``, ``role_layers``, ``context_hidden``, ``context_layers``.
    """
    import torch
    from torch import nn

    dim = int(arch["dim"])

    class Heads(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.roles = mlp(
                dim, int(arch["role_hidden"]), int(arch.get("role_layers", 1)), len(ROLES), dropout
            )
            self.context = mlp(
                dim,
                int(arch["context_hidden"]),
                int(arch.get("context_layers", 1)),
                len(CONTEXT_TYPES),
                dropout,
            )
            # the model's per-role thresholds (calibrated on validation), kept with the weights
            self.register_buffer("thresholds", torch.full((len(ROLES),), 0.5))

        def combined(self, p: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
            """max(x, g(p)): g maps the model's threshold t to 0.5, linearly on [0, t] and [t, 1]."""
            t = self.thresholds
            g = torch.where(p < t, 0.5 * p / t, 0.5 + 0.5 * (p - t) / (1 - t).clamp(min=1e-6))
            return torch.maximum(x, g.clamp(0.0, 1.0))

    return Heads()


@dataclass(frozen=True)
class Artifacts:
    heads: Any  # the torch module (eval mode)
    thresholds: dict[Role, float]  # the model's thresholds (the combined score passes at 0.5)
    encoder_sha256: str
    manifest: dict[str, Any]
    folder: Path


def _sha256(path: Path) -> str:
    from .encoder import sha256_file

    return sha256_file(path)


def load_artifacts(folder: Path, encoder_sha256: str) -> Artifacts:
    """Load and verify the trained heads in ``folder``, for an encoder whose weights hash to
    ``encoder_sha256``."""
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text("utf-8"))
    except FileNotFoundError:
        raise ModelUnavailable(f"no trained classifier in {folder} (run `make train`)") from None
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"the classifier manifest in {folder} cannot be read: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise ModelUnavailable(
            f"the classifier artifacts have format {manifest.get('format')!r}, expected {FORMAT}"
        )
    trained_on = (manifest.get("encoder") or {}).get("sha256")
    if trained_on != encoder_sha256:
        raise ModelUnavailable(
            f"the classifier heads were trained on encoder {str(trained_on)[:12]}…, "
            "but the encoder in use is "
            f"{encoder_sha256[:12]}…; retrain them (`make train`) for this encoder"
        )
    files = manifest.get("files") or {}
    if WEIGHTS_FILE not in files:
        raise ModelUnavailable(f"the classifier manifest in {folder} lists no {WEIGHTS_FILE}")
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            raise ModelUnavailable(f"the classifier file {name} is missing from {folder}")
        if _sha256(path) != digest:
            raise ModelUnavailable(f"the classifier file {name} does not match its sha256 in the manifest")
    if list(manifest.get("roles", [])) != [str(r) for r in ROLES] or list(
        manifest.get("context_types", [])
    ) != [str(t) for t in CONTEXT_TYPES]:
        raise ModelUnavailable("the classifier artifacts were trained for other labels")
    from safetensors.torch import load_file

    heads = make_heads(manifest["architecture"])
    try:
        heads.load_state_dict(load_file(str(folder / WEIGHTS_FILE)))
    except RuntimeError as exc:
        raise ModelUnavailable(f"the classifier weights do not fit the architecture: {exc}") from None
    thresholds = {Role(k): float(v) for k, v in manifest["thresholds"].items()}
    stored = dict(zip(ROLES, heads.thresholds.tolist(), strict=True))
    if any(abs(stored[r] - thresholds.get(r, -1.0)) > 1e-6 for r in ROLES):
        raise ModelUnavailable("the classifier thresholds in the manifest do not match the weights file")
    return Artifacts(heads.eval(), thresholds, trained_on, manifest, folder)


# ------------------------------------------------------------------------------------------ engine


class LexiconEngine:
    """The lexicon engine, with the reason the model is not in use."""

    name = "lexicon"

    def __init__(self, lexicon: Any, reason: str) -> None:
        self.lexicon, self.reason = lexicon, reason

    def score(
        self, draft: str, sentences: Sequence[SentenceSpan], language: str, context: str | None
    ) -> Scored:
        return replace(self.lexicon.score(draft, sentences, language, context), reason=self.reason)


def _lexicon_roles(lexicon: Any, cues: list, language: str) -> list[dict[Role, float]]:
    return [lexicon.sentence_scores(c, language) for c in cues]


class HybridScorer:
    """RoleScorer: the e5 encoder and trained heads, combined with the lexicon (see the module docstring)."""

    name = "hybrid"

    def __init__(self, lexicon: Any, encoder: Any, artifacts: Artifacts) -> None:
        if artifacts.encoder_sha256 != encoder.identity:
            raise ModelUnavailable("the classifier heads were trained on another encoder")
        self.lexicon = lexicon
        self.encoder = encoder
        self.artifacts = artifacts
        self.heads = artifacts.heads
        self.thresholds = {r: DEFAULT_THRESHOLD for r in ROLES}  # of the combined score
        self._pinned_languages: set[str] = set()

    @classmethod
    def load(cls, lexicon: Any, folder: Path | None = None, encoder: Any = None) -> HybridScorer:
        if encoder is None:
            from .encoder import get_encoder

            encoder = get_encoder()
        return cls(lexicon, encoder, load_artifacts(folder or artifacts_dir(), encoder.identity))

    def clear_cache(self) -> None:
        self.encoder.clear_cache()

    def _pin_phrases(self, language: str) -> None:
        """The rewrite inserts the standards' phrase banks as sentences, and check() verifies the rewrite:
        embedding those fixed sentences once per language saves a second forward pass per check."""
        if language in self._pinned_languages:
            return
        self._pinned_languages.add(language)
        try:
            ph = self.lexicon.standards.pack(language).phrases
        except Exception:  # noqa: BLE001 - only an optimisation
            return
        texts = [*ph.care, *ph.acknowledgement, ph.action, ph.next_step, ph.ownership]
        self.encoder.pin([t for t in texts if t and "{" not in t])

    # -- the parts, usable on their own (training and evaluation use them)

    def role_probabilities(self, embeddings, lexicon_scores):  # type: ignore[no-untyped-def]
        """Combined role scores, shape (n, 11), from embeddings (n, dim) and lexicon scores (n, 11)."""
        import torch

        with torch.inference_mode():
            p = torch.sigmoid(self.heads.roles(embeddings))
            return self.heads.combined(p, lexicon_scores)

    def context_probabilities(self, embeddings):  # type: ignore[no-untyped-def]
        import torch

        with torch.inference_mode():
            return torch.softmax(self.heads.context(embeddings), dim=-1)

    def classify(self, text: str) -> dict[ContextType, float]:
        probs = self.context_probabilities(self.encoder.embed([text]))[0]
        return {t: round(float(p), 4) for t, p in zip(CONTEXT_TYPES, probs, strict=True)}

    def _infer_from_draft(self, roles: list[dict[Role, float]]) -> dict[ContextType, float]:
        """A weak guess at the customer's message from the reply alone: an apology or empathy in the
        reply suggests the customer complained; otherwise inquiry or other."""
        caring = any(
            r[Role.APOLOGY] >= self.thresholds[Role.APOLOGY]
            or r[Role.EMPATHY] >= self.thresholds[Role.EMPATHY]
            for r in roles
        )
        complaint = 0.75 if caring else 0.1
        rest = round((1.0 - complaint) / 2, 4)
        return {
            ContextType.COMPLAINT: complaint,
            ContextType.INQUIRY: rest,
            ContextType.PRAISE: 0.0,
            ContextType.OTHER: rest,
        }

    # -- RoleScorer

    def score(
        self, draft: str, sentences: Sequence[SentenceSpan], language: str, context: str | None
    ) -> Scored:
        import torch

        self._pin_phrases(language)
        has_context = bool(context and context.strip())
        texts = [s.text for s in sentences] + ([context] if has_context else [])  # type: ignore[list-item]
        embeddings = self.encoder.embed(texts)  # one forward pass for everything not cached
        cues = [self.lexicon.find(s.text, language, s.start) for s in sentences]
        roles: list[dict[Role, float]] = []
        if sentences:
            lex = torch.tensor(
                [[scores[r] for r in ROLES] for scores in _lexicon_roles(self.lexicon, cues, language)],
                dtype=torch.float32,
            )
            probs = self.role_probabilities(embeddings[: len(sentences)], lex)
            roles = [{r: float(p) for r, p in zip(ROLES, row, strict=True)} for row in probs.tolist()]
        context_scores = None
        if has_context:
            probs = self.context_probabilities(embeddings[len(sentences) :])[0]
            context_scores = {t: round(float(p), 4) for t, p in zip(CONTEXT_TYPES, probs, strict=True)}
        return Scored(
            roles=roles,
            cues=cues,
            thresholds=dict(self.thresholds),
            context_scores=context_scores,
            draft_context_scores=self._infer_from_draft(roles),
            engine="hybrid",
            reason=None,
            encoder=self.encoder.name,
        )


def get_scorer(lexicon: Any) -> Any:
    """The engine ``check()`` uses: the hybrid, or the lexicon with the reason it is not the hybrid."""
    choice = (os.environ.get("WORDING_ENGINE") or "").strip().lower()
    if choice == "lexicon":
        return LexiconEngine(lexicon, "WORDING_ENGINE=lexicon: the trained classifier is switched off")
    if choice not in ("", "hybrid", "auto"):
        return LexiconEngine(lexicon, f"WORDING_ENGINE={choice!r} is not 'hybrid' or 'lexicon'")
    try:
        return HybridScorer.load(lexicon)
    except ModelUnavailable as exc:
        reason = exc.message
    except Exception as exc:  # noqa: BLE001 - any failure to load means the lexicon, with the reason
        reason = f"the classifier failed to load ({type(exc).__name__}: {exc})"
    log.warning("wording: using the lexicon engine: %s", reason)
    return LexiconEngine(lexicon, reason)
