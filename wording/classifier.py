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

Kind of effort (redirect / ask / instruction): a third head, trained on the sentences labelled
customer_effort, says what kind of effort a sentence asks of the customer (models/data/DATA.md). The
customer_effort check turns a sentence the model alone marks as effort into a finding only when it is
a redirect; a single ask or a self-service instruction is normal service. It is a redirect when the
effort head's probability of "redirect" reaches a threshold calibrated on the validation split.

Exclusive roles. Some roles (almost) never share a sentence in the annotated data: good_news and
bad_news, promotion and good_news, customer_effort and action or next_step, ... (``exclusive_pairs``:
together in at most 2% of the rarer role's sentences; the list is in the manifest). When both pass in
one sentence, a role from a cue phrase wins over a role only the model gives, and between two
model-only roles the surer one stays (``apply_exclusions``). Likewise a redirect sentence keeps
none of the roles redirects (almost) never have, next_step among them, unless a cue phrase gives one
(``hold_for_redirects``).

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

FORMAT = 2
EFFORT_KINDS: tuple[str, ...] = ("redirect", "ask", "instruction")
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
    """The role, context and effort heads as one torch module (``models/train.py`` trains it).

    ``arch``: ``dim``, ``role_hidden``, ``role_layers``, ``context_hidden``, ``context_layers``,
    ``effort_hidden``, ``effort_layers``.
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
            # the kind of customer effort (redirect / ask / instruction) of a sentence with that role
            self.effort = mlp(
                dim,
                int(arch.get("effort_hidden", 0)),
                int(arch.get("effort_layers", 0)),
                len(EFFORT_KINDS),
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


def exclusive_pairs(labels: Any, share: float = 0.02, min_support: int = 50) -> list[tuple[int, int]]:
    """Pairs of roles (indices) the annotation almost never gives one sentence together: both occur
    at least ``min_support`` times and together in at most ``share`` of the rarer one's sentences
    (e.g. good_news and bad_news, promotion and good_news). ``labels``: (n, roles) boolean array."""
    import numpy as np

    y = np.asarray(labels, dtype=bool)
    count = y.sum(0)
    both = y.T.astype(np.int64) @ y.astype(np.int64)
    return [
        (a, b)
        for a in range(y.shape[1])
        for b in range(a + 1, y.shape[1])
        if min(count[a], count[b]) >= min_support and both[a, b] <= share * min(count[a], count[b])
    ]


def roles_rare_in(labels: Any, rows: Any, share: float = 0.02, min_support: int = 50) -> list[int]:
    """Roles (indices) with at least ``min_support`` sentences in ``labels`` that occur in at most
    ``share`` of the sentences selected by the boolean mask ``rows`` (e.g. the redirects)."""
    import numpy as np

    y = np.asarray(labels, dtype=bool)
    mask = np.asarray(rows, dtype=bool)
    return [
        j
        for j in range(y.shape[1])
        if y[:, j].sum() >= min_support and y[mask, j].sum() <= share * mask.sum()
    ]


BELOW = 0.49  # a score held just below the threshold


def apply_exclusions(combined: Any, lexicon: Any, pairs: Sequence[tuple[int, int]]) -> Any:
    """Resolve two exclusive roles that both pass in one sentence (scores pass at 0.5).

    A role the lexicon's cue phrase gives wins over one only the model gives; between two roles only
    the model gives, the one it is surer of (higher combined score) stays. Two cue phrases are left
    alone. The losing role's score is held just below 0.5. Arrays of shape (n, roles); returns a copy.
    """
    import numpy as np

    out = np.array(combined, dtype=np.float32, copy=True)
    cue = np.asarray(lexicon) >= DEFAULT_THRESHOLD
    for a, b in pairs:
        clash = (out[:, a] >= DEFAULT_THRESHOLD) & (out[:, b] >= DEFAULT_THRESHOLD)
        for i in np.flatnonzero(clash):
            if cue[i, a] and cue[i, b]:
                continue
            if cue[i, a] or (not cue[i, b] and out[i, a] >= out[i, b]):
                out[i, b] = min(out[i, b], BELOW)
            else:
                out[i, a] = min(out[i, a], BELOW)
    return out


def hold_for_redirects(
    combined: Any, lexicon: Any, efforts: Sequence[str | None], roles: Sequence[int]
) -> Any:
    """In a sentence that passes customer_effort as a redirect, hold the ``roles`` a redirect (almost)
    never has in the data (e.g. next_step: sending the customer elsewhere is not a next step) below
    0.5, unless a cue phrase gives them. Arrays of shape (n, roles); modified in place and returned."""
    effort = ROLES.index(Role.CUSTOMER_EFFORT)
    for i, kind in enumerate(efforts):
        if kind == EFFORT_KINDS[0] and combined[i, effort] >= DEFAULT_THRESHOLD:
            for j in roles:
                if lexicon[i, j] < DEFAULT_THRESHOLD:
                    combined[i, j] = min(combined[i, j], BELOW)
    return combined


def effort_choice(probs: Any, redirect_threshold: float) -> list[str]:
    """Kind of effort per sentence from the effort head's softmax ``probs`` (n, 3): a redirect when its
    probability reaches the calibrated threshold, else the likelier of ask and instruction."""
    out = []
    for row in probs:
        if float(row[0]) >= redirect_threshold:
            out.append(EFFORT_KINDS[0])
        else:
            out.append(EFFORT_KINDS[1] if float(row[1]) >= float(row[2]) else EFFORT_KINDS[2])
    return out


@dataclass(frozen=True)
class Artifacts:
    heads: Any  # the torch module (eval mode)
    thresholds: dict[Role, float]  # the model's thresholds (the combined score passes at 0.5)
    encoder_sha256: str
    manifest: dict[str, Any]
    folder: Path
    exclusive: tuple[tuple[int, int], ...] = ()  # role index pairs (see exclusive_pairs)
    redirect_threshold: float = 0.5
    not_with_redirect: tuple[int, ...] = ()  # roles (indices) a redirect sentence (almost) never has


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
    if (
        list(manifest.get("roles", [])) != [str(r) for r in ROLES]
        or list(manifest.get("context_types", [])) != [str(t) for t in CONTEXT_TYPES]
        or list(manifest.get("effort_kinds", [])) != list(EFFORT_KINDS)
    ):
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
    names = [str(r) for r in ROLES]
    try:
        exclusive = tuple(
            (names.index(a), names.index(b)) for a, b in manifest.get("exclusive_roles", [])
        )
        redirect = float(manifest["redirect_threshold"])
        not_with_redirect = tuple(names.index(r) for r in manifest["not_with_redirect"])
    except (KeyError, ValueError, TypeError) as exc:
        raise ModelUnavailable(f"the classifier manifest is incomplete: {exc}") from None
    return Artifacts(
        heads.eval(), thresholds, trained_on, manifest, folder, exclusive, redirect, not_with_redirect
    )


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

    def effort_kinds(self, embeddings) -> list[str | None]:  # type: ignore[no-untyped-def]
        """The kind of customer effort per sentence (see ``effort_choice``); meaningful only where the
        sentence has the customer_effort role."""
        import torch

        with torch.inference_mode():
            probs = torch.softmax(self.heads.effort(embeddings), dim=-1).tolist()
        return [*effort_choice(probs, self.artifacts.redirect_threshold)]

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
        efforts: list[str | None] = []
        if sentences:
            lex = torch.tensor(
                [[scores[r] for r in ROLES] for scores in _lexicon_roles(self.lexicon, cues, language)],
                dtype=torch.float32,
            )
            probs = self.role_probabilities(embeddings[: len(sentences)], lex)
            probs = apply_exclusions(probs.numpy(), lex.numpy(), self.artifacts.exclusive)
            efforts = self.effort_kinds(embeddings[: len(sentences)])
            probs = hold_for_redirects(probs, lex.numpy(), efforts, self.artifacts.not_with_redirect)
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
            effort=efforts if sentences else [],
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
