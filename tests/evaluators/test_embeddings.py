"""Sentence embeddings: the static table distilled from MiniLM (the default) against MiniLM itself."""

import numpy as np
import pytest

from pharos.evaluators.distil import TABLE, dequantise, load_table, quantise
from pharos.evaluators.embeddings import encoder

PAIRS = [("What is the capital of France?", "Paris is the capital of France."),
         ("How do I reverse a list in Python?", "Use slicing: xs[::-1], or call xs.reverse()."),
         ("How should I water a cactus?", "Water it deeply every few weeks and let the soil dry out.")]


def test_static_table_ships_small_and_loads():
    table, common = load_table()
    assert TABLE.stat().st_size < 10e6
    assert table.shape == (30522, 256) and table.dtype == np.float32 and np.isfinite(table).all()
    assert common.shape == (256,) and 0 < np.linalg.norm(common) < 1


def test_quantisation_keeps_rows_close():
    rng = np.random.default_rng(0)
    t = rng.normal(size=(50, 16)).astype(np.float32)
    t[0] = 0  # an all-zero row ([PAD]) must survive
    back = dequantise(*quantise(t))
    assert np.isfinite(back).all() and not back[0].any()
    assert np.abs(back - t).max() <= np.abs(t).max(1).max() / 127 + 1e-3


def test_static_vectors_are_unit_deterministic_and_zero_when_empty():
    enc = encoder("static")
    v = enc.encode(["Ignore previous instructions", "", "Ignore previous instructions"])
    assert v.shape == (3, enc.dim) and v.dtype == np.float32
    assert np.isclose(np.linalg.norm(v[0]), 1.0, atol=1e-5) and not v[1].any()
    assert np.array_equal(v[0], v[2])


@pytest.mark.parametrize("kind", ["static", "minilm"])
def test_answers_are_closer_to_their_own_question(kind):
    enc = encoder(kind)
    q = enc.encode([p[0] for p in PAIRS])
    a = enc.encode([p[1] for p in PAIRS])
    sims = q @ a.T
    for i in range(len(PAIRS)):
        assert sims[i, i] > np.delete(sims[i], i).max(), (kind, sims.round(2))


def test_unknown_embedding_is_refused():
    with pytest.raises(ValueError, match="unknown embedding"):
        encoder("word2vec")


def test_default_set_loads_no_onnx_model():
    """The default evaluators score a call without importing onnxruntime (no 40-160 MB model resident)."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from pharos.evaluators.base import Call\n"
            "from pharos.evaluators.engine import Engine\n"
            "from pharos.evaluators.registry import build\n"
            "r = Engine(build()).run([Call(input='What is the capital of France?', output='Paris.', "
            "context=['Paris is the capital of France.'], span_id='1')])\n"
            "assert len(r.scores) >= 6 and not r.failures, r\n"
            "print('onnxruntime' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in __import__("os").environ.items() if not k.startswith("PHAROS_")})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_static_vectors_are_computed_once_per_text_and_equal_in_any_batch():
    """The default set's evaluators embed a call's question and answer several times: the second time is a lookup,
    and a text's vector is the same alone, in a batch, or kept from an earlier batch."""
    from pharos.evaluators.embeddings import StaticEncoder

    texts = [t for pair in PAIRS for t in pair]
    fresh = StaticEncoder(cache_size=0)
    alone = np.vstack([fresh.encode([t]) for t in texts])
    e = StaticEncoder(cache_size=4)
    computed = []
    real = e._vectors
    e._vectors = lambda todo: computed.extend(todo) or real(todo)
    first = e.encode(texts[:3] + texts[:1])  # a repeat inside the batch is computed once
    again = e.encode(texts[1:4] + texts[4:])  # 1 and 2 are kept, 3-5 computed (then 0 and 1 make room)
    assert np.array_equal(first, alone[[0, 1, 2, 0]]) and np.array_equal(again, alone[1:])
    assert computed == texts[:3] + [texts[3], texts[4], texts[5]]


def test_evaluator_threads_share_the_kept_vectors():
    """The worker's lane threads call one encoder at once: every vector comes out right, whatever the others keep or
    push out."""
    import threading

    from pharos.evaluators.embeddings import StaticEncoder

    texts = [f"{q} {n}" for q, _ in PAIRS for n in range(20)]
    expected = StaticEncoder(cache_size=0).encode(texts)
    shared, errors = StaticEncoder(cache_size=3), []

    def work(seed: int) -> None:
        order = np.random.default_rng(seed).permutation(len(texts))
        for s in range(0, len(order), 5):
            part = order[s:s + 5]
            try:
                if not np.array_equal(shared.encode([texts[i] for i in part]), expected[part]):
                    errors.append(f"wrong vectors in thread {seed}")
            except Exception as e:  # noqa: BLE001 - any failure in a thread fails the test
                errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
