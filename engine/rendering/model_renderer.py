"""The model renderer: one language-model call per act, its output checked before posting."""

from __future__ import annotations

import logging

from engine.ports import LanguageModel, Renderer
from engine.rendering.output_checks import check_output
from engine.rendering.prompt import build_messages
from engine.rendering.request import RenderRequest

__all__ = ["ModelRenderer", "speaker_names", "other_names"]

logger = logging.getLogger(__name__)


def speaker_names(request: RenderRequest) -> list[str]:
    """Every name the speaking character may label its own line with."""
    character = request.character
    return [*character.names(), character.short_name]


def other_names(request: RenderRequest) -> list[str]:
    """Everyone else in the scene: the target, the trigger's author, the transcript's speakers."""
    mine = {n.lower() for n in speaker_names(request)}
    names: list[str] = []
    candidates = [request.target_name, request.trigger_author,
                  *(speaker for speaker, _ in request.transcript)]
    for name in candidates:
        if name and name.strip() and name.lower() not in mine and name not in names:
            names.append(name)
    return names


class ModelRenderer:
    """Voices acts through a language model, falling back when the output is unusable.

    ``ModelUnavailable`` from the model is not caught: the caller decides (it skips the turn).

    Args:
        model: The language model.
        fallback: Renderer used when the model's reply is empty or breaks character.
        max_tokens: Reply length cap in tokens.
        max_chars: Reply length cap in characters (clipped at a sentence boundary).
    """

    def __init__(
        self,
        model: LanguageModel,
        fallback: Renderer,
        max_tokens: int = 200,
        max_chars: int = 1500,
    ) -> None:
        self.name = model.name
        self._model = model
        self._fallback = fallback
        self._max_tokens = max_tokens
        self._max_chars = max_chars

    def render(self, request: RenderRequest) -> str:
        """Returns the line ``request.character`` says to perform ``request.act``.

        Raises:
            ModelUnavailable: The model could not answer.
        """
        messages = build_messages(request)
        raw = self._model.complete(messages, max_tokens=self._max_tokens)
        checked = check_output(
            raw,
            speaker_names=speaker_names(request),
            other_names=other_names(request),
            max_chars=self._max_chars,
        )
        if checked.ok:
            return checked.text
        logger.warning(
            "%s reply for %s (%s) rejected: %s; using %s",
            self.name, request.character.name, request.act.value, checked.rejected,
            self._fallback.name,
        )
        return self._fallback.render(request)
