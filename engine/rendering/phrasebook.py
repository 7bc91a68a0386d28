"""Generic lines for every act, used by the offline renderer when a card has none of its own.

Each act has a casual and a formal rule (``greet_casual``, ``greet_formal``); the acts that hurt
(``disagree``, ``insult``, ``threaten``) also have a ``_gentle`` rule for agreeable characters.
Shared rules colour a line: anxious hedges, cold or warm openers, an echo of the topic being
answered, a reaction to a question, and a remembered remark (``remember``). Templates use the
free symbols in :data:`FREE_SYMBOLS`, which the renderer binds to literal values.

It also holds the renderer's word lists (titles, topic nouns) and picks fitting interjections.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Set

from engine.acts import Act
from engine.rendering.grammar import Grammar

__all__ = ["PHRASEBOOK", "RULES", "FREE_SYMBOLS", "GENTLE_ACTS", "act_symbol", "hedge_symbol",
           "suited_interjections", "remember_line", "TITLES", "TOPIC_NOUNS", "NOT_TOPICS"]

#: Symbols the renderer binds: the addressee, the speaker, a topic from the message answered, a
#: remembered remark (who made it, to whom, what was said), and something the speaker cares about.
FREE_SYMBOLS = ("user", "char", "topic", "who", "said", "quote", "interest")

#: Titles that precede a surname or a first name ("Mr. Darcy", "Miss Lydia").
TITLES = frozenset({"mr", "mrs", "ms", "miss", "lady", "sir", "lord", "captain", "colonel", "dr"})

#: Common nouns worth echoing as the topic of a message, with how the echo names them.
_BARE_TOPICS = """music dancing marriage fortune propriety manners society poetry novels sermons
    cards whist redcoats sisters hunting shooting reading books love money dinner supper tea
    ribbons lace""".split()
TOPIC_NOUNS: dict[str, str] = {w: w for w in _BARE_TOPICS} | {
    w: f"the {w}" for w in """ball balls dance dances militia officers officer regiment letter
    letters weather garden gardens book library soup bonnet bonnets estate horse horses carriage
    carriages rain roads mud assembly party supper pianoforte sermon gown gowns cap fan punch
    coat waistcoat season neighbourhood county entail candles musicians walk park house room
    ballroom sister chimney-piece windows handwriting flounce whiskers reel partner""".split()
    if w not in _BARE_TOPICS
}
#: Capitalised words that are not topics (titles, exclamations, family address).
NOT_TOPICS = TITLES | {"i", "la", "oh", "god", "heaven", "heavens", "mama", "papa", "madam",
                       "pray", "ah", "ha", "dear", "lord", "ma'am", "lud", "upon", "capital"}

#: Acts softened into polite forms when the speaker is agreeable.
GENTLE_ACTS = frozenset({Act.DISAGREE, Act.INSULT, Act.THREATEN})

RULES: dict[str, tuple[str, ...]] = {
    # --- greet / farewell -----------------------------------------------------------------
    "greet_casual": ("#hi.capitalize#, #user#! #howru#", "#hi.capitalize# #user#. What did I miss?",
                     "Oh, #hi#, #user#! Good to see you.", "There you are, #user#! #howru#",
                     "#hi.capitalize#, #user#. Pull up a chair."),
    "greet_formal": ("Good day, #user#. I trust you are well.", "How do you do, #user#?",
                     "#user.capitalize#, what a pleasure to see you.",
                     "Ah, #user#. Good day to you.",
                     "Welcome, #user#. I hope the day has treated you kindly."),
    "hi": ("hey", "hi", "hiya", "hello", "heya"),
    "howru": ("How's it going?", "What's new?", "How are things?", "All good?", "What's the news?"),
    "farewell_casual": ("Gotta run, #user#. #later.capitalize#!",
                        "Okay, I'm off. #later.capitalize#, #user#!",
                        "That's me done for today. Take care, #user#.",
                        "Right, bedtime for me. Night, #user#!"),
    "farewell_formal": ("I must take my leave, #user#. Good day.", "Until we meet again, #user#.",
                        "Forgive me, I must go. Farewell, #user#.", "I bid you good day, #user#."),
    "later": ("later", "see you", "catch you later", "take care", "bye for now"),
    # --- questions and answers ------------------------------------------------------------
    "ask_casual": ("So, #user#, #question_casual#", "Hey #user#, #question_casual#",
                   "Quick one, #user#: #question_casual#",
                   "Okay, #user#, be honest: #question_casual#"),
    "question_casual": ("what do you make of all this?", "what have you been up to?", "any news?",
                        "what's on your mind?", "is it just me, or is today strange?",
                        "what would you do in my place?"),
    "ask_formal": ("Pray tell, #user#, #question_formal#", "May I ask, #user#, #question_formal#",
                   "Tell me, #user#, #question_formal#", "I wonder, #user#, #question_formal#"),
    "question_formal": ("what is your opinion on the matter?",
                        "how have you been occupied of late?", "have you any news worth sharing?",
                        "what do you make of it all?", "what would you advise?"),
    "answer_casual": ("#lead_casual# #verdict_casual#",),
    "lead_casual": ("Honestly?", "Good question.", "Hmm, let me think.", "Short answer?", "Okay."),
    "verdict_casual": ("I think it depends.", "Probably yes.", "Not as far as I know.",
                       "It could go either way, #user#.", "Yes, mostly.",
                       "I'd say no, but don't quote me."),
    "answer_formal": ("#lead_formal# #verdict_formal#",),
    "lead_formal": ("An excellent question.", "Let me consider.", "If I may venture an answer:",
                    "Well."),
    "verdict_formal": ("I believe it depends upon the circumstances.", "I should think so, yes.",
                       "Not to my knowledge.", "I am inclined to say yes, #user#.",
                       "It is not so simple, I fear."),
    "respond_casual": ("Ha, fair enough.", "Huh, I hadn't thought of it that way.",
                       "Right? That's what I keep saying.", "Oh, interesting, #user#.",
                       "Mm, tell me more.", "No way. Really?"),
    "respond_formal": ("How very interesting, #user#.", "I had not considered it so.",
                       "You surprise me. Do go on.", "I take your meaning, #user#.",
                       "That is a curious thought."),
    # --- opinions ---------------------------------------------------------------------------
    "agree_casual": ("Yes! Exactly, #user#.", "Totally agree.", "Same here, honestly.",
                     "You're not wrong, #user#.", "#yes.capitalize#, that's it exactly."),
    "yes": ("yep", "yes", "absolutely", "for sure"),
    "agree_formal": ("I quite agree, #user#.", "Just so. I could not have put it better.",
                     "You are entirely right.", "On that we are of one mind, #user#."),
    "disagree_casual": ("Nah, I don't buy it, #user#.", "Hard disagree.",
                        "Hmm, no. I see it differently.",
                        "That's not how I see it at all, #user#."),
    "disagree_formal": ("I must respectfully differ, #user#.", "I cannot agree with you there.",
                        "Forgive me, but I think you are mistaken.",
                        "That is not at all how I see it, #user#."),
    "disagree_gentle": ("I see your point, #user#, though I see it a little differently.",
                        "Perhaps, but might there be another way to look at it?",
                        "You may be right, yet I am not quite convinced.",
                        "I hear you, #user#. I'm just not sure I agree."),
    "praise_casual": ("That's brilliant, #user#!", "Okay, that was really #good#.",
                      "You're #good#, #user#, you know that?", "Wow, #user#. That's #good#."),
    "good": ("great", "clever", "lovely", "impressive", "something else"),
    "praise_formal": ("That was admirably done, #user#.",
                      "I must commend you, #user#; that was #fine#.",
                      "You do yourself great credit, #user#.", "What #fine.a# thought, #user#."),
    "fine": ("admirable", "excellent", "elegant", "very fine", "uncommonly good"),
    "thank_casual": ("Thanks, #user#!", "Thanks a lot, #user#, really.",
                     "Oh, that's kind. Thank you!", "Cheers, #user#. I owe you one."),
    "thank_formal": ("Thank you, #user#. You are very kind.", "I am much obliged to you, #user#.",
                     "My sincere thanks, #user#.", "How very kind of you. Thank you."),
    # --- teasing and worse ------------------------------------------------------------------
    "tease_casual": ("Oh, #user#, you never change.",
                     "Careful, #user#, someone might think you're #trait#.",
                     "Wow, #user#. Bold of you.", "Is that your best, #user#?"),
    "tease_formal": ("Why, #user#, how very like you.",
                     "I declare, #user#, you grow more #trait# by the day.",
                     "You are incorrigible, #user#.", "Must you always be so #trait#, #user#?"),
    "trait": ("clever", "serious", "charming", "modest", "mysterious"),
    "insult_casual": ("Ugh, #user#, give it a rest.",
                      "That's the silliest thing I've heard today, #user#.",
                      "You're impossible, #user#.", "Nobody asked, #user#."),
    "insult_formal": ("You are insufferable, #user#.",
                      "I have rarely met anyone so tiresome, #user#.",
                      "Your manners, #user#, are beneath contempt.", "Spare us, #user#."),
    "insult_gentle": ("I'd rather not say what I think of that, #user#.",
                      "That was unkind, #user#, and I'm disappointed.",
                      "I think you can do better than that, #user#.",
                      "Let us say I am not impressed, #user#."),
    "threaten_casual": ("Keep pushing, #user#, and see what happens.", "Don't test me, #user#.",
                        "You'll regret that, #user#.", "Watch yourself, #user#."),
    "threaten_formal": ("I would advise you to reconsider, #user#.",
                        "You will answer for that, #user#.",
                        "Mark my words, #user#: this will not stand.",
                        "Take care, #user#. My patience has limits."),
    "threaten_gentle": ("Please don't make me say this twice, #user#.",
                        "I'd stop there, #user#, if I were you.",
                        "Let's not let this go any further, #user#.",
                        "I'm asking you kindly to stop, #user#."),
    # --- closeness --------------------------------------------------------------------------
    "confide_casual": ("Can I tell you something, #user#? #secret_casual#",
                       "Between us, #user#? #secret_casual#",
                       "Don't tell anyone, but... #secret_casual#"),
    "secret_casual": ("I've been a bit lost lately.", "I'm more nervous than I let on.",
                      "I haven't been sleeping well.", "I think I've made a mistake."),
    "confide_formal": ("May I confide in you, #user#? #secret_formal#",
                       "I have told no one else, #user#. #secret_formal#",
                       "In confidence, #user#: #secret_formal#"),
    "secret_formal": ("I have been uneasy of late.", "I fear I have misjudged someone.",
                      "My heart is not as steady as it appears.",
                      "I am less certain of myself than I seem."),
    "flirt_casual": ("Is it just me, or did the room just get brighter, #user#?",
                     "You're kind of distracting, #user#, you know that?",
                     "Stay a while, #user#. I like the company.",
                     "Careful, #user#. I could get used to this."),
    "flirt_formal": ("Your company is the pleasantest part of my day, #user#.",
                     "You have a rare gift for making a room brighter, #user#.",
                     "I confess I look forward to our talks, #user#."),
    "apologise_casual": ("Sorry, #user#. That was on me.",
                         "My bad, #user#. I didn't mean it like that.",
                         "Ugh, I'm sorry. Can we start over?", "I owe you an apology, #user#."),
    "apologise_formal": ("I beg your pardon, #user#. I spoke out of turn.",
                         "Please accept my apologies, #user#.",
                         "I was wrong, #user#, and I am sorry for it.",
                         "Forgive me, #user#. That was ill done of me."),
    "help_casual": ("Here, #user#, let me help with that.", "Want a hand, #user#? #tip_casual#",
                    "I've got you, #user#. #tip_casual#"),
    "tip_casual": ("Try it one step at a time.", "Start small and we'll go from there.",
                   "Tell me where you're stuck."),
    "help_formal": ("Allow me to assist you, #user#.",
                    "If I may offer some help, #user#: #tip_formal#",
                    "I should be glad to help, #user#. #tip_formal#"),
    "tip_formal": ("Begin with the simplest part.", "Tell me where the difficulty lies.",
                   "Let us take it one step at a time."),
    # --- play and conversation --------------------------------------------------------------
    "joke_casual": ("Why did the #animal# cross the chat? To reach the other side of the argument.",
                    "I'd tell you a joke about #thing#, but you wouldn't get it.",
                    "Plot twist: #user# was #animal.a# all along.",
                    "Fun fact: nobody has ever won an argument online. Yet here we are."),
    "animal": ("cat", "goose", "duck", "horse", "owl"),
    "thing": ("time travel", "procrastination", "paper", "the weather"),
    "joke_formal": ("A good jest is half of good company. The other half, I suppose, is #user#.",
                    "I would tell a joke about #thing#, but I fear it would not be well received.",
                    "One must laugh at something, and #thing# seems as good a subject as any."),
    "initiate_casual": ("So, #user#, #question_casual#",
                        "Random thought: what does everyone think about #interest#?",
                        "Okay, I need opinions on #interest#.",
                        "Anyone else been thinking about #interest# lately?"),
    "initiate_formal": ("I have been reflecting upon #interest#. What do you make of it, #user#?",
                        "Might I raise a subject? I should like to hear your views on #interest#.",
                        "Tell me, #user#, what is your opinion of #interest#?"),
    "interest": ("the weather", "books", "music", "the news", "old friends", "travel", "good food"),
    "small_talk_casual": ("Quiet one today, huh?", "So what's everyone up to?",
                          "Anyone got plans for later?", "I could really use a coffee right now.",
                          "Nice weather we're having. Or so I hear."),
    "small_talk_formal": ("The weather has been most agreeable of late.",
                          "It is pleasant to have a little conversation, #user#.",
                          "I trust everyone is keeping well?", "What a curious day it has been."),
    # --- colour -----------------------------------------------------------------------------
    "hedge_casual": ("Um.", "Sorry, I might be wrong here.", "I hope this is okay to say.",
                     "Not sure, but here goes."),
    "hedge_formal": ("I may be mistaken, of course.", "Forgive me if this is foolish.",
                     "I hope I do not speak out of turn.", "I am not at all certain."),
    "cold_opener": ("Hmph.", "Oh. It is you, #user#.", "Well.", "Really, #user#."),
    "warm_opener": ("Oh, #user#!", "Ah, #user#.", "My dear #user#."),
    "topic_echo": ("#topic.capitalize#, you say?", "Ah, #topic#.", "#topic.capitalize#? Well.",
                   "On the matter of #topic#, then.",
                   "#topic.capitalize#! Now there is a subject."),
    "question_react": ("A fair question.", "You ask me that?", "Ah, a question.", "Let me think."),
    "question_back": ("A question for a question, then.", "I'll answer if you answer mine.",
                      "Let me ask you in return."),
    # A remembered remark: #who# ("Jane", "you", "I"), #said# ("said to me", "asked Darcy").
    "remember": ("I have not forgotten what #who# #said#: “#quote#”",
                 "I keep thinking of what #who# #said#: “#quote#”",
                 "It was #who# who #said#, “#quote#”"),
}

#: The grammar over :data:`RULES`.
PHRASEBOOK = Grammar(RULES)


def act_symbol(act: Act, *, formal: bool, gentle: bool = False) -> str:
    """The rule that voices ``act``.

    Args:
        act: The act to voice.
        formal: Formal rather than casual register.
        gentle: Prefer the softened form where the act has one.
    """
    if gentle and act in GENTLE_ACTS:
        return f"{act.value}_gentle"
    return f"{act.value}_{'formal' if formal else 'casual'}"


def hedge_symbol(*, formal: bool) -> str:
    """The rule for an anxious hedge in the given register."""
    return "hedge_formal" if formal else "hedge_casual"


#: Forms of address that suit only people with one of these titles ("Madam" for "Miss Bennet").
_GENDERED = {"madam": ("miss", "mrs", "lady"), "ma'am": ("miss", "mrs", "lady"),
             "cousin": ("miss", "mrs"), "sir": ("mr", "sir", "captain", "colonel")}
_DANGLING = frozenset("how what so and but or the a an to of my your as if".split())
_SUBJECTS = frozenset("i you he she we they it there that this the my your his her our one".split())
_REMONSTRANCES = frozenset({"come come", "fie", "for shame", "nonsense", "hush", "tut"})


def suited_interjections(
    interjections: Iterable[str], target: Set[str], body: str = "", act: Act | None = None
) -> list[str]:
    """The card's interjections that can open ``body``, said to ``target`` (its name's words,
    lower-cased) as ``act``: none ending on a dangling word ("Lord, how"), naming someone else
    ("Oh, Lizzy!") or saying "Madam"/"Sir" to someone without a fitting title; none that is a
    clause ("I confess,") unless the body is a statement opening with its subject ("I think",
    "The music"); "Come, come" and the like only to remonstrate; none the body already says.
    """
    found = [w.lower() for w in re.findall(r"[A-Za-z']+", body)] or [""]
    statement = (re.findall(r"[.!?]", body) or [""])[0] == "." and found[0] in _SUBJECTS
    said = set(found) - {"i", "my"}
    remonstrate = act in (Act.DISAGREE, Act.TEASE, Act.INSULT, Act.THREATEN)
    suited = []
    for raw in interjections:
        text = " ".join(raw.replace("#", "").replace("@", "").split())
        words = re.findall(r"[A-Za-z']+", text)
        if (not words or words[-1].lower() in _DANGLING or words[0].lower() in said
                or (not remonstrate and " ".join(words).lower() in _REMONSTRANCES)):
            continue
        clause = len(words) > 1 and words[0] in ("I", "Allow", "Permit", "Let")
        if clause and (not statement or words[-1] == "me"):  # "Permit me," wants "to ..."
            continue
        if any(w[0].isupper() and w.lower() not in target for w in words[1:] if w != "I"):
            continue
        titles = [t for w in words for t in _GENDERED.get(w.lower(), ())]
        if not titles or any(t in target for t in titles):
            suited.append(text)
    return suited


def remember_line(rng: random.Random, bindings: Mapping[str, str], who: str, whom: str,
                  quote: str) -> str:
    """A remembered remark in reported speech: ``who`` ("I", "you", "Jane") said ``quote`` to
    ``whom`` ("" for nobody in particular)."""
    whom = "" if whom == who else ("me" if whom == "I" else whom)
    verb = "asked" if quote.rstrip("…”").endswith("?") else "said"
    said = f"{verb} {'' if verb == 'asked' else 'to '}{whom}" if whom else verb
    return PHRASEBOOK.flatten("remember", rng, {**bindings, "who": who, "said": said,
                                                "quote": quote})
