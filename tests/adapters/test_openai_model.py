"""The OpenAI-compatible model adapter, through the real ``openai`` client against a fake server
on 127.0.0.1, and the model renderer with a stub model."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator, Sequence

import pytest

from engine.acts import Act
from engine.adapters.openai_model import OpenAIChatModel
from engine.errors import ModelUnavailable
from engine.personas import Character
from engine.rendering.model_renderer import ModelRenderer
from engine.rendering.request import RenderRequest
from tests.fakes.openai_server import FakeOpenAI

MESSAGES = [{"role": "system", "content": "You are Ada."}, {"role": "user", "content": "Hi"}]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def _model(fake: FakeOpenAI, *, timeout_s: float = 2.0, max_retries: int = 2,
           api_key: str | None = None) -> OpenAIChatModel:
    return OpenAIChatModel(fake.base_url, api_key, "llama3", timeout_s=timeout_s,
                           max_retries=max_retries)


# -- adapter ------------------------------------------------------------------------------------


def test_reply_comes_back(fake: FakeOpenAI) -> None:
    fake.queue_reply("Good day, sir.")
    model = _model(fake)
    assert model.name == "model:llama3"
    assert model.complete(MESSAGES, max_tokens=64) == "Good day, sir."


def test_request_carries_model_messages_and_limits(fake: FakeOpenAI) -> None:
    _model(fake, api_key="sk-test").complete(MESSAGES, max_tokens=77, temperature=0.3)
    (body,) = fake.requests
    assert fake.paths == ["/v1/chat/completions"]
    assert body["model"] == "llama3"
    assert body["messages"] == MESSAGES
    assert body["max_tokens"] == 77
    assert body["temperature"] == 0.3
    assert fake.headers[0]["authorization"] == "Bearer sk-test"


def test_missing_api_key_sends_a_placeholder(fake: FakeOpenAI) -> None:
    _model(fake).complete(MESSAGES, max_tokens=10)
    assert fake.headers[0]["authorization"] == "Bearer not-needed"


def test_server_error_then_success_is_retried_once(fake: FakeOpenAI) -> None:
    fake.queue_error(500)
    fake.queue_reply("Recovered.")
    assert _model(fake, max_retries=2).complete(MESSAGES, max_tokens=10) == "Recovered."
    assert len(fake.requests) == 2


def test_rate_limit_retry_after_is_honoured(fake: FakeOpenAI) -> None:
    fake.queue_rate_limit(retry_after_s=1)
    fake.queue_reply("After the wait.")
    started = time.monotonic()
    assert _model(fake, max_retries=1).complete(MESSAGES, max_tokens=10) == "After the wait."
    assert time.monotonic() - started >= 0.95
    assert len(fake.requests) == 2


def test_rate_limit_with_long_retry_after_gives_up_at_once(fake: FakeOpenAI) -> None:
    fake.queue_error(429, headers={"Retry-After": "60"})
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="429"):
        _model(fake, max_retries=3).complete(MESSAGES, max_tokens=10)
    assert time.monotonic() - started < 2
    assert len(fake.requests) == 1


def test_persistent_failure_raises_after_bounded_attempts(fake: FakeOpenAI) -> None:
    for _ in range(5):
        fake.queue_error(503)
    with pytest.raises(ModelUnavailable) as info:
        _model(fake, max_retries=2).complete(MESSAGES, max_tokens=10)
    assert len(fake.requests) == 3
    assert "3 attempt" in str(info.value)
    assert isinstance(info.value.__cause__, Exception)


def test_slow_model_times_out_within_a_bounded_time(fake: FakeOpenAI) -> None:
    fake.delay_s = 3.0
    timeout_s, retries = 0.3, 1
    model = _model(fake, timeout_s=timeout_s, max_retries=retries)
    started = time.monotonic()
    with pytest.raises(ModelUnavailable) as info:
        model.complete(MESSAGES, max_tokens=10)
    elapsed = time.monotonic() - started
    assert elapsed < timeout_s * (retries + 1) + 1.5
    message = str(info.value)
    assert fake.base_url in message
    assert "llama3" in message
    assert "timed out" in message


def test_unreachable_endpoint_raises_model_unavailable() -> None:
    with FakeOpenAI() as gone:
        url = gone.base_url
    model = OpenAIChatModel(url, None, "llama3", timeout_s=1, max_retries=1)
    with pytest.raises(ModelUnavailable, match="connection error"):
        model.complete(MESSAGES, max_tokens=10)


def test_unauthorised_is_not_retried(fake: FakeOpenAI) -> None:
    fake.queue_error(401)
    fake.queue_reply("never sent")
    with pytest.raises(ModelUnavailable, match="401") as info:
        _model(fake, max_retries=3).complete(MESSAGES, max_tokens=10)
    assert len(fake.requests) == 1
    assert "Incorrect API key" in str(info.value)


def test_bad_request_is_not_retried(fake: FakeOpenAI) -> None:
    fake.queue_error(400)
    with pytest.raises(ModelUnavailable, match="400"):
        _model(fake).complete(MESSAGES, max_tokens=10)
    assert len(fake.requests) == 1


@pytest.mark.parametrize("content", [None, "", "   \n"])
def test_empty_content_is_model_unavailable(fake: FakeOpenAI, content: str | None) -> None:
    fake.queue_reply(content)
    with pytest.raises(ModelUnavailable, match="no text"):
        _model(fake).complete(MESSAGES, max_tokens=10)
    assert len(fake.requests) == 1


def test_from_settings_reads_the_llm_settings(fake: FakeOpenAI) -> None:
    from engine.settings import Settings

    settings = Settings(llm_base_url=fake.base_url, llm_model="mistral", llm_timeout_s=3,
                        llm_max_retries=4)
    model = OpenAIChatModel.from_settings(settings)
    assert model.name == "model:mistral"
    assert model.timeout_s == 3 and model.max_retries == 4
    assert model.complete(MESSAGES, max_tokens=5) == fake.default_reply


def test_fake_server_serves_embeddings(fake: FakeOpenAI) -> None:
    import openai

    client = openai.OpenAI(base_url=fake.base_url, api_key="x", max_retries=0, timeout=5)
    result = client.embeddings.create(model="embed", input=["a", "b"])
    assert [len(d.embedding) for d in result.data] == [fake.embedding_dim] * 2
    again = client.embeddings.create(model="embed", input=["a"])
    assert again.data[0].embedding == result.data[0].embedding


# -- model renderer -----------------------------------------------------------------------------


class StubModel:
    """A language model with queued replies."""

    def __init__(self, *replies: str) -> None:
        self.name = "model:stub"
        self.replies = deque(replies)
        self.calls: list[tuple[list[dict[str, str]], int]] = []

    def complete(self, messages: Sequence[dict[str, str]], *, max_tokens: int,
                 temperature: float = 0.8) -> str:
        self.calls.append((list(messages), max_tokens))
        if not self.replies:
            raise ModelUnavailable("stub: nothing queued")
        return self.replies.popleft()


class StubFallback:
    name = "offline"

    def __init__(self) -> None:
        self.requests: list[RenderRequest] = []

    def render(self, request: RenderRequest) -> str:
        self.requests.append(request)
        return "FALLBACK"


def _request() -> RenderRequest:
    return RenderRequest(
        character=Character(name="Elizabeth Bennet"),
        act=Act.TEASE,
        target_name="Mr. Darcy",
        trigger_text="I do not dance.",
        trigger_author="Mr. Darcy",
        transcript=(("Jane", "Be kind, Lizzy."), ("Mr. Darcy", "I do not dance.")),
    )


def _renderer(*replies: str) -> tuple[ModelRenderer, StubModel, StubFallback]:
    model, fallback = StubModel(*replies), StubFallback()
    return ModelRenderer(model, fallback, max_tokens=123, max_chars=200), model, fallback


def test_renderer_calls_the_model_once_with_the_prompt() -> None:
    renderer, model, fallback = _renderer("Then you shall watch, sir.")
    assert renderer.name == "model:stub"
    assert renderer.render(_request()) == "Then you shall watch, sir."
    ((messages, max_tokens),) = model.calls
    assert max_tokens == 123
    assert messages[0]["role"] == "system" and "Elizabeth Bennet" in messages[0]["content"]
    assert "*tease* Mr. Darcy" in messages[-1]["content"]
    assert fallback.requests == []


@pytest.mark.parametrize(
    "reply", ["Elizabeth Bennet: Then watch.", "**Elizabeth:** Then watch.",
              '"Then watch."', 'Elizabeth: "Then watch."'],
)
def test_renderer_strips_the_speaker_prefix(reply: str) -> None:
    renderer, _, _ = _renderer(reply)
    assert renderer.render(_request()) == "Then watch."


def test_renderer_neutralises_mentions() -> None:
    renderer, _, _ = _renderer("Hear this, @everyone and <@1234>! @here <!channel>")
    out = renderer.render(_request())
    assert "@" not in out and "<" not in out
    assert out.startswith("Hear this, everyone")


def test_renderer_cuts_lines_written_for_others() -> None:
    renderer, _, _ = _renderer("You do not dance?\nMr. Darcy: I do not.\nJane: Lizzy!")
    assert renderer.render(_request()) == "You do not dance?"


@pytest.mark.parametrize(
    "reply", ["As an AI language model, I cannot tease.", "I'm an AI, sorry.",
              "I CANNOT ROLEPLAY that.", "   ", "Mr. Darcy: I shall speak for myself."],
)
def test_renderer_falls_back_on_leakage_or_empty(reply: str) -> None:
    renderer, _, fallback = _renderer(reply)
    assert renderer.render(_request()) == "FALLBACK"
    assert len(fallback.requests) == 1


def test_renderer_clips_long_replies() -> None:
    renderer, _, _ = _renderer(" ".join(["A fine sentence."] * 100))
    out = renderer.render(_request())
    assert len(out) <= 200 and out.endswith(".")


def test_renderer_lets_model_unavailable_through() -> None:
    renderer, _, fallback = _renderer()
    with pytest.raises(ModelUnavailable):
        renderer.render(_request())
    assert fallback.requests == []
