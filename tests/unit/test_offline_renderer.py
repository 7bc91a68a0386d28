"""The offline renderer: card-voiced, deterministic, safe lines for every act with no model."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.acts import Act
from engine.personas import BigFive, Character, Persona, SpeechStyle
from engine.rendering.cardtext import example_lines, short_greeting, topic_word
from engine.rendering.offline import MAX_CHARS, OfflineRenderer
from engine.rendering.request import RelationshipView, RenderRequest

SEEDS = range(20)
PLACEHOLDER = re.compile(r"\{\{|\}\}|#|<\s*(user|bot|char)\s*>", re.IGNORECASE)


def rich_character() -> Character:
    return Character(
        name="Elizabeth Bennet",
        first_mes="*curtsies* Good day, {{user}}. I am {{char}}, and you find me at Longbourn.",
        alternate_greetings=["La, <USER>! " + "What a long tale I have to tell you. " * 20],
        mes_example=(
            "<START>\n{{user}}: Do you dance, Miss Bennet?\n"
            "{{char}}: Only when the partner is tolerable.\n"
            "<START>\n<USER>: hello\n<BOT>: I dearly love a laugh.\nIt is my chief amusement.\n"
            "Elizabeth Bennet: Think only of the past as its remembrance gives you pleasure."
        ),
        persona=Persona(
            big_five=BigFive(openness=0.8, extraversion=0.7, agreeableness=0.55),
            values=("wit", "honesty"),
            speech=SpeechStyle(
                formality=0.75,
                catchphrases=("I dearly love a laugh",),
                interjections=("La!", "Indeed"),
                lines={
                    "tease": ("{{char}}: Mr. {{user}}, you are determined to be disagreeable.",),
                    "praise": ("How well you put it, {{user}}!", "That was handsomely done."),
                },
            ),
        ),
    )


def bare_character() -> Character:
    return Character(name="Bob")


RENDERER = OfflineRenderer()


def render(character: Character, act: Act, seed: int = 0, **kwargs: object) -> str:
    return RENDERER.render(RenderRequest(character=character, act=act, seed=seed, **kwargs))  # type: ignore[arg-type]


def assert_safe(text: str, character: Character) -> None:
    assert text and text == text.strip()
    assert len(text) <= MAX_CHARS
    assert "@" not in text
    assert not PLACEHOLDER.search(text), text
    for name in character.names():
        assert not text.lower().startswith(f"{name.lower()}:")


def test_renderer_is_named_offline() -> None:
    assert OfflineRenderer.name == "offline" and RENDERER.name == "offline"


@pytest.mark.parametrize("make", [rich_character, bare_character])
def test_same_request_gives_same_text(make: object) -> None:
    character = make()  # type: ignore[operator]
    for act in Act:
        request = RenderRequest(character=character, act=act, target_name="Jane", seed=11,
                                trigger_text="Shall we walk to Meryton?", memories=("Jane wept",))
        assert RENDERER.render(request) == RENDERER.render(request)


@pytest.mark.parametrize("make", [rich_character, bare_character])
@pytest.mark.parametrize("act", list(Act))
def test_every_act_renders_safely_with_variety(make: object, act: Act) -> None:
    character = make()  # type: ignore[operator]
    texts = {render(character, act, seed, target_name="Jane") for seed in SEEDS}
    for text in texts:
        assert_safe(text, character)
    assert len(texts) >= 3, texts


@pytest.mark.parametrize("act", list(Act))
def test_bare_character_talks_to_the_room(act: Act) -> None:
    for seed in SEEDS:
        assert_safe(render(bare_character(), act, seed), bare_character())


def test_user_placeholder_becomes_the_target_name() -> None:
    character = Character(name="Ann", persona=Persona(speech=SpeechStyle(
        lines={"greet": ("Hello {{user}}, it is {{Char}}.",)})))
    texts = [render(character, Act.GREET, seed, target_name="Marianne") for seed in SEEDS]
    assert sum("Hello Marianne, it is Ann" in t for t in texts) >= 10
    room = [render(character, Act.GREET, seed) for seed in SEEDS]
    assert any("everyone" in t or "all of you" in t for t in room)


def test_generic_lines_address_the_target() -> None:
    texts = [render(bare_character(), Act.THANK, seed, target_name="Marianne") for seed in SEEDS]
    assert sum("Marianne" in t for t in texts) >= 10


def test_card_lines_are_used_for_most_seeds() -> None:
    character = Character(name="Zed", persona=Persona(speech=SpeechStyle(
        lines={"tease": ("SENTINEL-ONE", "SENTINEL-TWO")})))
    texts = [render(character, Act.TEASE, seed, target_name="Jane") for seed in SEEDS]
    assert sum("SENTINEL" in t for t in texts) > len(SEEDS) // 2


def test_card_greetings_and_examples_are_used() -> None:
    character = rich_character()
    greets = [render(character, Act.GREET, seed, target_name="Jane") for seed in range(40)]
    assert any("Longbourn" in t and "Jane" in t for t in greets)
    assert all("long tale I have to tell you. What a long tale" not in t for t in greets)
    replies = [render(character, Act.RESPOND, seed, target_name="Jane") for seed in range(40)]
    assert any("partner is tolerable" in t or "chief amusement" in t for t in replies)


def test_speaker_name_tag_is_never_kept() -> None:
    texts = [render(rich_character(), Act.TEASE, seed, target_name="Darcy") for seed in SEEDS]
    assert any("Mr. Darcy, you are determined" in t for t in texts)
    assert not any(t.startswith("Elizabeth Bennet:") for t in texts)


def test_memory_is_woven_in_for_some_seeds() -> None:
    memory = "Fitzwilliam Darcy said to me: I find the Meryton assembly quite insupportable."
    texts = [render(bare_character(), Act.RESPOND, seed, target_name="Jane",
                    memories=(memory, "something else")) for seed in range(80)]
    woven = [t for t in texts if "Meryton assembly" in t]
    assert 0 < len(woven) < len(texts) // 3
    assert all("Fitzwilliam Darcy said" not in t for t in woven)
    assert any("Fitzwilliam said to me: “I find the Meryton assembly" in t
               or "Fitzwilliam who said to me," in t for t in woven), woven


def test_topic_of_the_trigger_is_echoed_sometimes() -> None:
    texts = [render(bare_character(), Act.RESPOND, seed, target_name="Lydia",
                    trigger_text="Are the officers of the militia coming?") for seed in range(40)]
    assert any("officers" in t.lower() for t in texts)


def test_question_gets_a_reaction_sometimes() -> None:
    texts = {render(bare_character(), Act.ANSWER, seed, trigger_text="Why?") for seed in SEEDS}
    plain = {render(bare_character(), Act.ANSWER, seed, trigger_text="Fine.") for seed in SEEDS}
    assert texts != plain


def test_warm_relationship_uses_the_short_name() -> None:
    warm = RelationshipView(affinity=0.8)
    texts = [render(bare_character(), Act.THANK, seed, target_name="Jane Bennet",
                    relationship=warm) for seed in SEEDS]
    assert all("Jane Bennet" not in t for t in texts)
    assert any("Jane" in t for t in texts)


def test_agreeable_characters_soften_insults() -> None:
    kind = Character(name="Jane", persona=Persona(big_five=BigFive(agreeableness=0.95)))
    harsh = Character(name="Caroline", persona=Persona(big_five=BigFive(agreeableness=0.1)))
    kind_texts = {render(kind, Act.INSULT, seed, target_name="Lydia") for seed in SEEDS}
    harsh_texts = {render(harsh, Act.INSULT, seed, target_name="Lydia") for seed in SEEDS}
    assert kind_texts.isdisjoint(harsh_texts)


def test_formality_changes_the_register() -> None:
    def voice(formality: float) -> set[str]:
        character = Character(name="X", persona=Persona(speech=SpeechStyle(formality=formality)))
        return {render(character, Act.GREET, seed, target_name="Jane") for seed in SEEDS}

    assert voice(0.95).isdisjoint(voice(0.05))


def test_mentions_are_removed() -> None:
    character = Character(name="Troll", persona=Persona(speech=SpeechStyle(
        lines={"greet": ("@everyone look! <@123> @here hi {{user}} #general",)})))
    for seed in SEEDS:
        assert_safe(render(character, Act.GREET, seed, target_name="@Jane#1234"), character)


def test_a_very_long_trigger_and_card_line_are_handled() -> None:
    character = Character(name="Verbose", persona=Persona(speech=SpeechStyle(
        lines={"respond": ("Words upon words. " * 200,)})))
    trigger = ("extraordinarily " + "x" * 50 + " militia? ") * 150
    assert len(trigger) > 10_000
    for seed in SEEDS:
        for act in (Act.RESPOND, Act.ANSWER, Act.ASK):
            assert_safe(render(character, act, seed, trigger_text=trigger), character)


def test_helpers_parse_cards() -> None:
    assert example_lines("<START>\n{{user}}: hi\n{{char}}: Hello.\nStill me.\n{{user}}: ok") == (
        "Hello. Still me.",
    )
    assert short_greeting("One. Two. " + "Three. " * 100) == "One. Two."
    assert topic_word("What do you think about the balls at Netherfield?") == "Netherfield"
    assert topic_word("Any news about the upcoming balls?") == "balls"
    assert topic_word("it is what it is") is None


names = st.text(min_size=1, max_size=60)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=names,
    target=st.none() | st.text(max_size=60),
    trigger=st.none() | st.text(max_size=400),
    line=st.text(max_size=300),
    memory=st.text(max_size=200),
    act=st.sampled_from(list(Act)),
    seed=st.integers(),
    affinity=st.floats(-1, 1),
)
def test_never_raises_never_empty(
    name: str, target: str | None, trigger: str | None, line: str, memory: str, act: Act,
    seed: int, affinity: float,
) -> None:
    character = Character(name=name, persona=Persona(speech=SpeechStyle(
        lines={act.value: (line,)}, interjections=(line[:10],), catchphrases=(line[:30],))))
    text = render(character, act, seed, target_name=target, trigger_text=trigger,
                  memories=(memory,), relationship=RelationshipView(affinity=affinity))
    assert text.strip()
    assert len(text) <= MAX_CHARS
    assert "@" not in text and "{{" not in text and "#" not in text


# --- reading well: topics, openers, memories, punctuation, names, repetition ---------------

INTERJECTION_WORDS = r"(?:Oh|Ah|La|Lord|Indeed|Well|Come|Pray|Upon my word|I say)"


def chatty(**lines: tuple[str, ...]) -> Character:
    """A character who interjects a great deal, to exercise the one-opener rule."""
    return Character(name="Kitty Bennet", persona=Persona(
        big_five=BigFive(extraversion=0.9, neuroticism=0.9),
        speech=SpeechStyle(formality=0.2, interjections=("Lord, how", "Come, come,", "Oh!", "La!"),
                           catchphrases=("La!",), lines=lines)))


def test_topic_echo_only_picks_plausible_topics() -> None:
    assert topic_word("I venture to answer that, though it pains me.") is None
    assert topic_word("Have you seen Mr. Wickham anywhere?") == "Mr. Wickham"
    assert topic_word("What a charming coat, Bingley!") == "coat"  # "Bingley" is an address
    assert topic_word("Pemberley is lovely.") is None  # sentence start: maybe not a name
    assert topic_word("I hear Pemberley is lovely.") == "Pemberley"
    assert topic_word("Shall we walk to Meryton, Jane?", ["Jane Bennet"]) == "Meryton"
    assert topic_word("Is Darcy's estate large?", ["Fitzwilliam Darcy"]) == "estate"
    for seed in range(40):
        text = render(bare_character(), Act.RESPOND, seed, target_name="Jane",
                      trigger_text="I venture to answer, Jane, though I hesitate.")
        assert "venture" not in text.lower() and "answer," not in text.lower()
        text = render(bare_character(), Act.RESPOND, seed, target_name="Jane Bennet",
                      trigger_text="Jane Bennet thinks Bob is kind.", trigger_author="Jane Bennet")
        assert not re.match(r"(Ah, )?(Jane|Bob|Bennet)\b", text), text


def test_at_most_one_opener_and_no_interjection_on_an_interjection() -> None:
    kitty = chatty(respond=("Lord, how dull, {{user}}!", "Oh, that is nothing.", "Tell me more."),
                   praise=("What a charming coat, {{user}}!",))
    for seed in range(60):
        for act in (Act.RESPOND, Act.PRAISE, Act.AGREE, Act.ANSWER):
            text = render(kitty, act, seed, target_name="Lydia",
                          trigger_text="The officers are come to Meryton? Are they?")
            assert not re.match(rf"{INTERJECTION_WORDS}[,!.]? {INTERJECTION_WORDS}\b", text), text
            assert "Lord, how," not in text and "Come, come," not in text, text
            assert not re.search(r", [A-Z][a-z]+ [a-z]", text.split("!")[0]) or "Lydia" in text


def test_interjection_lowercases_common_words_only() -> None:
    character = Character(name="Jane", persona=Persona(speech=SpeechStyle(
        interjections=("Oh,",), lines={"respond": ("Quite so, and very odd.",
                                                   "Caroline says so.", "I think not.")})))
    texts = [render(character, Act.RESPOND, seed, target_name="Lydia") for seed in range(60)]
    assert any(t.startswith("Oh, quite so") for t in texts)
    assert any(t.startswith("Oh, I think") for t in texts)
    assert not any("Oh, Good" in t or "Oh, caroline" in t or "Oh, Caroline" in t for t in texts)


def test_memory_is_woven_only_as_clean_reported_speech() -> None:
    junk = ("Jane Bennet said to Lydia Bennet: *Jane smooths her gloves.* Good evening, Lydia.",
            "Jane Bennet said: Good evening, Lydia.", "Darcy slighted me at the assembly",
            "Jane Bennet said to me: Oh, Lizzy!")
    for seed in range(60):
        text = render(bare_character(), Act.RESPOND, seed, target_name="Jane", memories=junk)
        assert "said" not in text and "*" not in text and "gloves" not in text, text
    memory = "Jane Bennet said to me: Have you seen Mr. Wickham at Meryton? He was not here."
    texts = [render(bare_character(), Act.RESPOND, seed, target_name="Lydia",
                    memories=(memory,)) for seed in range(80)]
    woven = [t for t in texts if "Wickham" in t]
    assert woven and all(re.search(r"Jane (who )?asked me", t) for t in woven), woven
    assert all("“Have you seen Mr. Wickham at Meryton?”" in t for t in woven), woven
    to_her = [render(bare_character(), Act.RESPOND, seed, target_name="Jane",
                     memories=(memory,)) for seed in range(80)]
    assert any("you asked me" in t for t in to_her)


def test_stage_directions_and_end_punctuation_are_clean() -> None:
    character = chatty(greet=("*Kitty curtsies.*", "Hello, {{user}}.!", "Well... {{user}}?."))
    for seed in range(40):
        text = render(character, Act.GREET, seed, target_name="Jane")
        assert not re.search(r"\*\.|[.!?][.!?](?<!\.\.)|\?\.|!\.", text.replace("...", "…")), text


def test_target_naming() -> None:
    sister = Character(name="Jane Bennet", persona=Persona(speech=SpeechStyle(
        formality=0.7, lines={"greet": ("Good evening, {{user}}.",) * 3})))
    assert render(sister, Act.GREET, target_name="Lydia Bennet") == "Good evening, Lydia."
    assert render(sister, Act.GREET, target_name="Miss Lydia",
                  transcript=(("Lydia Bennet", "La!"),)) == "Good evening, Lydia."
    assert render(sister, Act.GREET, target_name="Mr. Darcy") == "Good evening, Mr. Darcy."
    casual = Character(name="Kitty", persona=Persona(speech=SpeechStyle(
        formality=0.1, lines={"greet": ("Hello, {{user}}.",)})))
    assert render(casual, Act.GREET, target_name="Fitzwilliam Darcy") == "Hello, Fitzwilliam."
    titled = Character(name="Kitty", persona=Persona(speech=SpeechStyle(
        lines={"greet": ("Good day, Mr. {{user}}.",)})))
    assert render(titled, Act.GREET, target_name="Mr. Darcy") == "Good day, Mr. Darcy."


def test_lines_already_said_are_not_repeated() -> None:
    character = Character(name="Ann", persona=Persona(speech=SpeechStyle(lines={
        "respond": ("How droll, {{user}}!", "I never heard the like.", "Do go on.")})))
    transcript = (("Ann", "How droll, Lydia!"), ("Lydia", "La!"), ("Ann", "Do go on."))
    for seed in SEEDS:
        text = render(character, Act.RESPOND, seed, target_name="Jane", transcript=transcript)
        assert "I never heard the like." in text
    # Every card line said: the phrasebook speaks instead, deterministically.
    said = (*transcript, ("Ann", "I never heard the like."))
    texts = [render(character, Act.RESPOND, seed, target_name="Jane", transcript=said)
             for seed in SEEDS]
    assert not any("droll" in t or t in ("I never heard the like.", "Do go on.") for t in texts)
    assert texts == [render(character, Act.RESPOND, seed, target_name="Jane", transcript=said)
                     for seed in SEEDS]


def test_lines_speaking_of_the_target_in_the_third_person_are_skipped() -> None:
    character = Character(name="Bingley", persona=Persona(speech=SpeechStyle(lines={
        "respond": ("Ha! Very good, {{user}}. I must tell Darcy.", "Capital!", "Quite so.")})))
    for seed in SEEDS:
        assert "tell Darcy" not in render(character, Act.RESPOND, seed, target_name="Mr. Darcy")
    assert any("tell Darcy" in render(character, Act.RESPOND, seed, target_name="Jane")
               for seed in SEEDS)
