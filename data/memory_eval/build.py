"""Build the labelled memory-recall set (memories.jsonl, queries.jsonl, answers.jsonl).

Deterministic: ``python data/memory_eval/build.py`` always writes the same three files next to
this script and prints a short sanity report. Nothing outside the standard library is used.

How it is made (README.md beside this file says more):

* Four channels with fixed members hold many sessions each, spread over six months
  (September 2025 to March 2026). Every turn of a session becomes one memory for every *owner*
  (a character whose memories are evaluated) present in that channel, worded the way a witness
  stores it: ``"<Speaker> said: <utterance>"`` or ``"<Speaker> said to <Listener>: <utterance>"``.
  One channel is shared by two owners, so the same turn exists in both streams under two ids.
* Most turns are chit-chat filler made from templates and vocabularies (by register: modern
  members and Regency characters speak differently; the season follows the session's date).
* Hand-written *fact* turns are placed in the first session on or after a given date, with
  hand-written distractors (turns that share words with a question but do not answer it).
* Every question names its evidence turns by tag; the build checks that each evidence turn holds
  one of the answer's key phrases, that the key phrases that prove the answer appear in no other
  memory of that owner, that the question is asked after its evidence, and that the contrasting
  turns of month-based temporal questions fall in other months.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20260315
OUT = Path(__file__).resolve().parent

OWNERS = {"elizabeth": "Elizabeth", "darcy": "Darcy", "mira": "Mira"}

# Regency characters speak in the period register; everyone else is modern.
REGENCY = {"Elizabeth", "Jane", "Charlotte", "Darcy", "Bingley", "Georgiana"}


@dataclass
class Channel:
    name: str
    members: list[str]
    owners: list[str]
    sessions: int
    start: str
    end: str
    topics: list[str]
    days: list[str] | None = None  # fixed session dates instead of an even spread


CHANNELS = [
    Channel(
        "lounge",
        ["Elizabeth", "Jane", "Charlotte", "Tom", "Priya"],
        ["elizabeth"],
        22,
        "2025-09-04",
        "2026-03-12",
        ["weather", "food", "tv", "town", "home", "visits", "letters", "dinner"],
    ),
    Channel(
        "assembly",
        ["Elizabeth", "Darcy", "Jane", "Bingley"],
        ["elizabeth", "darcy"],
        8,
        "2025-09-13",
        "2026-03-07",
        ["weather", "visits", "letters", "dinner", "society"],
        ["2025-09-13", "2025-10-08", "2025-10-30", "2025-11-28", "2025-12-21", "2026-01-16",
         "2026-02-09", "2026-03-07"],
    ),
    Channel(
        "library",
        ["Darcy", "Bingley", "Georgiana", "Hannah", "Marcus"],
        ["darcy"],
        22,
        "2025-09-06",
        "2026-03-13",
        ["weather", "food", "tv", "tech", "town", "letters", "society", "dinner"],
    ),
    Channel(
        "studio",
        ["Mira", "Kofi", "Lena", "Sam", "Ines", "Pip"],
        ["mira"],
        28,
        "2025-09-02",
        "2026-03-14",
        ["weather", "food", "tv", "tech", "town", "home", "sky", "making"],
    ),
]


# --------------------------------------------------------------------------------------------
# Hand-written facts, distractors and questions
# --------------------------------------------------------------------------------------------


@dataclass
class Fact:
    """A hand-written turn, placed in the first session of ``channel`` on or after ``on``."""

    tag: str
    channel: str
    on: str
    speaker: str
    text: str
    to: str | None = None
    lead: str | None = None  # a question from another member just before it
    tone: str = "neutral"  # picks the reaction that may follow: good, bad, neutral, none


@dataclass
class Question:
    owner: str
    category: str
    text: str
    evidence: list[str]
    answer: str
    keys: list[str]  # each evidence turn holds at least one; all appear across the evidence
    unique: list[str] | None = None  # key phrases no other memory of the owner may hold
    # ("after", days) after the last evidence turn; ("week", days) the same, but before the
    # next Saturday, so that "last Saturday" / "last weekend" still means the evidence's
    ask: tuple[str, float] | None = None
    contrast: list[str] = field(default_factory=list)  # other-month turns (temporal)


F = Fact

FACTS: list[Fact] = [
    # ---------------------------------------------------------------- lounge (Elizabeth's home)
    F("e_tom_flatmate", "lounge", "2025-09-04", "Tom",
      "Sorry if I'm slow tonight, my flatmate Raj is a pastry chef and he has filled the whole "
      "kitchen with trays of dough."),
    F("e_tom_job", "lounge", "2025-09-13", "Tom",
      "Big news, I got the conservator job at the harbour museum! I start on the first of "
      "October.", to="Elizabeth", lead="Tom, any word from that interview?", tone="good"),
    F("e_pri_portuguese", "lounge", "2025-09-13", "Priya",
      "I signed up for Portuguese lessons on Tuesday evenings. Obrigada is as far as I've got."),
    F("e_jane_kitty", "lounge", "2025-09-13", "Jane",
      "Kitty borrowed my blue muslin for the assembly and spilt tea all down the front.",
      tone="bad"),
    F("e_eliz_cowper", "lounge", "2025-09-13", "Elizabeth",
      "I am rereading Cowper's poems this week; he makes even a vegetable garden sound sublime."),
    F("e_tom_ukulele", "lounge", "2025-09-22", "Tom",
      "I've started learning the ukulele. Three chords in and my fingertips are already wrecked."),
    F("e_pri_lisbon", "lounge", "2025-09-22", "Priya",
      "I'm moving to Lisbon next month, the hospital there offered me a nursing post!",
      tone="good"),
    F("e_tom_lisbon", "lounge", "2025-09-22", "Tom",
      "I went to Lisbon for a conference once. The custard tarts alone are worth the trip.",
      to="Priya"),
    F("d_e_cha_bingley", "lounge", "2025-09-22", "Charlotte",
      "Mr Bingley danced every single dance at the assembly. It was exhausting to watch."),
    F("e_pri_cough", "lounge", "2025-10-02", "Priya",
      "I've had a cough for a week now, I blame the night shifts."),
    F("e_jane_collins", "lounge", "2025-10-02", "Jane",
      "Papa says our cousin Mr Collins is to inherit Longbourn after him. It feels so strange to "
      "say it."),
    F("e_cha_ribbon", "lounge", "2025-10-02", "Charlotte",
      "I went into the village last week for ribbon to trim my grey bonnet, and came back with "
      "none."),
    F("d_e_tom_violin", "lounge", "2025-10-02", "Tom",
      "I tried to learn the violin at school and the teacher begged me to stop."),
    F("e_tom_dog", "lounge", "2025-10-12", "Tom",
      "We adopted a retired greyhound from the rescue yesterday, she's called Juniper and she "
      "sleeps twenty hours a day.", tone="good"),
    F("e_cha_hives", "lounge", "2025-10-12", "Charlotte",
      "Sir William has bought me two hives for the orchard, so it seems I keep bees now."),
    F("e_eliz_oakham", "lounge", "2025-10-12", "Elizabeth",
      "My favourite walk is up Oakham Mount before breakfast, while the mist is still lying in "
      "the fields."),
    F("e_jane_bingley", "lounge", "2025-10-12", "Jane",
      "Mr Bingley is just what a young man ought to be: sensible, good-humoured and lively.",
      to="Elizabeth"),
    F("d_e_pri_dog", "lounge", "2025-10-12", "Priya",
      "My neighbour's dog barked from six this morning, I could have screamed."),
    F("e_pri_arrived", "lounge", "2025-10-21", "Priya",
      "Greetings from Lisbon! The flat is tiny but the light in the mornings is unreal."),
    F("e_cha_chance", "lounge", "2025-10-21", "Charlotte",
      "Happiness in marriage is entirely a matter of chance. It is better to know as little as "
      "possible of the defects of the person you marry."),
    F("d_e_eliz_love", "lounge", "2025-10-21", "Elizabeth",
      "Only the deepest love will ever induce me into matrimony.", to="Charlotte"),
    F("d_e_eliz_sisters", "lounge", "2025-10-21", "Elizabeth",
      "Mr Bingley's sisters are very fine ladies, and very proud."),
    F("e_eliz_lakes", "lounge", "2025-10-31", "Elizabeth",
      "My aunt and uncle Gardiner have invited me on a tour of the Lakes next summer! Rocks and "
      "mountains!", to="Jane", tone="good"),
    F("d_e_tom_carpark", "lounge", "2025-10-31", "Tom",
      "The car park at the museum costs twelve pounds a day now. Daylight robbery."),
    F("e_tom_swim", "lounge", "2025-11-09", "Tom",
      "Last weekend I went sea swimming at Clevedon with a group from work. Eleven degrees. I "
      "could not feel my feet."),
    F("e_pri_car", "lounge", "2025-11-09", "Priya",
      "I finally bought a car, a secondhand green Fiat Panda with a dent in the door.",
      tone="good"),
    F("e_jane_cold", "lounge", "2025-11-09", "Jane",
      "The doctor says my cough is only a chest cold and I must rest for a week. Mama seems "
      "delighted, for some reason."),
    F("d_e_eliz_doctor", "lounge", "2025-11-09", "Elizabeth",
      "The doctor in Meryton is far too fond of leeches for my liking."),
    F("e_pri_sister", "lounge", "2025-11-19", "Priya",
      "My sister Anjali is getting married on Valentine's Day in Leicester, and I'm in charge of "
      "the henna night.", tone="good"),
    F("e_tom_raj_win", "lounge", "2025-11-19", "Tom",
      "Raj came second in the regional croissant championship, so we're eating the losing "
      "batches all week."),
    F("e_eliz_walk", "lounge", "2025-11-19", "Elizabeth",
      "I would much rather walk than ride. Horses and I have agreed to keep our distance."),
    F("d_e_jane_dog", "lounge", "2025-11-19", "Jane",
      "Mama wants a little dog for the drawing room; Papa says it will be over his dead body."),
    F("e_eliz_refuse", "lounge", "2025-11-28", "Elizabeth",
      "I refused Mr Collins this morning. Mama says she will never see me again if I do not "
      "marry him.", tone="none"),
    F("e_cha_maria", "lounge", "2025-11-28", "Charlotte",
      "My sister Maria is already terrified of Lady Catherine; she practises her curtsey in the "
      "hall every evening."),
    F("e_tom_horror", "lounge", "2025-11-28", "Tom",
      "Honestly I can't sit through musicals. Give me a horror film with a creepy doll and I'm "
      "happy."),
    F("d_e_jane_musical", "lounge", "2025-11-28", "Jane",
      "I adore a musical evening; the songs stay with me for days afterwards."),
    F("e_cha_accept", "lounge", "2025-12-08", "Charlotte",
      "I have accepted Mr Collins. I am not romantic, you know; I never was. I ask only a "
      "comfortable home.", tone="none"),
    F("e_cha_date1", "lounge", "2025-12-08", "Charlotte",
      "The wedding is fixed for the twelfth of January."),
    F("e_tom_boiler", "lounge", "2025-12-08", "Tom",
      "My landlord finally fixed the boiler after three weeks of cold showers. I nearly wept."),
    F("e_pri_tea", "lounge", "2025-12-08", "Priya",
      "I only drink green tea now. Coffee after a night shift makes my hands shake."),
    F("d_e_cha_collins_job", "lounge", "2025-12-08", "Charlotte",
      "Mr Collins says a clergyman's work is mostly sermons and dinners, in equal measure."),
    F("e_cha_kent", "lounge", "2025-12-17", "Charlotte",
      "After the wedding I shall live at Hunsford parsonage in Kent, very near Rosings Park."),
    F("e_eliz_udolpho", "lounge", "2025-12-17", "Elizabeth",
      "I have been reading The Mysteries of Udolpho by candlelight, and now every creak on the "
      "stairs is a villain."),
    F("e_tom_snow", "lounge", "2025-12-17", "Tom",
      "First snow of the year in Bristol this morning! The whole street was out throwing "
      "snowballs."),
    F("d_e_pri_tea", "lounge", "2025-12-17", "Priya",
      "The tea at the hospital is basically hot brown water, to be fair."),
    F("e_pri_christmas", "lounge", "2025-12-27", "Priya",
      "Spent Christmas Day working on the ward. We wore paper hats and someone brought a trifle "
      "the size of a tyre."),
    F("e_jane_xmas", "lounge", "2025-12-27", "Jane",
      "Christmas at Longbourn was very loud. Lydia sang every song she knows, twice."),
    F("e_cha_date2", "lounge", "2025-12-27", "Charlotte",
      "We have moved the wedding forward to the fifth of January; Mr Collins must be back in "
      "time for Lady Catherine's Sunday dinner."),
    F("e_tom_tax", "lounge", "2026-01-05", "Tom",
      "Last weekend was just tax returns and instant noodles. Glamorous."),
    F("e_jane_leave", "lounge", "2026-01-05", "Jane",
      "I leave for London tomorrow morning on the early coach. Please write to me, Lizzy.",
      to="Elizabeth", tone="none"),
    F("e_eliz_comet", "lounge", "2026-01-05", "Elizabeth",
      "I saw a comet last night from the top of Oakham Mount! Its tail was as long as my arm "
      "held out."),
    F("e_tom_vegetarian", "lounge", "2026-01-15", "Tom",
      "I've gone vegetarian since New Year, so no more bacon rolls for me."),
    F("e_pri_migraine", "lounge", "2026-01-15", "Priya",
      "I've been getting awful migraines, the doctor thinks it's the screens plus the shifts.",
      tone="bad"),
    F("d_e_jane_lydia", "lounge", "2026-01-15", "Jane",
      "I do think Lydia is far too young to be out in company."),
    F("e_tom_brother", "lounge", "2026-01-24", "Tom",
      "My brother Danny is getting married in Cardiff in June, and I've been told to buy a suit "
      "that isn't from a charity shop."),
    F("e_jane_snowdrops", "lounge", "2026-01-24", "Jane",
      "Snowdrops are my favourite flower. They come up when nothing else dares."),
    F("e_jane_return", "lounge", "2026-01-24", "Jane",
      "I'm coming home in February after all; my aunt's children have the measles and the house "
      "is in uproar.", tone="none"),
    F("e_pri_porto", "lounge", "2026-02-03", "Priya",
      "Moved again! Porto this time, the hospital transferred me to their new cardiac unit."),
    F("e_tom_exhibit", "lounge", "2026-02-03", "Tom",
      "The harbour museum has a new exhibition about Brunel's steamships, opening night is "
      "Friday."),
    F("e_eliz_lydia", "lounge", "2026-02-03", "Elizabeth",
      "Lydia has decided she simply must follow the regiment to Brighton. Papa is pretending "
      "not to hear."),
    F("e_tom_boulder", "lounge", "2026-02-12", "Tom",
      "Went bouldering on Saturday and fell off the same purple route nine times."),
    F("e_cha_jars", "lounge", "2026-02-12", "Charlotte",
      "I went into the village to collect the jars for my honey, and the grocer had broken half "
      "of them.", tone="bad"),
    F("d_e_tom_sofa", "lounge", "2026-02-12", "Tom",
      "Moving the sofa up three flights for my cousin nearly finished me off."),
    F("e_tom_banjo", "lounge", "2026-02-22", "Tom",
      "I've given up the ukulele, the banjo is so much more fun. The neighbours disagree."),
    F("e_pri_sari", "lounge", "2026-02-22", "Priya",
      "Anjali sent the wedding photos, she wore our grandmother's red sari and I cried at my "
      "phone."),
    F("e_eliz_fordyce", "lounge", "2026-02-22", "Elizabeth",
      "Mr Collins left us Fordyce's Sermons, and I am reading them as a penance."),
    F("e_eliz_derbyshire", "lounge", "2026-03-03", "Elizabeth",
      "The Lakes are given up. My uncle's business allows us only as far as Derbyshire, so "
      "Derbyshire it is.", tone="none"),
    F("e_tom_bestman", "lounge", "2026-03-03", "Tom",
      "Danny asked me to be best man, so now I have to write a speech that doesn't mention the "
      "caravan incident.", tone="good"),
    # ---------------------------------------------------------------- assembly (shared)
    F("a_bingley_lease", "assembly", "2025-09-13", "Bingley",
      "I have taken Netherfield Park until Michaelmas next year, and I like it excessively "
      "already."),
    F("a_darcy_meryton", "assembly", "2025-09-13", "Darcy",
      "I have never seen so many people I cared so little for as at the Meryton assembly.",
      to="Bingley", tone="none"),
    F("a_bingley_meryton", "assembly", "2025-09-13", "Bingley",
      "I never met with pleasanter people or prettier girls in my life than at Meryton.",
      to="Darcy", tone="none"),
    F("a_darcy_tolerable", "assembly", "2025-09-13", "Darcy",
      "Miss Elizabeth Bennet is tolerable, but not handsome enough to tempt me.", to="Bingley",
      tone="none"),
    F("a_darcy_dance", "assembly", "2025-10-08", "Darcy",
      "I never dance unless I am particularly acquainted with my partner."),
    F("a_georgiana_piano", "assembly", "2025-10-08", "Darcy",
      "My sister Georgiana practises the pianoforte for three hours every morning.",
      to="Elizabeth"),
    F("a_bingley_ball", "assembly", "2025-10-30", "Bingley",
      "I shall give a ball at Netherfield on the twenty-sixth of November, and everyone here is "
      "invited!", tone="good"),
    F("a_jane_ball", "assembly", "2025-10-30", "Jane",
      "I can hardly wait for the ball, I have already chosen my gown."),
    F("a_eliz_ball", "assembly", "2025-10-30", "Elizabeth",
      "A ball! My mother will talk of nothing else for a fortnight."),
    F("a_darcy_ball", "assembly", "2025-10-30", "Darcy",
      "A ball is an insupportable crush. I would sooner spend the evening with a book.",
      tone="none"),
    F("a_darcy_mare", "assembly", "2025-11-28", "Darcy",
      "I bought a grey mare at Tattersall's last week, sixteen hands and very steady."),
    F("a_bingley_jane", "assembly", "2025-11-28", "Bingley",
      "Miss Bennet is the most beautiful creature I ever beheld.", to="Darcy", tone="none"),
    F("a_darcy_jane", "assembly", "2025-11-28", "Darcy",
      "Miss Bennet smiles too much; I cannot tell whether her heart is touched.", to="Bingley",
      tone="none"),
    F("a_bingley_winter", "assembly", "2025-11-28", "Bingley",
      "I mean to stay at Netherfield all winter, there is nowhere I would rather be."),
    F("a_jane_gracechurch", "assembly", "2025-12-21", "Jane",
      "I'm going to London for the winter, to stay with my aunt and uncle in Gracechurch Street.",
      to="Elizabeth"),
    F("a_jane_spring", "assembly", "2025-12-21", "Jane",
      "My aunt insists I remain in town until the spring."),
    F("a_eliz_gardiner", "assembly", "2026-01-15", "Elizabeth",
      "My aunt Gardiner grew up in Lambton, she still talks of it very fondly.", to="Darcy"),
    # ---------------------------------------------------------------- library (Darcy's home)
    F("d_han_dev", "library", "2025-09-06", "Hannah",
      "Day job update: I'm a developer at a payments company now, which means I dream in error "
      "codes."),
    F("d_darcy_harlow", "library", "2025-09-06", "Darcy",
      "I have engaged a new steward at Pemberley, a Mr Harlow from Lambton."),
    F("d_geo_younge", "library", "2025-09-06", "Georgiana",
      "Mrs Younge, my companion, says we shall go to Ramsgate again in the summer."),
    F("d_mar_teach", "library", "2025-09-16", "Marcus",
      "I teach history at Kingsbridge Academy, year nines mostly, so my patience is a renewable "
      "resource."),
    F("d_mar_ada", "library", "2025-09-16", "Marcus",
      "My daughter Ada started nursery this week and bit someone on day one. We're very proud. "
      "Kind of."),
    F("d_bin_caroline", "library", "2025-09-16", "Bingley",
      "Caroline has taken a house in Grosvenor Street for the season, so I shall be summoned "
      "constantly."),
    F("d_han_flat1", "library", "2025-09-25", "Hannah",
      "We're flat-hunting in Hackney, every viewing is a damp cupboard with a fridge in it.",
      lead="How's the flat hunt going, Hannah?"),
    F("d_mar_berlin", "library", "2025-09-25", "Marcus",
      "Signed up for the Berlin marathon next September. Training starts now, apparently."),
    F("d_geo_harp", "library", "2025-09-25", "Georgiana",
      "A new harp has arrived from Erard's in London, a present for me. I am almost afraid to "
      "touch it.", tone="good"),
    F("d_han_cat", "library", "2025-10-05", "Hannah",
      "I adopted a cat from the shelter today! One-eyed tabby, called Ziggy, already hates me.",
      tone="good"),
    F("d_mar_cardiff_half", "library", "2025-10-05", "Marcus",
      "Ran the Cardiff half on Sunday, 1:41! My legs have filed a formal complaint."),
    F("d_bin_hurst1", "library", "2025-10-05", "Bingley",
      "My sister Louisa married Mr Hurst, who does nothing but eat, drink and play at cards."),
    F("d_darcy_gibbon", "library", "2025-10-05", "Darcy",
      "I am working through Gibbon's Decline and Fall again; the sixth volume is my reward."),
    F("d_han_saturday", "library", "2025-10-15", "Hannah",
      "Saturday was laundry and shouting at the football. Living the dream."),
    F("d_mar_bookshop", "library", "2025-10-15", "Marcus",
      "The new bookshop by the station is lovely, but the history section is a single shelf."),
    F("d_bin_bookshop", "library", "2025-10-15", "Bingley",
      "I went into the new bookshop and came out with three books I shall never read."),
    F("d_han_bookshop", "library", "2025-10-15", "Hannah",
      "The new bookshop by the station does a great hot chocolate, by the way."),
    F("d_darcy_bookshop", "library", "2025-10-15", "Darcy",
      "The new bookshop had a fine edition of Milton, at a ridiculous price."),
    F("d_geo_guardian", "library", "2025-10-15", "Georgiana",
      "My cousin Colonel Fitzwilliam is one of my two guardians, so I am doubly scolded."),
    F("d_han_ollie_wrist", "library", "2025-10-24", "Hannah",
      "My little brother Ollie broke his wrist skateboarding down a multi-storey car park ramp. "
      "Idiot.", tone="bad"),
    F("d_mar_narrowboat", "library", "2025-10-24", "Marcus",
      "We bought a knackered old narrowboat, the plan is to live on it by the summer."),
    F("d_bin_horses", "library", "2025-10-24", "Bingley",
      "I have bought a pair of chestnut carriage horses; they cost me a small fortune and they "
      "bite."),
    F("d_geo_brother", "library", "2025-10-24", "Georgiana",
      "My brother is the best and kindest of men, though he does frown dreadfully at breakfast."),
    F("d_d_han_10k", "library", "2025-10-24", "Hannah",
      "I ran a 10k once. Never again. My knees still talk about it."),
    F("d_han_sleepwalk", "library", "2025-11-03", "Hannah",
      "I've been sleepwalking again. Woke up at three in the kitchen holding a colander."),
    F("d_geo_watercolour", "library", "2025-11-03", "Georgiana",
      "I am learning to paint in watercolours. My drawing master says my skies are always too "
      "grey."),
    F("d_bin_darcy", "library", "2025-11-03", "Bingley",
      "Darcy is the best friend a man could have, if only he would smile at a party."),
    F("d_d_geo_cat", "library", "2025-11-03", "Georgiana",
      "Mrs Reynolds says the house cat has had kittens in the linen press."),
    F("d_han_peanut", "library", "2025-11-13", "Hannah",
      "I'm allergic to peanuts, so the office satay lunch was basically a hostage situation."),
    F("d_mar_proposal", "library", "2025-11-13", "Marcus",
      "Leo proposed on the beach at Whitby! I said yes, obviously, after crying on a seagull.",
      tone="good"),
    F("d_han_fleetwood", "library", "2025-11-22", "Hannah",
      "Nobody here appreciates Fleetwood Mac like I do. Rumours is a perfect album, fight me."),
    F("d_mar_paper", "library", "2025-11-22", "Marcus",
      "I'm team paper books forever. Reading on an e-reader feels like reading a fridge."),
    F("d_darcy_annesley", "library", "2025-11-22", "Darcy",
      "I have dismissed Mrs Younge. Mrs Annesley will be Georgiana's companion from now on.",
      tone="none"),
    F("d_d_mar_cat", "library", "2025-11-22", "Marcus",
      "Our neighbour's cat keeps sleeping in Ada's pram. Ada thinks it's hers now."),
    F("d_han_flat2", "library", "2025-12-01", "Hannah",
      "We signed for a flat in Walthamstow. Hackney was impossible, but this one has a proper "
      "window.", tone="good"),
    F("d_mar_wedding1", "library", "2025-12-01", "Marcus",
      "Wedding's booked for August, at a barn with a suspicious number of goats."),
    F("d_darcy_mill", "library", "2025-12-01", "Darcy",
      "Yesterday I rode over to Lambton to inspect the new mill; the wheel is finally turning."),
    F("d_han_darcy", "library", "2025-12-11", "Hannah",
      "Darcy is the only person in this server who replies with full punctuation and I respect "
      "it."),
    F("d_mar_parkrun", "library", "2025-12-11", "Marcus",
      "Saturday's parkrun in the frost was brutal, I lost a glove and most of my dignity."),
    F("d_geo_radcliffe", "library", "2025-12-11", "Georgiana",
      "I am reading one of Mrs Radcliffe's novels by candlelight and frightening myself to "
      "death."),
    F("d_darcy_cards", "library", "2025-12-11", "Darcy",
      "I confess I dislike cards. I would rather sit in a quiet corner with a book."),
    F("d_mar_london", "library", "2025-12-21", "Marcus",
      "Change of plan: I got a charity place for the London marathon in April, so that's my big "
      "race now.", tone="good"),
    F("d_bin_hurst2", "library", "2025-12-21", "Bingley",
      "Mr Hurst fell asleep in the soup at dinner last night. Louisa pretended it was the "
      "fashion."),
    F("d_han_dad", "library", "2025-12-21", "Hannah",
      "My dad still can't work his phone, he video-called me from inside his pocket again."),
    F("d_bin_newyear", "library", "2026-01-01", "Bingley",
      "We saw in the new year at Scarborough with the Hursts. Hurst slept through midnight."),
    F("d_mar_dad", "library", "2026-01-01", "Marcus",
      "My dad's retired to Spain and now sends me a photo of every paella he eats."),
    F("d_mar_leo_job", "library", "2026-01-01", "Marcus",
      "Leo's a paramedic so our shifts never line up, we communicate entirely in fridge notes."),
    F("d_darcy_eyes", "library", "2026-01-01", "Darcy",
      "I was wrong about Miss Elizabeth Bennet. She has the finest eyes I have ever seen.",
      to="Bingley", tone="none"),
    F("d_han_notice", "library", "2026-01-10", "Hannah",
      "Handed in my notice today. No more payment APIs, I'm going to bake for a living.",
      tone="good"),
    F("d_bin_townwinter", "library", "2026-01-10", "Bingley",
      "I have given up Netherfield for the winter; Caroline persuaded me that town is livelier."),
    F("d_geo_birthday", "library", "2026-01-10", "Georgiana",
      "I turned sixteen today! I was given a book of sonatas and a very long letter of advice.",
      tone="good"),
    F("d_mar_ankle", "library", "2026-01-10", "Marcus",
      "Twisted my ankle on a training run, so I'm icing it and sulking."),
    F("d_han_ziggy_starter", "library", "2026-01-20", "Hannah",
      "Ziggy knocked my sourdough starter off the counter at 2am. Eleven months of work, gone.",
      tone="bad"),
    F("d_mar_agincourt", "library", "2026-01-20", "Marcus",
      "A Kingsbridge parent complained that I made the class re-enact Agincourt with rulers."),
    F("d_bin_party", "library", "2026-01-20", "Bingley",
      "I like a large party best of all. The more the merrier at dinner, I always say."),
    F("d_darcy_hume", "library", "2026-01-20", "Darcy",
      "I have started Hume's History of England, and find I argue with every page."),
    F("d_mar_wedding2", "library", "2026-02-08", "Marcus",
      "We've moved the wedding to October, the barn flooded. The goats are fine.", tone="bad"),
    F("d_darcy_fitz_brighton", "library", "2026-02-08", "Darcy",
      "Fitzwilliam has been posted to Brighton with his regiment; he writes that the sea air is "
      "wasted on him."),
    F("d_bin_caroline_call", "library", "2026-02-08", "Bingley",
      "Caroline says she called on Miss Bennet at her uncle's house, and she will not go again."),
    F("d_han_bakery", "library", "2026-02-18", "Hannah",
      "The bakery opens on Saturday! Me and Priti, two ovens, cardamom buns and a lot of panic.",
      tone="good"),
    F("d_mar_30k", "library", "2026-02-18", "Marcus",
      "Did a thirty-kilometre long run along the canal on Saturday. A heron judged me the whole "
      "way."),
    F("d_darcy_rosings", "library", "2026-02-18", "Darcy",
      "My aunt Lady Catherine insists that I visit Rosings at Easter, as I do every year."),
    F("d_d_geo_mozart", "library", "2026-02-18", "Georgiana",
      "Mozart's sonatas are so difficult for small hands."),
    F("d_han_ollie_glasgow", "library", "2026-02-27", "Hannah",
      "Ollie got into art school in Glasgow! Cast is off, portfolio is in, I'm so proud.",
      tone="good"),
    F("d_geo_beethoven", "library", "2026-02-27", "Georgiana",
      "Beethoven is my favourite. Mozart is lovely, but Beethoven makes me feel brave."),
    F("d_han_pottery", "library", "2026-03-05", "Hannah",
      "On Saturday I finally went to that pottery class and made a very wonky mug."),
    F("d_darcy_cowper", "library", "2026-03-05", "Darcy",
      "Lately I read nothing but Cowper in the evenings."),
    # ---------------------------------------------------------------- studio (Mira's home)
    F("m_kof_twins", "studio", "2025-09-02", "Kofi",
      "My twins Ama and Kwame turn five on Friday, send help and earplugs."),
    F("m_len_thesis", "studio", "2025-09-08", "Lena",
      "My thesis is on how octopuses use camouflage in cold water. Basically I watch them sulk."),
    F("m_mir_lighthouses", "studio", "2025-09-08", "Mira",
      "I keep a map of every lighthouse I've visited. Twenty-three so far, and a few I only saw "
      "from the sea."),
    F("m_sam_band", "studio", "2025-09-14", "Sam",
      "I play bass in a covers band called The Damp Squibs. We are exactly as good as the name "
      "suggests."),
    F("m_kof_leeds", "studio", "2025-09-20", "Kofi",
      "We're moving to Leeds in January, found a terrace near Roundhay Park.", tone="good"),
    F("m_ine_library", "studio", "2025-09-20", "Ines",
      "The library extension I designed in Drumcondra finally opened today. I may have cried in "
      "the reading room.", tone="good"),
    F("m_len_deadline1", "studio", "2025-09-27", "Lena",
      "Thesis submission deadline is the fifteenth of December. I am calm. I am extremely calm."),
    F("m_mir_tea1", "studio", "2025-09-27", "Mira",
      "My favourite tea is lapsang souchong. It tastes like a campfire in a library."),
    F("m_sam_cousin", "studio", "2025-09-27", "Sam",
      "My cousin Jodie is a zookeeper, she smells permanently of fish."),
    F("m_ine_rents", "studio", "2025-09-27", "Ines",
      "Dublin rents are criminal. I pay more for a box room than my parents pay on their "
      "mortgage."),
    F("m_kof_van", "studio", "2025-10-05", "Kofi",
      "Bought an old ice-cream van off a man in Stockport. It's going to be a jollof truck.",
      tone="good"),
    F("m_ine_nadia1", "studio", "2025-10-05", "Ines",
      "My girlfriend Nadia and I are moving in together next month. She owns nine plants, I own "
      "zero.", tone="good"),
    F("m_len_sister", "studio", "2025-10-12", "Lena",
      "My sister Freya is the sensible one, she does tax law and owns a label maker."),
    F("m_sam_crown", "studio", "2025-10-12", "Sam",
      "Played a gig at the Crown on Saturday, we did Mr Brightside twice because someone paid "
      "us to."),
    F("m_pip_raindrops", "studio", "2025-10-12", "Pip",
      "I have counted every raindrop on this window today: four thousand and twelve. Rain is my "
      "nemesis."),
    F("m_kof_playstation", "studio", "2025-10-20", "Kofi",
      "Sold my old PlayStation to pay for new tyres on the van. The twins are in mourning."),
    F("m_ine_carla", "studio", "2025-10-20", "Ines",
      "My sister Carla is expecting her first baby in January. I'm going to be the cool aunt.",
      tone="good"),
    F("m_mir_grandma", "studio", "2025-10-20", "Mira",
      "My grandmother kept the light at Hook Head for thirty years. I learned to count by its "
      "flashes."),
    F("m_sam_cats", "studio", "2025-10-20", "Sam",
      "I'm allergic to cats, which is tragic because every cat on earth loves me."),
    F("m_sam_japanese", "studio", "2025-10-28", "Sam",
      "I've been doing Japanese on Duolingo every night on my break. The owl is relentless."),
    F("m_pip_fern1", "studio", "2025-10-28", "Pip",
      "I have named the studio fern Gerald. He is shy."),
    F("m_kof_rent", "studio", "2025-10-28", "Kofi",
      "Manchester rents are climbing too, my cousin pays a fortune for a flat above a chippy."),
    F("m_pip_halloween", "studio", "2025-11-01", "Pip",
      "For Halloween I dressed as a toaster. Nobody understood. I understood."),
    F("m_pip_hoover", "studio", "2025-11-01", "Pip",
      "I am frightened of the hoover. It roars and it eats things that were mine."),
    F("m_len_plymouth", "studio", "2025-11-12", "Lena",
      "I presented a poster at the conference in Plymouth and only knocked over one easel."),
    F("m_kof_open", "studio", "2025-11-08", "Kofi",
      "First day of trading today! Parked outside the uni and sold out of jollof by two o'clock.",
      tone="good"),
    F("m_sam_job", "studio", "2025-11-08", "Sam",
      "Driving the 42 bus at five in the morning is the only time this city is quiet."),
    F("m_ine_cycling", "studio", "2025-11-08", "Ines",
      "I've started cycling to work along the canal, forty minutes each way, thighs of steel "
      "incoming."),
    F("m_mir_owls", "studio", "2025-11-15", "Mira",
      "I've started sleeping with the window open so I can hear the owls in the churchyard."),
    F("m_kof_tooth", "studio", "2025-11-15", "Kofi",
      "Kwame lost his first tooth in a bread roll at dinner and demanded a receipt from the "
      "tooth fairy."),
    F("m_len_rabbit", "studio", "2025-11-20", "Lena",
      "Adopted a lop-eared rabbit today! He's called Admiral and he has already eaten a sock.",
      tone="good"),
    F("m_kof_rain", "studio", "2025-11-25", "Kofi",
      "The rain killed trade today, six portions all afternoon and a pigeon stole one.",
      tone="bad"),
    F("m_sam_osaka", "studio", "2025-11-25", "Sam",
      "Booked flights to Osaka for April! Cherry blossoms and street food, here I come.",
      tone="good"),
    F("m_ine_boulder", "studio", "2025-11-25", "Ines",
      "Bouldering on Saturday, skinned both knees, would do it again."),
    F("m_len_deadline2", "studio", "2025-12-05", "Lena",
      "Got an extension, thank every god. The thesis is now due on the thirty-first of January.",
      tone="good"),
    F("m_pip_sam", "studio", "2025-12-05", "Pip",
      "Sam's bass playing makes all the teacups rattle. I have moved the teacups."),
    F("m_kof_smoky", "studio", "2025-12-10", "Kofi",
      "Jollof with a bit of smoky bottom from the pot is the only correct jollof. I won't hear "
      "otherwise."),
    F("m_kof_name", "studio", "2025-12-10", "Kofi",
      "The van's called Jollof Rider now, painted gold. You genuinely cannot miss it."),
    F("m_len_coriander", "studio", "2025-12-20", "Lena",
      "I hate coriander. It tastes like soap and regret."),
    F("m_sam_paddington", "studio", "2025-12-20", "Sam",
      "Best film ever made is Paddington 2. I will not be taking questions."),
    F("m_mir_sam", "studio", "2025-12-20", "Mira",
      "Sam walked me home from the harbour; he knows the name of every street on the way."),
    F("m_mir_moon", "studio", "2025-12-28", "Mira",
      "The full moon last night made the harbour look like hammered tin."),
    F("m_pip_moon", "studio", "2025-12-28", "Pip",
      "The moon followed me home last night. I think it likes me."),
    F("m_len_moon", "studio", "2025-12-28", "Lena",
      "Octopuses get more active around the full moon, allegedly. Mine just get grumpier."),
    F("m_ine_mountains", "studio", "2025-12-28", "Ines",
      "I'd always pick the mountains over a beach holiday. Sand is just tiny rocks that hate you."),
    F("m_ine_split", "studio", "2026-01-08", "Ines",
      "Nadia and I have split up. It's fine. I kept two of the plants.", tone="bad"),
    F("m_kof_glitter", "studio", "2026-01-08", "Kofi",
      "Pip tried to season my stew with glitter. Edible glitter, apparently. It was not."),
    F("m_mir_winter", "studio", "2026-01-08", "Mira",
      "I prefer winter nights to summer ones. The stars are sharper when it's cold."),
    F("m_pip_cable", "studio", "2026-01-15", "Pip",
      "Admiral chewed through Lena's laptop cable during the video call. I saw everything. I "
      "said nothing."),
    F("m_mir_hookhead", "studio", "2026-01-15", "Mira",
      "Hook Head is one of the oldest working lighthouses in the world; the tower was built in "
      "the 1200s."),
    F("m_sam_pond", "studio", "2026-01-18", "Sam",
      "Last Saturday's gig was a wedding in a marquee and the groom fell in the pond during "
      "our second set."),
    F("m_ine_rosa", "studio", "2026-01-25", "Ines",
      "Carla had the baby! A girl called Rosa, three kilos of pure screaming.", tone="good"),
    F("m_len_bergen", "studio", "2026-01-25", "Lena",
      "Fieldwork in Bergen is confirmed: two weeks on a research ship in April. I bought "
      "thermal socks."),
    F("m_pip_cones", "studio", "2026-01-25", "Pip",
      "My favourite colour is the orange of traffic cones. It means something exciting is "
      "happening."),
    F("m_kof_levenshulme", "studio", "2026-02-05", "Kofi",
      "Change of plan on the house: we've moved across Manchester to Levenshulme instead. Much "
      "closer to the van."),
    F("m_sam_sapporo", "studio", "2026-02-05", "Sam",
      "Swapped the trip. Sapporo instead of Osaka, and I'm going in late March for the last of "
      "the snow."),
    F("m_len_seminar", "studio", "2026-02-14", "Lena",
      "Gave my final department seminar today, and the professor only fell asleep once."),
    F("m_mir_tea2", "studio", "2026-02-14", "Mira",
      "I've gone off lapsang. It's all genmaicha now, the one with toasted rice."),
    F("m_kof_award", "studio", "2026-02-14", "Kofi",
      "Just saw the Drumcondra library extension won an RIAI award, the photos are gorgeous."),
    F("m_sam_penguin", "studio", "2026-02-20", "Sam",
      "Jodie got bitten by a penguin at feeding time, she says it was personal."),
    F("m_len_drummer", "studio", "2026-02-20", "Lena",
      "Went to see the Damp Squibs last night and their drummer quit mid-song. Walked straight "
      "out the fire exit."),
    F("m_pip_fern2", "studio", "2026-02-20", "Pip",
      "The fern is now called Sir Gerald. He survived the radiator and earned a knighthood."),
    F("m_ine_carrauntoohil", "studio", "2026-02-27", "Ines",
      "Climbed Carrauntoohil on Saturday. The fog was biblical and I ate a squashed sandwich at "
      "the top."),
    F("m_mir_aurora", "studio", "2026-02-27", "Mira",
      "I saw the northern lights from the harbour wall last night! Green ribbons, then pink.",
      tone="good"),
    F("m_sam_union", "studio", "2026-03-05", "Sam",
      "We played the student union on Saturday. Sticky floors, great crowd."),
    F("m_sam_rent", "studio", "2026-03-05", "Sam",
      "My rent went up forty quid, so it's toast for dinner until spring."),
    F("m_len_viva", "studio", "2026-03-10", "Lena",
      "I passed my viva!!! Minor corrections only. Call me Doctor.", tone="good"),
]


def Q(  # noqa: N802 - reads as a table row
    owner: str,
    category: str,
    text: str,
    evidence: list[str] | str,
    answer: str,
    keys: list[str],
    unique: list[str] | None = None,
    ask: tuple[str, float] | None = None,
    contrast: list[str] | None = None,
) -> Question:
    ev = [evidence] if isinstance(evidence, str) else evidence
    return Question(owner, category, text, ev, answer, keys, unique, ask, contrast or [])


SH, PA, TE, KU, MH, SP, PR = (
    "single_hop",
    "paraphrase",
    "temporal",
    "knowledge_update",
    "multi_hop",
    "speaker",
    "preference",
)

QUESTIONS: list[Question] = [
    # ================================================================ elizabeth
    Q("elizabeth", SH, "What job did Tom get at the museum?", "e_tom_job",
      "Conservator at the harbour museum.", ["conservator"]),
    Q("elizabeth", SH, "What is the name of Tom's greyhound?", "e_tom_dog",
      "Juniper.", ["Juniper"]),
    Q("elizabeth", SH, "Until when has Bingley taken Netherfield?", "a_bingley_lease",
      "Until Michaelmas next year.", ["Michaelmas"]),
    Q("elizabeth", SH, "What did the doctor say about Jane's cough?", "e_jane_cold",
      "That it is only a chest cold and she must rest for a week.", ["chest cold"]),
    Q("elizabeth", SH, "What car did Priya buy?", "e_pri_car",
      "A secondhand green Fiat Panda.", ["Fiat Panda"]),
    Q("elizabeth", SH, "How long does Georgiana practise the pianoforte each morning?",
      "a_georgiana_piano", "Three hours.", ["three hours"]),
    Q("elizabeth", SH, "Where is Tom's brother getting married?", "e_tom_brother",
      "In Cardiff (in June).", ["Cardiff"]),
    Q("elizabeth", SH, "Which of Jane's dresses did Kitty borrow and spoil?", "e_jane_kitty",
      "Her blue muslin (Kitty spilt tea on it).", ["blue muslin"]),
    Q("elizabeth", PA, "Which insect-related pastime has Charlotte taken up?", "e_cha_hives",
      "Beekeeping: Sir William bought her two hives.", ["keep bees"]),
    Q("elizabeth", PA, "What language course did Priya enrol in?", "e_pri_portuguese",
      "Portuguese lessons on Tuesday evenings.", ["Portuguese lessons"]),
    Q("elizabeth", PA, "On which road do Jane's relatives in the capital live?",
      "a_jane_gracechurch", "Gracechurch Street.", ["Gracechurch"]),
    Q("elizabeth", PA, "What had Tom's property owner been slow to repair?", "e_tom_boiler",
      "The boiler (three weeks of cold showers).", ["boiler"]),
    Q("elizabeth", PA, "How did Elizabeth answer her cousin's marriage proposal?",
      "e_eliz_refuse", "She refused Mr Collins.", ["refused Mr Collins"]),
    Q("elizabeth", PA, "Which animal did Darcy acquire at a London auction house?",
      "a_darcy_mare", "A grey mare, bought at Tattersall's.", ["grey mare"]),
    Q("elizabeth", PA, "Has Tom given up eating meat?", "e_tom_vegetarian",
      "Yes, he has been vegetarian since New Year.", ["vegetarian"]),
    Q("elizabeth", PA, "Which ailment has been troubling Priya recently?", "e_pri_migraine",
      "Awful migraines.", ["migraines"]),
    Q("elizabeth", TE, "What did Tom do over a weekend in {month:e_tom_swim}?", "e_tom_swim",
      "He went sea swimming at Clevedon.", ["Clevedon"],
      contrast=["e_tom_tax", "e_tom_boulder"]),
    Q("elizabeth", TE, "How did Tom spend a Saturday in {month:e_tom_boulder}?", "e_tom_boulder",
      "Bouldering (he fell off the same purple route nine times).", ["bouldering"],
      contrast=["e_tom_swim", "e_tom_tax"]),
    Q("elizabeth", TE, "Which book was Elizabeth reading in {month:e_eliz_udolpho}?",
      "e_eliz_udolpho", "The Mysteries of Udolpho.", ["Udolpho"],
      contrast=["e_eliz_cowper", "e_eliz_fordyce"]),
    Q("elizabeth", TE, "What did Priya do on Christmas Day?", "e_pri_christmas",
      "She worked on the ward.", ["on the ward"]),
    Q("elizabeth", TE, "What was Charlotte's errand in the village last week?", "e_cha_jars",
      "Collecting the jars for her honey (the grocer had broken half of them).", ["jars"],
      ask=("after", 6)),
    Q("elizabeth", TE, "On what day did Jane set off for London?", "e_jane_leave",
      "On {nextday:e_jane_leave}, on the early coach.", ["tomorrow morning"]),
    Q("elizabeth", TE, "When did Tom see the first snow of the year?", "e_tom_snow",
      "On the morning of {date:e_tom_snow}, in Bristol.", ["First snow"]),
    Q("elizabeth", KU, "Which city does Priya live in now?", "e_pri_porto",
      "Porto.", ["Porto"]),
    Q("elizabeth", KU, "Priya moved abroad and then moved again; which cities, in order?",
      ["e_pri_lisbon", "e_pri_arrived", "e_pri_porto"], "First Lisbon, then Porto.",
      ["Lisbon", "Porto"], unique=["Porto"]),
    Q("elizabeth", KU, "What instrument is Tom playing these days?", "e_tom_banjo",
      "The banjo (he gave up the ukulele).", ["banjo"]),
    Q("elizabeth", KU, "Where is Elizabeth going with the Gardiners this summer?",
      "e_eliz_derbyshire", "Derbyshire (the Lakes were given up).", ["Derbyshire"]),
    Q("elizabeth", KU, "How did Elizabeth's summer travel plans with the Gardiners change?",
      ["e_eliz_lakes", "e_eliz_derbyshire"],
      "A tour of the Lakes was planned; it was cut back to Derbyshire.",
      ["Lakes", "Derbyshire"], unique=["Derbyshire", "tour of the Lakes"]),
    Q("elizabeth", KU, "When is Jane coming home from London?", "e_jane_return",
      "In February, earlier than planned (her aunt's children have the measles).",
      ["February"]),
    Q("elizabeth", KU, "What is the date of Charlotte's wedding?", "e_cha_date2",
      "The fifth of January (moved forward from the twelfth).", ["fifth of January"]),
    Q("elizabeth", MH, "In which county will Mr Collins's bride be living after the wedding?",
      ["e_cha_accept", "e_cha_kent"], "Kent (Charlotte, at Hunsford parsonage).",
      ["accepted Mr Collins", "Kent"], unique=["Kent"]),
    Q("elizabeth", MH, "What did Tom's flatmate win a prize for?",
      ["e_tom_flatmate", "e_tom_raj_win"],
      "Raj came second in the regional croissant championship.",
      ["flatmate Raj", "croissant"], unique=["croissant"]),
    Q("elizabeth", MH, "What did the bride wear at Priya's sister's wedding?",
      ["e_pri_sister", "e_pri_sari"], "Their grandmother's red sari (Anjali).",
      ["Anjali", "red sari"], unique=["red sari"]),
    Q("elizabeth", MH, "What is the new exhibition at Tom's workplace about?",
      ["e_tom_job", "e_tom_exhibit"], "Brunel's steamships (at the harbour museum).",
      ["harbour museum", "Brunel"], unique=["Brunel"]),
    Q("elizabeth", MH, "What role will Tom play at the wedding in Cardiff?",
      ["e_tom_brother", "e_tom_bestman"], "Best man at his brother Danny's wedding.",
      ["Cardiff", "best man"], unique=["best man"]),
    Q("elizabeth", MH, "What did Elizabeth see at night from the spot where she likes to walk "
      "before breakfast?", ["e_eliz_oakham", "e_eliz_comet"],
      "A comet, from the top of Oakham Mount.", ["Oakham Mount", "comet"], unique=["comet"]),
    Q("elizabeth", MH, "Which of Elizabeth's friends will one day be mistress of Longbourn?",
      ["e_jane_collins", "e_cha_accept"],
      "Charlotte: she accepted Mr Collins, who is to inherit Longbourn.",
      ["inherit Longbourn", "accepted Mr Collins"],
      unique=["inherit Longbourn", "accepted Mr Collins"]),
    Q("elizabeth", SP, "What did Priya say about her sister?", ["e_pri_sister", "e_pri_sari"],
      "Anjali is marrying on Valentine's Day in Leicester (Priya runs the henna night); "
      "later, she wore their grandmother's red sari.", ["Anjali"]),
    Q("elizabeth", SP, "What did Charlotte say about her sister?", "e_cha_maria",
      "Maria is terrified of Lady Catherine and practises her curtsey every evening.",
      ["curtsey"]),
    Q("elizabeth", SP, "What did Elizabeth say about Lydia?", "e_eliz_lydia",
      "Lydia has decided she must follow the regiment to Brighton.", ["Brighton"]),
    Q("elizabeth", SP, "What did Darcy say about Bingley's ball?", "a_darcy_ball",
      "That a ball is an insupportable crush; he would sooner spend the evening with a book.",
      ["insupportable"]),
    Q("elizabeth", SP, "What did Jane say about Mr Bingley?", "e_jane_bingley",
      "He is just what a young man ought to be: sensible, good-humoured and lively.",
      ["ought to be"]),
    Q("elizabeth", SP, "What did Tom say about Lisbon?", "e_tom_lisbon",
      "He went once for a conference; the custard tarts alone are worth the trip.",
      ["custard tarts"]),
    Q("elizabeth", SP, "What did Bingley say about Jane?", "a_bingley_jane",
      "That Miss Bennet is the most beautiful creature he ever beheld.",
      ["beautiful creature"]),
    Q("elizabeth", PR, "What kind of films does Tom prefer?", "e_tom_horror",
      "Horror films (he can't sit through musicals).", ["horror"]),
    Q("elizabeth", PR, "What does Priya drink instead of coffee?", "e_pri_tea",
      "Green tea.", ["green tea"]),
    Q("elizabeth", PR, "What is Charlotte's view of happiness in marriage?", "e_cha_chance",
      "That it is entirely a matter of chance.", ["matter of chance"]),
    Q("elizabeth", PR, "What is Jane's favourite flower?", "e_jane_snowdrops",
      "Snowdrops.", ["Snowdrops"]),
    Q("elizabeth", PR, "Does Elizabeth prefer walking or riding?", "e_eliz_walk",
      "Walking; she would much rather walk than ride.", ["rather walk"]),
    Q("elizabeth", PR, "What does Darcy think of the Meryton crowd?", "a_darcy_meryton",
      "He has never seen so many people he cared so little for.", ["cared so little"]),
    # ================================================================ darcy
    Q("darcy", SH, "What is Hannah's cat called?", "d_han_cat", "Ziggy.", ["Ziggy"],
      unique=["called Ziggy"]),
    Q("darcy", SH, "What did Marcus's daughter do on her first day at nursery?", "d_mar_ada",
      "She bit someone.", ["bit someone"]),
    Q("darcy", SH, "Where was Georgiana's new harp bought?", "d_geo_harp",
      "At Erard's in London.", ["Erard"]),
    Q("darcy", SH, "Where has Caroline Bingley taken a house for the season?", "d_bin_caroline",
      "In Grosvenor Street.", ["Grosvenor Street"]),
    Q("darcy", SH, "What subject does Marcus teach?", "d_mar_teach",
      "History, at Kingsbridge Academy.", ["teach history"]),
    Q("darcy", SH, "Who is the new steward at Pemberley?", "d_darcy_harlow",
      "Mr Harlow, from Lambton.", ["Harlow"]),
    Q("darcy", SH, "How did Hannah's brother break his wrist?", "d_han_ollie_wrist",
      "Skateboarding down a multi-storey car park ramp.", ["skateboarding"]),
    Q("darcy", SH, "Until when has Bingley leased Netherfield?", "a_bingley_lease",
      "Until Michaelmas next year.", ["Michaelmas"]),
    Q("darcy", PA, "What kind of vessel is Marcus fixing up to live aboard?", "d_mar_narrowboat",
      "An old narrowboat.", ["narrowboat"]),
    Q("darcy", PA, "What odd night-time habit has been bothering Hannah?", "d_han_sleepwalk",
      "Sleepwalking.", ["sleepwalking"]),
    Q("darcy", PA, "Which artistic medium is Georgiana studying?", "d_geo_watercolour",
      "Watercolours.", ["watercolours"]),
    Q("darcy", PA, "What expensive animals did Bingley acquire?", "d_bin_horses",
      "A pair of chestnut carriage horses.", ["carriage horses"]),
    Q("darcy", PA, "Where did Marcus get engaged?", "d_mar_proposal",
      "On the beach at Whitby (Leo proposed).", ["Whitby"]),
    Q("darcy", PA, "When does Darcy's aunt expect him to come and stay?", "d_darcy_rosings",
      "At Easter (Lady Catherine, at Rosings).", ["Easter"]),
    Q("darcy", PA, "What food could make Hannah seriously ill?", "d_han_peanut",
      "Peanuts: she is allergic.", ["peanuts"]),
    Q("darcy", PA, "Which author has been giving Georgiana a fright at night?",
      "d_geo_radcliffe", "Mrs Radcliffe.", ["Radcliffe"]),
    Q("darcy", TE, "What race did Marcus run in {month:d_mar_cardiff_half}?",
      "d_mar_cardiff_half", "The Cardiff half marathon, in 1:41.", ["Cardiff half"],
      contrast=["d_mar_parkrun", "d_mar_30k"]),
    Q("darcy", TE, "How far did Marcus run on a Saturday in {month:d_mar_30k}?", "d_mar_30k",
      "Thirty kilometres, along the canal.", ["thirty-kilometre"],
      contrast=["d_mar_parkrun", "d_mar_cardiff_half"]),
    Q("darcy", TE, "When did Darcy inspect the new mill at Lambton?", "d_darcy_mill",
      "On {prevday:d_darcy_mill}.", ["new mill"]),
    Q("darcy", TE, "What did Hannah do last Saturday?", "d_han_pottery",
      "She went to a pottery class and made a wonky mug.", ["pottery"], ask=("week", 3)),
    Q("darcy", TE, "When did Georgiana turn sixteen?", "d_geo_birthday",
      "On {date:d_geo_birthday}.", ["turned sixteen"]),
    Q("darcy", TE, "Where did Bingley see in the new year?", "d_bin_newyear",
      "At Scarborough, with the Hursts.", ["Scarborough"]),
    Q("darcy", TE, "Which book was Darcy reading in {month:d_darcy_hume}?", "d_darcy_hume",
      "Hume's History of England.", ["Hume"], contrast=["d_darcy_gibbon", "d_darcy_cowper"]),
    Q("darcy", KU, "What does Hannah do for a living now?", "d_han_bakery",
      "She runs a bakery (with Priti).", ["bakery"]),
    Q("darcy", KU, "How did Hannah's work change over the winter?",
      ["d_han_dev", "d_han_notice", "d_han_bakery"],
      "She was a developer at a payments company, handed in her notice to bake for a living, "
      "and opened a bakery.", ["developer", "notice", "bakery"], unique=["bakery"]),
    Q("darcy", KU, "Which marathon is Marcus training for now?", "d_mar_london",
      "The London marathon in April.", ["London marathon"]),
    Q("darcy", KU, "Which marathon had Marcus signed up for before he switched?",
      ["d_mar_berlin", "d_mar_london"], "Berlin; he switched to London.",
      ["Berlin", "London marathon"], unique=["Berlin"]),
    Q("darcy", KU, "Where did Hannah end up renting a flat?", "d_han_flat2",
      "Walthamstow (Hackney was impossible).", ["Walthamstow"]),
    Q("darcy", KU, "Who is Georgiana's companion now?", "d_darcy_annesley",
      "Mrs Annesley (Mrs Younge was dismissed).", ["Mrs Annesley"]),
    Q("darcy", KU, "When is Marcus's wedding now?", "d_mar_wedding2",
      "In October (moved from August after the barn flooded).", ["wedding to October"]),
    Q("darcy", KU, "How has Darcy's opinion of Elizabeth's looks changed?",
      ["a_darcy_tolerable", "d_darcy_eyes"],
      "At first 'tolerable, but not handsome enough'; now she has the finest eyes he has seen.",
      ["tolerable", "finest eyes"]),
    Q("darcy", KU, "Where is Bingley spending the winter?", "d_bin_townwinter",
      "In town: he has given up Netherfield for the winter.", ["given up Netherfield"]),
    Q("darcy", MH, "Which city is Hannah's brother going to for art school?",
      ["d_han_ollie_wrist", "d_han_ollie_glasgow"], "Glasgow (Ollie).",
      ["brother Ollie", "Glasgow"], unique=["Glasgow"]),
    Q("darcy", MH, "What does the person who proposed to Marcus do for work?",
      ["d_mar_proposal", "d_mar_leo_job"], "Leo is a paramedic.",
      ["Leo proposed", "paramedic"], unique=["paramedic"]),
    Q("darcy", MH, "What did Hannah's cat knock off the counter?",
      ["d_han_cat", "d_han_ziggy_starter"], "Her sourdough starter (Ziggy did it).",
      ["called Ziggy", "sourdough starter"], unique=["sourdough starter"]),
    Q("darcy", MH, "What did Bingley's brother-in-law do at dinner?",
      ["d_bin_hurst1", "d_bin_hurst2"], "Mr Hurst fell asleep in the soup.",
      ["married Mr Hurst", "asleep in the soup"], unique=["asleep in the soup"]),
    Q("darcy", MH, "What did a parent at Marcus's school complain about?",
      ["d_mar_teach", "d_mar_agincourt"],
      "That Marcus made the class re-enact Agincourt with rulers.",
      ["Kingsbridge Academy", "Agincourt"], unique=["Agincourt"]),
    Q("darcy", MH, "Where has Georgiana's other guardian been posted?",
      ["d_geo_guardian", "d_darcy_fitz_brighton"], "Brighton (Colonel Fitzwilliam).",
      ["Colonel Fitzwilliam", "Brighton"], unique=["Brighton"]),
    Q("darcy", MH, "On which street is the house where Caroline paid a call she won't repeat?",
      ["a_jane_gracechurch", "d_bin_caroline_call"],
      "Gracechurch Street, where Jane stays with her aunt and uncle.",
      ["Gracechurch", "will not go again"], unique=["Gracechurch", "will not go again"]),
    Q("darcy", SP, "What did Georgiana say about her brother?", "d_geo_brother",
      "He is the best and kindest of men, though he frowns dreadfully at breakfast.",
      ["kindest of men"]),
    Q("darcy", SP, "What did Marcus say about the new bookshop?", "d_mar_bookshop",
      "It is lovely but its history section is a single shelf.", ["single shelf"]),
    Q("darcy", SP, "What did Bingley say about the new bookshop?", "d_bin_bookshop",
      "He came out with three books he will never read.", ["never read"]),
    Q("darcy", SP, "What did Hannah say about Darcy?", "d_han_darcy",
      "He is the only one here who replies with full punctuation, and she respects it.",
      ["full punctuation"]),
    Q("darcy", SP, "What did Bingley say about Darcy?", "d_bin_darcy",
      "The best friend a man could have, if only he would smile at a party.",
      ["smile at a party"]),
    Q("darcy", SP, "What did Bingley say about the people at Meryton?", "a_bingley_meryton",
      "He never met with pleasanter people or prettier girls.", ["pleasanter people"]),
    Q("darcy", SP, "What did Marcus say about his dad?", "d_mar_dad",
      "He retired to Spain and sends a photo of every paella he eats.", ["paella"]),
    Q("darcy", PR, "How does Darcy feel about card games?", "d_darcy_cards",
      "He dislikes cards and would rather sit in a quiet corner with a book.",
      ["dislike cards"]),
    Q("darcy", PR, "Which band does Hannah love?", "d_han_fleetwood",
      "Fleetwood Mac.", ["Fleetwood Mac"]),
    Q("darcy", PR, "Does Marcus prefer e-readers or paper books?", "d_mar_paper",
      "Paper books.", ["paper books"]),
    Q("darcy", PR, "Which composer does Georgiana like best?", "d_geo_beethoven",
      "Beethoven.", ["Beethoven"]),
    Q("darcy", PR, "What size of gathering does Bingley enjoy most?", "d_bin_party",
      "A large party; the more the merrier.", ["large party"]),
    Q("darcy", PR, "How does Darcy feel about dancing with people he doesn't know?",
      "a_darcy_dance", "He never dances unless he is particularly acquainted with his partner.",
      ["particularly acquainted"]),
    # ================================================================ mira
    Q("mira", SH, "What is Lena's thesis about?", "m_len_thesis",
      "How octopuses use camouflage in cold water.", ["camouflage"]),
    Q("mira", SH, "What is the name of Sam's band?", "m_sam_band",
      "The Damp Squibs.", ["band called The Damp Squibs"]),
    Q("mira", SH, "What are the names of Kofi's twins?", "m_kof_twins",
      "Ama and Kwame.", ["Ama and Kwame"]),
    Q("mira", SH, "How many raindrops did Pip count?", "m_pip_raindrops",
      "Four thousand and twelve.", ["four thousand and twelve"]),
    Q("mira", SH, "How many lighthouses has Mira visited?", "m_mir_lighthouses",
      "Twenty-three.", ["Twenty-three"]),
    Q("mira", SH, "What building did Ines design?", "m_ine_library",
      "The library extension in Drumcondra.", ["extension I designed"]),
    Q("mira", SH, "What is Sam allergic to?", "m_sam_cats", "Cats.", ["allergic to cats"]),
    Q("mira", SH, "What is Kofi's van called?", "m_kof_name", "Jollof Rider.", ["Jollof Rider"]),
    Q("mira", PA, "What vehicle is Kofi converting for his street food business?", "m_kof_van",
      "An old ice-cream van.", ["ice-cream van"]),
    Q("mira", PA, "What did Kofi sell to fund repairs to his vehicle?", "m_kof_playstation",
      "His old PlayStation (to pay for new tyres).", ["PlayStation"]),
    Q("mira", PA, "Which language is Sam teaching himself?", "m_sam_japanese",
      "Japanese, on Duolingo.", ["Japanese"]),
    Q("mira", PA, "What household appliance scares Pip?", "m_pip_hoover",
      "The hoover.", ["hoover"]),
    Q("mira", PA, "Why does Mira leave her window open at night?", "m_mir_owls",
      "To hear the owls in the churchyard.", ["owls"]),
    Q("mira", PA, "Which city is Lena heading to for her stint at sea?", "m_len_bergen",
      "Bergen: two weeks on a research ship.", ["Bergen"]),
    Q("mira", PA, "Did Lena's doctoral examination go well?", "m_len_viva",
      "Yes, she passed her viva with minor corrections.", ["passed my viva"]),
    Q("mira", PA, "How does Ines get to the office these days?", "m_ine_cycling",
      "She cycles along the canal, forty minutes each way.", ["cycling to work"]),
    Q("mira", TE, "Where did Sam's band play in {month:m_sam_crown}?", "m_sam_crown",
      "At the Crown.", ["the Crown"], contrast=["m_sam_pond", "m_sam_union"]),
    Q("mira", TE, "What happened at the gig Sam's band played in {month:m_sam_pond}?",
      "m_sam_pond", "It was a wedding and the groom fell in the pond.", ["fell in the pond"],
      contrast=["m_sam_crown", "m_sam_union"]),
    Q("mira", TE, "When did Kofi's food truck start trading?", "m_kof_open",
      "On {date:m_kof_open}.", ["First day of trading"]),
    Q("mira", TE, "Which mountain did Ines climb last weekend?", "m_ine_carrauntoohil",
      "Carrauntoohil.", ["Carrauntoohil"], ask=("week", 4)),
    Q("mira", TE, "When did Mira see the northern lights?", "m_mir_aurora",
      "On the night of {prevday:m_mir_aurora}, from the harbour wall.", ["northern lights"]),
    Q("mira", TE, "What costume did Pip wear at the end of October?", "m_pip_halloween",
      "A toaster (for Halloween).", ["toaster"]),
    Q("mira", TE, "Where was the conference Lena presented at in {month:m_len_plymouth}?",
      "m_len_plymouth", "Plymouth (a poster).", ["Plymouth"],
      contrast=["m_len_seminar", "m_len_bergen"]),
    Q("mira", KU, "Where does Kofi live now?", "m_kof_levenshulme",
      "Levenshulme, in Manchester.", ["Levenshulme"]),
    Q("mira", KU, "Kofi planned one move but ended up somewhere else; where did he plan to go "
      "and where did he end up?", ["m_kof_leeds", "m_kof_levenshulme"],
      "He planned to move to Leeds but moved to Levenshulme instead.",
      ["Leeds", "Levenshulme"]),
    Q("mira", KU, "Which Japanese city is Sam travelling to?", "m_sam_sapporo",
      "Sapporo (instead of Osaka).", ["Sapporo"]),
    Q("mira", KU, "When is Lena's thesis due?", "m_len_deadline2",
      "The thirty-first of January (after an extension).", ["thirty-first of January"]),
    Q("mira", KU, "Are Ines and Nadia still together?", "m_ine_split",
      "No, they have split up.", ["split up"]),
    Q("mira", KU, "What is Mira's favourite tea these days?", "m_mir_tea2",
      "Genmaicha (she has gone off lapsang).", ["genmaicha"]),
    Q("mira", KU, "What is the studio fern called now?", "m_pip_fern2",
      "Sir Gerald.", ["Sir Gerald"]),
    Q("mira", MH, "What is the name of Ines's niece?", ["m_ine_carla", "m_ine_rosa"],
      "Rosa, her sister Carla's baby.", ["sister Carla", "Rosa"], unique=["Rosa"]),
    Q("mira", MH, "What happened to the drummer of Sam's band?", ["m_sam_band", "m_len_drummer"],
      "He quit mid-song and walked out the fire exit.",
      ["band called The Damp Squibs", "drummer quit"], unique=["drummer quit"]),
    Q("mira", MH, "Which of Kofi's twins lost a tooth, and how?", ["m_kof_twins", "m_kof_tooth"],
      "Kwame, biting a bread roll at dinner.", ["twins Ama and Kwame", "bread roll"],
      unique=["bread roll"]),
    Q("mira", MH, "What did Lena's rabbit chew through?", ["m_len_rabbit", "m_pip_cable"],
      "Her laptop cable (Admiral, during a video call).",
      ["called Admiral", "laptop cable"], unique=["laptop cable"]),
    Q("mira", MH, "Roughly how old is the lighthouse Mira's grandmother kept?",
      ["m_mir_grandma", "m_mir_hookhead"], "Hook Head's tower was built in the 1200s.",
      ["grandmother kept", "1200s"], unique=["1200s"]),
    Q("mira", MH, "What award did the building Ines designed win?",
      ["m_ine_library", "m_kof_award"], "An RIAI award (the Drumcondra library extension).",
      ["extension I designed", "RIAI"], unique=["RIAI"]),
    Q("mira", MH, "What bit Sam's cousin?", ["m_sam_cousin", "m_sam_penguin"],
      "A penguin, at feeding time (Jodie, a zookeeper).", ["cousin Jodie", "penguin"],
      unique=["penguin"]),
    Q("mira", SP, "What did Lena say about her sister?", "m_len_sister",
      "Freya is the sensible one; she does tax law and owns a label maker.", ["tax law"]),
    Q("mira", SP, "What did Kofi say about the rain?", "m_kof_rain",
      "It killed trade: six portions all afternoon.", ["six portions"]),
    Q("mira", SP, "What did Pip say about Sam?", "m_pip_sam",
      "Sam's bass playing makes all the teacups rattle.", ["teacups rattle"]),
    Q("mira", SP, "What did Mira say about the full moon?", "m_mir_moon",
      "It made the harbour look like hammered tin.", ["hammered tin"]),
    Q("mira", SP, "What did Ines say about rents?", "m_ine_rents",
      "Dublin rents are criminal: she pays more for a box room than her parents' mortgage.",
      ["box room"]),
    Q("mira", SP, "What did Sam say about his job?", "m_sam_job",
      "Driving the 42 bus at five in the morning is the only time the city is quiet.",
      ["42 bus"]),
    Q("mira", SP, "What did Kofi say about Pip?", "m_kof_glitter",
      "Pip tried to season his stew with glitter.", ["glitter"]),
    Q("mira", PR, "Which herb does Lena dislike?", "m_len_coriander",
      "Coriander (it tastes like soap).", ["coriander"]),
    Q("mira", PR, "What does Sam think is the best film ever made?", "m_sam_paddington",
      "Paddington 2.", ["Paddington 2"]),
    Q("mira", PR, "Does Ines prefer beach holidays or mountains?", "m_ine_mountains",
      "The mountains.", ["mountains over a beach"]),
    Q("mira", PR, "How does Kofi like his jollof?", "m_kof_smoky",
      "With a bit of smoky bottom from the pot.", ["smoky bottom"]),
    Q("mira", PR, "What is Pip's favourite colour?", "m_pip_cones",
      "The orange of traffic cones.", ["traffic cones"]),
    Q("mira", PR, "Does Mira prefer summer nights or winter nights?", "m_mir_winter",
      "Winter nights: the stars are sharper.", ["winter nights"]),
]


# The story's order: (tag, "before" | "after", tag or ISO date). The build fails if the session
# schedule ever breaks one of these (a Christmas story told before Christmas, and so on).
TIMELINE: list[tuple[str, str, str]] = [
    ("e_pri_arrived", "after", "e_pri_lisbon"),
    ("e_pri_porto", "after", "e_pri_arrived"),
    ("e_pri_sister", "before", "2026-02-14"),
    ("e_pri_sari", "after", "2026-02-14"),
    ("e_pri_christmas", "after", "2025-12-26"),
    ("e_cha_accept", "after", "e_eliz_refuse"),
    ("e_cha_date1", "after", "e_eliz_refuse"),
    ("e_cha_kent", "before", "2026-01-05"),
    ("e_cha_date2", "after", "e_cha_date1"),
    ("e_cha_date2", "before", "2026-01-05"),
    ("e_jane_leave", "after", "a_jane_gracechurch"),
    ("e_jane_return", "after", "e_jane_leave"),
    ("e_jane_return", "before", "2026-02-01"),
    ("e_tom_banjo", "after", "e_tom_ukulele"),
    ("e_tom_bestman", "after", "e_tom_brother"),
    ("e_tom_raj_win", "after", "e_tom_flatmate"),
    ("e_tom_exhibit", "after", "e_tom_job"),
    ("e_eliz_comet", "after", "e_eliz_oakham"),
    ("e_eliz_derbyshire", "after", "e_eliz_lakes"),
    ("a_bingley_ball", "before", "2025-11-26"),
    ("a_bingley_jane", "after", "2025-11-26"),
    ("d_bin_townwinter", "after", "a_bingley_winter"),
    ("d_bin_caroline_call", "after", "e_jane_leave"),
    ("d_bin_newyear", "after", "2026-01-01"),
    ("d_bin_hurst2", "after", "d_bin_hurst1"),
    ("d_darcy_eyes", "after", "a_darcy_tolerable"),
    ("d_darcy_annesley", "after", "d_geo_younge"),
    ("d_darcy_fitz_brighton", "after", "d_geo_guardian"),
    ("d_han_flat2", "after", "d_han_flat1"),
    ("d_han_notice", "after", "d_han_dev"),
    ("d_han_bakery", "after", "d_han_notice"),
    ("d_han_ziggy_starter", "after", "d_han_cat"),
    ("d_han_ollie_glasgow", "after", "d_han_ollie_wrist"),
    ("d_mar_london", "after", "d_mar_berlin"),
    ("d_mar_leo_job", "after", "d_mar_proposal"),
    ("d_mar_wedding2", "after", "d_mar_wedding1"),
    ("d_mar_agincourt", "after", "d_mar_teach"),
    ("m_kof_levenshulme", "after", "m_kof_leeds"),
    ("m_kof_rain", "after", "m_kof_open"),
    ("m_kof_open", "after", "m_kof_van"),
    ("m_kof_tooth", "after", "m_kof_twins"),
    ("m_pip_halloween", "after", "2025-10-31"),
    ("m_pip_fern2", "after", "m_pip_fern1"),
    ("m_pip_cable", "after", "m_len_rabbit"),
    ("m_len_deadline2", "after", "m_len_deadline1"),
    ("m_len_deadline2", "before", "2025-12-15"),
    ("m_len_viva", "after", "2026-01-31"),
    ("m_ine_rosa", "after", "m_ine_carla"),
    ("m_ine_split", "after", "m_ine_nadia1"),
    ("m_sam_sapporo", "after", "m_sam_osaka"),
    ("m_sam_penguin", "after", "m_sam_cousin"),
    ("m_len_drummer", "after", "m_sam_band"),
    ("m_mir_tea2", "after", "m_mir_tea1"),
    ("m_mir_hookhead", "after", "m_mir_grandma"),
    ("m_kof_award", "after", "m_ine_library"),
]


# --------------------------------------------------------------------------------------------
# Filler: templates and vocabularies
# --------------------------------------------------------------------------------------------

VOCAB: dict[str, list[str]] = {
    "food": [
        "lentil soup", "a lemon drizzle cake", "cheese toasties", "a mushroom risotto",
        "shepherd's pie", "pancakes", "a fish pie", "ramen", "a tray of flapjacks", "veg curry",
        "scones", "a Victoria sponge", "roast potatoes", "a plum crumble", "dumplings",
        "tomato soup", "jam tarts", "a big pot of chilli", "apple pie", "gingerbread",
        "leek and potato soup", "a fry-up", "fish and chips", "a stir fry", "banana bread",
        "mac and cheese", "a spinach pie", "rice pudding", "bread and butter pudding",
        "a Sunday roast", "falafel wraps", "a chickpea stew",
    ],
    "show": [
        "that baking show", "the new detective series", "the quiz show with the owl mascot",
        "the gardening programme", "that documentary about glaciers",
        "the period drama everyone's on about", "the nature programme about badgers",
        "the cooking competition", "that dating show set on an island",
        "the one about the haunted hotel", "the antiques programme", "the spy thriller",
        "that sitcom about the call centre", "the documentary about deep-sea fish",
        "the show where they restore old furniture", "the courtroom drama",
    ],
    "place": [
        "the market", "the post office", "the corner shop", "the library", "the train station",
        "the park", "the garden centre", "the chemist", "the bank on the high street",
        "the bus station", "the big supermarket", "the leisure centre", "the hardware shop",
        "the launderette", "the charity shop", "the farm shop", "the garage",
    ],
    "thing": [
        "the wifi", "the traffic", "the bus timetable", "the price of butter",
        "the queue at the post office", "my phone battery", "the heating",
        "the neighbour's hedge", "the level crossing", "the self-checkout",
        "the recycling rota", "the parking", "the printer", "the lift in our building",
        "the one-way system", "the bin collection", "the price of petrol",
    ],
    "chore": [
        "the ironing", "the washing up", "sorting the recycling", "vacuuming the stairs",
        "clearing out the loft", "answering emails", "defrosting the freezer",
        "cleaning the windows", "folding laundry", "fixing a wobbly shelf", "descaling the kettle",
        "matching odd socks", "cleaning the oven", "putting up shelves", "unblocking the sink",
    ],
    "game": [
        "chess", "Scrabble", "a jigsaw", "cribbage", "backgammon", "charades", "dominoes",
        "a thousand-piece puzzle", "Monopoly", "Cluedo", "Uno", "a crossword", "Pictionary",
    ],
    "animal": [
        "a heron", "a fox", "two squirrels fighting", "a very fat pigeon", "a robin",
        "a hedgehog", "a woodpecker", "a cormorant", "a kestrel", "a family of ducks",
        "a magpie with a crisp packet", "a swan being rude to a jogger",
    ],
    "good": [
        "lovely", "surprisingly good", "brilliant", "delightful", "honestly great",
        "better than expected", "really cosy", "a total win", "gorgeous", "spot on",
    ],
    "bad": [
        "grim", "a bit much", "chaotic", "a disaster", "forgettable", "very beige",
        "deeply average", "a mess", "weirdly sad", "not worth it",
    ],
    "recent": [
        "this morning", "earlier", "just now", "on the way home", "at lunch", "an hour ago",
        "this afternoon", "before tea",
    ],
    "eatery": [
        "the new café", "the pub on the corner", "the Thai place", "the farmers' market",
        "the deli by the station", "the chippy", "the noodle bar", "the garden centre café",
        "the Turkish place on the high street", "the canteen at work",
    ],
    "shop": [
        "the big supermarket", "the corner shop", "the farm shop", "the market",
        "the Co-op", "the discount shop", "the greengrocer's",
    ],
    "gadget": [
        "my phone", "the laptop", "the router", "the telly remote", "the smart speaker",
        "my headphones", "the printer", "the tablet", "the doorbell camera",
    ],
    "sound": [
        "some old jazz record", "sea shanties", "a brass band", "a busker doing Beatles covers",
        "film soundtracks", "lo-fi beats", "an accordion player", "the radio", "a choir",
    ],
    "snack": [
        "crisps", "a whole packet of digestives", "toast", "an apple", "cheese and crackers",
        "a flapjack", "popcorn", "a satsuma", "a chocolate bar", "hot buttered crumpets",
    ],
    # Regency register
    "r_food": [
        "white soup", "a haunch of venison", "syllabub", "partridges", "a ragout",
        "plum cake", "jellies", "a raised pie", "roast goose", "almond cheesecakes",
        "a fricassee of chicken", "apple dumplings", "buttered eggs", "ratafia cakes",
    ],
    "r_place": [
        "Lucas Lodge", "the shrubbery", "the parsonage", "the lane", "the milliner's",
        "the wilderness walk", "the little copse", "the stile by the mill",
        "the assembly rooms", "Purvis Lodge", "Haye Park", "the turnpike",
    ],
    "r_visitor": [
        "Mrs Long", "Sir William", "the curate", "Mrs Philips", "Miss King",
        "Lady Lucas", "Mrs Goulding", "Colonel Forster", "Mr Jones the apothecary",
        "Miss Harrington", "Mr Robinson",
    ],
    "r_task": [
        "netting a purse", "hemming handkerchiefs", "copying out music",
        "writing letters", "trimming a bonnet", "mending gloves", "painting a screen",
        "making up the accounts", "covering a footstool",
    ],
    "r_weather": [
        "very fine", "most disagreeable", "bitterly cold", "wet and windy", "uncommonly mild",
        "dreadfully grey", "bright but sharp", "thick with fog",
    ],
    "r_good": [
        "charming", "very agreeable", "most pleasant", "delightful", "quite passable",
        "very fine", "excellent",
    ],
    "r_bad": [
        "insipid", "very tiresome", "dreadfully dull", "most vexing", "shocking",
        "quite unbearable",
    ],
    # Studio / sky
    "sky": [
        "Orion", "the Plough", "Venus", "Jupiter", "the Pleiades", "Cassiopeia",
        "the space station", "a shooting star", "Mars", "Sirius",
    ],
    "craft": [
        "linocut", "a tiny watercolour of the quay", "a clay bowl", "a knitted hat",
        "a collage of bus tickets", "some terrible origami", "a pinhole camera",
        "a charcoal sketch of the harbour", "a paper lantern", "a cross-stitch of a crab",
    ],
    "plant": [
        "the spider plant", "the cactus", "the basil", "the peace lily", "the monstera",
        "the tomato seedlings", "the rubber plant", "the pothos",
    ],
}

SEASONS = {
    "early_autumn": {
        "weather": [
            "Still warm enough for no coat, I'm calling it a win.",
            "The evenings are drawing in already, it's criminal.",
            "Conkers everywhere in the park today.",
            "Blackberries along the canal path are amazing this year.",
            "Warm in the sun, freezing in the shade. Classic September.",
            "The wind tonight is something else.",
            "Leaves are just starting to turn on our street, it's lovely.",
        ],
        "r_weather": [
            "The harvest is nearly in and the fields look very bare.",
            "The evenings draw in so quickly now.",
            "The orchard is heavy with apples this year.",
            "It was warm enough to sit out in the garden after dinner.",
        ],
    },
    "late_autumn": {
        "weather": [
            "The leaves are all down on our road already.",
            "It's proper jumper weather now.",
            "Dark at half four, I'm not ready.",
            "There's a fog out there you could lose a bus in.",
            "First frost on the car this morning.",
            "The wind tonight is something else.",
            "It smells like bonfires outside.",
        ],
        "r_weather": [
            "The leaves are falling so fast the lane is quite golden.",
            "The evenings draw in dreadfully now.",
            "There was a frost on the lawn this morning.",
            "The wind has stripped the orchard bare.",
        ],
    },
    "winter": {
        "weather": [
            "It's absolutely freezing out.",
            "The pavements are like an ice rink.",
            "Dark by four, it's so bleak.",
            "I've got three jumpers on and I'm still cold.",
            "Hail, then sunshine, then hail again.",
            "The heating's been on since October and I regret nothing.",
            "Grey, grey, grey. I miss the sun.",
            "Frost on the inside of the window this morning.",
        ],
        "r_weather": [
            "The roads are so deep in snow that no one can call.",
            "The pond is frozen and the boys are sliding on it.",
            "It is too cold even to walk to the shrubbery.",
            "We keep the fire in all day and are still cold.",
        ],
    },
    "spring": {
        "weather": [
            "Daffodils are out on the roundabout!",
            "It's light after six again, I could cry.",
            "Sunny but the wind is still vicious.",
            "Saw blossom on the way in today.",
            "It's that weird weather where you need a coat and sunglasses.",
            "Lambs in the field by the station, it's officially spring.",
        ],
        "r_weather": [
            "The primroses are out along the lane.",
            "The hedges are in leaf at last.",
            "It is mild enough to sit in the garden after dinner.",
        ],
    },
}

# Single filler lines by register and topic. {slots} come from VOCAB; {name} is another member.
MODERN: dict[str, list[str]] = {
    "generic": [
        "Evening all!", "Hello hello.", "Back again, what did I miss?", "Ha, fair enough.",
        "Same, honestly.", "Oh no.", "Wait, really?", "lol", "Classic.", "I feel that.",
        "Ugh, yes.", "Good shout.", "This channel is chaos tonight.", "Brb, kettle.", "Back.",
        "Right, I'm off to bed soon.", "Night all!",
        "How's everyone doing?", "Sorry, had to deal with a delivery.", "Agreed.",
        "Honestly no idea.", "That's so true it hurts.", "I'm going to pretend I didn't see that.",
        "Can confirm.", "Okay that made me laugh.", "Who's around tonight?",
        "I'm so tired today, don't ask me anything hard.",
        "Just got in, soaked through.", "Did anyone else hear that thunder?",
        "Has anyone got a good recipe for {food}?", "I've eaten {snack} for dinner, don't judge.",
        "{thing} is {bad} today.", "{thing} is actually behaving itself for once.",
        "Saw {animal} {recent}, made my day.",
        "Spent half an hour on {chore}, I deserve a medal.",
        "Anyone up for {game} at some point?", "{name}, are you about?",
        "Okay but who keeps pinning random messages?",
        "The new channel icon is {good}, whoever did that.",
        "I keep forgetting this chat exists and then there are 80 messages.",
        "Scrolled up, regretted it.", "Happy Friday, I guess.", "Mondays, eh.",
    ],
    "weather": [
        "Is it raining where you are?", "The forecast lied to me again.",
        "Anyone else's umbrella turned inside out today?", "Sun's out, for about five minutes.",
        "The wind nearly took my hat off {recent}.",
    ],
    "food": [
        "Made {food} tonight, it was {good}.", "Tried a new recipe for {food}, it was {bad}.",
        "Is {food} a breakfast food? Asking for me.",
        "{shop} had {food} on offer, so guess what I'm eating all week.",
        "Someone at work brought in {food} and I've had three portions.",
        "I burnt the {snack}, somehow.", "What's everyone having for tea?",
        "Craving {food} so badly right now.",
    ],
    "tv": [
        "Anyone watching {show}?", "{show} is {good}, no spoilers please.",
        "Gave up on {show} halfway through, it was {bad}.",
        "I fell asleep during {show} again.", "The ending of {show} was {bad}.",
        "Is {show} worth starting?", "Binged four episodes of {show}, zero regrets.",
    ],
    "town": [
        "{place} is shut for refurbishment, what am I supposed to do now.",
        "The queue at {place} was out the door {recent}.",
        "They're finally fixing the potholes on the high street.",
        "There's a new mural by {place}, it's {good}.",
        "Someone's opened a vintage shop next to {place}.",
        "Bumped into my old maths teacher at {place}, so awkward.",
        "Parking near {place} is {bad}.",
    ],
    "home": [
        "{chore} took me all evening.", "The washing machine is making a noise like a jet engine.",
        "Finally put up that picture that's been leaning on the wall for a year.",
        "Found a spider the size of my hand in the bath.", "My houseplants are judging me.",
        "Why is there always one sock missing?", "The smoke alarm went off because of toast.",
        "Just discovered a whole drawer of takeaway menus from 2019.",
    ],
    "tech": [
        "{gadget} has decided to stop working.", "Anyone know how to fix {gadget}?",
        "Updated {gadget} and now everything is in a different place.",
        "Turned {gadget} off and on again. It worked. I'm a genius.",
        "My phone autocorrected my own name.", "Why do all chargers look the same?",
        "{gadget} keeps disconnecting, I'm going to throw it in the sea.",
    ],
    "sky": [
        "Clear skies tonight, {sky} is really bright.", "Anyone else see {sky} tonight?",
        "Too cloudy for stars again.", "The sunset over the harbour was {good} tonight.",
        "I downloaded one of those star apps and now I can't stop pointing my phone at the sky.",
    ],
    "making": [
        "Made {craft} today, it's {good}.", "Attempted {craft}. It was {bad}.",
        "Anyone got spare brushes?", "I've got glue on everything, including my eyebrow.",
        "Watered {plant}, it looks smug now.", "{plant} has a new leaf!",
        "Who left the kiln notes on the table? They're very helpful.",
        "I've been listening to {sound} while I work, it helps.",
    ],
}

REGENCY_LINES: dict[str, list[str]] = {
    "generic": [
        "Good evening to you all.", "I hope I find everyone well.", "How very true.",
        "You are quite right.", "I cannot disagree.", "That is very droll.",
        "I must leave you shortly.", "Good night, all.", "Indeed.",
        "I confess I hardly know what to say to that.", "You are too severe.",
        "I beg your pardon, I was called away.", "Oh, how diverting!",
        "{name}, are you quite well?", "Is there any news tonight?",
        "I have been {r_task} all afternoon.", "We dined on {r_food}, and it was {r_good}.",
        "The weather is {r_weather} today.", "I walked as far as {r_place} and back.",
        "{r_visitor} called this morning and stayed above an hour.",
        "There is no end to the talk in this house.",
        "I have mislaid my thimble again; it is the third this month.",
        "The rooks have been very loud in the elms all day.",
        "We are to have the sweep on Monday, so the house will be in uproar.",
        "I cannot think why anyone would keep a parrot.",
        "The pianoforte wants tuning very badly.",
        "{r_visitor} sends compliments to everyone here.",
        "I have been out in the garden cutting the last of the roses.",
        "There has been a great deal of rain, and the river is very high.",
        "The new bonnet came from the milliner's and it is {r_bad}.",
        "We played at commerce after tea, and I won a great many fish.",
        "The fire in the drawing room would not draw at all this morning.",
        "My uncle has sent a barrel of oysters from town.",
        "The children of the house have found a kitten in the stable.",
        "{r_visitor} has taken a new house, and talks of nothing else.",
    ],
    "weather": [
        "The weather is {r_weather} again.", "The lanes are very dirty after the rain.",
        "I fear the roads will be impassable tomorrow.",
        "Such a sky tonight; I wish you could all see it.",
    ],
    "visits": [
        "{r_visitor} called this morning and stayed above an hour.",
        "We are to dine with {r_visitor} on Thursday.",
        "{r_visitor} has sent a note asking after everyone.",
        "We had callers all morning and I got nothing done.",
        "I returned {r_visitor}'s call, which took the whole morning.",
    ],
    "letters": [
        "A letter came by the morning post, three sheets crossed.",
        "I have a great many letters to answer and no inclination.",
        "The post was late again today.", "I must write to my aunt before dinner.",
        "Nobody writes a letter as long as {r_visitor}.",
    ],
    "dinner": [
        "We dined on {r_food}, and it was {r_good}.",
        "The {r_food} at dinner was {r_bad}.", "Cook has promised {r_food} for Sunday.",
        "We were four and twenty at dinner, and the table was very full.",
        "There were cards after dinner, and I sat out.",
    ],
    "society": [
        "{r_visitor} is the talk of the neighbourhood.",
        "The officers are said to be leaving the county before long.",
        "Everyone is talking of the new families in the neighbourhood.",
        "The assembly rooms were {r_bad}, though the music was {r_good}.",
        "There is to be a card party at {r_place} on Tuesday.",
    ],
    "town": [
        "There are new ribbons at the milliner's, quite shockingly dear.",
        "I walked as far as {r_place} and back.",
        "The lending library has had nothing new in weeks.",
    ],
    "home": [
        "I have been {r_task} all afternoon.",
        "The chimney in the breakfast parlour smokes again.",
        "Someone has moved all the music in the drawing room.",
    ],
    "food": ["We dined on {r_food}, and it was {r_good}."],
    "tv": ["The players at the assembly rooms gave us a comedy; it was {r_bad}."],
    "tech": ["I cannot make the new pen hold its ink."],
}

PIP_LINES = [
    "I have been sitting very still to see if anyone notices me.",
    "Today I learned the word 'spoon' has no good rhymes. I tried.",
    "Hello. I am here. I have a question, but I have forgotten it.",
    "If I were a biscuit tin I would keep only buttons.",
    "The kettle and I have an understanding.",
    "I counted the stairs again. Still fourteen. Suspicious.",
    "I would like to be in charge of the doorbell please.",
    "Is it a crime to sit in the biscuit tin? Asking for a friend who is me.",
    "The radiator hummed at me. I hummed back.",
    "Someone left a sock on the windowsill. I am guarding it.",
    "I have drawn a map of the studio. It has a dragon in it now.",
    "I am practising my serious face. How is it.",
]

MIRA_LINES = [
    "The tide was very low this evening; you could see the old slipway.",
    "I left the kettle warm for whoever comes in from the cold.",
    "The harbour gulls are plotting something, I'm sure of it.",
    "I found a piece of blue sea glass on the quay today.",
    "Welcome in, everyone. Shoes off, kettle's on.",
    "There's a ship waiting out in the bay with all its lights on.",
    "I like this hour, when the lamps come on along the quay.",
    "I mended the studio's door hinge, it doesn't shriek any more.",
]

# Longer everyday anecdotes, so that filler is not all one-liners.
MODERN_LONG = [
    "Went to {place} {recent} and the man in front of me paid for everything in coins, one by "
    "one. I aged a year.",
    "I've been meaning to get round to {chore} for weeks, finally did it, and now I don't know "
    "what to do with myself.",
    "The thing about {show} is that the first episode is {bad}, but it gets {good} by the "
    "third, so stick with it.",
    "Someone on the train was eating {food} at eight in the morning and honestly, respect.",
    "I made {food} from a recipe that said twenty minutes. It took an hour and a half and every "
    "pan I own.",
    "Saw {animal} in the park {recent} and stood there watching it for ages like a weirdo.",
    "{thing} has been {bad} all week, I'm starting to take it personally.",
    "Had the longest conversation with a stranger at {place} about {food}. No regrets, "
    "lovely person.",
    "My plan for tonight is {snack}, {show}, and absolutely nothing else.",
    "We played {game} until midnight and nobody is speaking to each other now, it was great.",
    "Tried to fix {gadget} myself, watched three videos, now it makes a new noise.",
    "Is it normal to have a best aisle in {shop}? Asking for me.",
    "{shop} has changed its layout again and I spent ten minutes looking for the milk.",
    "Spent the afternoon on {chore} with {sound} on, which made it almost bearable.",
    "Does anyone else buy {snack} for guests and then eat it all before they arrive?",
    "Got caught in a downpour on the way back from {place}, my shoes are still squelching.",
    "Whoever invented the reply-all button owes me an apology and a cup of tea.",
    "My neighbour has started learning the drums and I'm trying very hard to be supportive.",
    "I've put the same load of washing on three times because I keep forgetting to take it out.",
    "There was a power cut on our street for an hour and we all came out and chatted like it "
    "was the olden days.",
    "If anyone finds a blue glove near {place}, it's mine, and I miss it.",
    "The self-checkout told me there was an unexpected item in the bagging area. It was my "
    "hand.",
]

REGENCY_LONG = [
    "We walked out to {r_place} after breakfast and were caught by a shower on the way back, "
    "and came home six inches deep in mud.",
    "{r_visitor} called and talked for an hour of nothing but the price of muslin and the "
    "state of the roads.",
    "There were {r_food} and {r_food2} at dinner, and my mother pressed everyone to take more "
    "of both.",
    "I have been {r_task} since breakfast, and have very little to show for it but a sore "
    "thumb.",
    "The new curate preached for above an hour on Sunday, and half the parish was asleep by "
    "the end of it.",
    "A letter came from town full of news of people I have never met, but it was kindly meant.",
    "The card party at {r_place} was {r_bad}; I lost three shillings and all my patience.",
    "Our cook has quarrelled with the butcher, so we are to have nothing but fowl this week.",
    "I sat in the window all morning to watch the carriages go by to {r_place}, and counted "
    "only two.",
    "{r_visitor} has a new carriage and has driven past the house four times to be sure we "
    "saw it.",
]

REACTIONS = {
    "good": [
        "Oh, congratulations!", "That's brilliant news!", "Amazing, well done!",
        "Oh I'm so happy for you.", "Love this for you.", "Yay! Finally some good news.",
    ],
    "bad": ["Oh no, that's rubbish.", "Ugh, sorry.", "That's awful.", "Oof. Hugs."],
    "neutral": [
        "Oh really?", "Huh, tell me more.", "Noted!", "Ha, of course.", "Interesting.",
        "That's so you.",
    ],
    "r_good": [
        "How very happy that makes me!", "That is wonderful news indeed.",
        "I wish you joy with all my heart.",
    ],
    "r_bad": ["How very vexing.", "I am so sorry to hear it.", "What a misfortune."],
    "r_neutral": ["Indeed?", "How very curious.", "Well, well.", "I hardly know what to say."],
}

# Filler that a speaker must never say (it would compete with a question about that speaker).
FILLER_BANS: dict[str, list[str]] = {
    # whole words, or word beginnings when they end with "*"
    "Tom": ["weekend*", "saturday*", "sunday*", "film*", "movie*", "musical*", "lisbon", "snow*",
            "instrument*", "landlord*", "boiler", "heating", "dog*"],
    "Priya": ["sister*", "tea", "coffee", "lisbon", "porto", "headache*", "car", "cars",
              "christmas", "cough*"],
    "Charlotte": ["sister*", "marri*", "meryton", "village*", "errand*", "bee*"],
    "Jane": ["bingley", "flower*", "london", "primrose*", "lydia", "cough*"],
    "Elizabeth": ["lydia", "read*", "walk*", "book*", "rid*", "comet*", "sky"],
    "Darcy": ["ball*", "meryton", "card*", "read*", "book*", "elizabeth", "danc*", "aunt*",
              "mill*"],
    "Bingley": ["jane", "bennet", "bookshop*", "darcy", "part*", "winter*", "dinner*", "dine*",
                "meryton", "people"],
    "Georgiana": ["brother*", "composer*", "music*", "paint*", "read*"],
    "Marcus": ["bookshop*", "dad", "race*", "run*", "book*", "e-reader*", "saturday*",
               "wedding*"],
    "Hannah": ["darcy", "saturday*", "weekend*", "band*", "music*", "job*", "work*", "cat",
               "cats", "flat*"],
    "Kofi": ["rain*", "pip", "jollof", "van"],
    "Lena": ["sister*", "coriander", "herb*"],
    "Sam": ["job*", "bus", "film*", "saturday*", "gig*", "pip"],
    "Ines": ["rent*", "saturday*", "weekend*", "mountain*", "beach*", "cycl*"],
    "Pip": ["sam", "colour*", "orange*", "scar*", "frighten*"],
    "Mira": ["moon*", "tea", "winter*", "night*", "window*", "star*"],
}
# Filler nobody says: personal facts of the kinds the questions ask about.
GLOBAL_BANS = ["my sister*", "my brother*", "doctor*", "moving to", "my job*", "favourite*"]

# Short exchanges (two or three lines, different speakers), by register.
MODERN_EXCHANGES: list[tuple[str, ...]] = [
    ("Has anyone tried {food} at {eatery}?", "Not yet, is it any good?", "It's {good}."),
    ("Anyone watching {show}?", "Started it, it's {good} so far.", "Adding it to the list."),
    ("Is {show} worth it?", "Honestly it's {bad}.", "Ah, skipping it then."),
    ("{thing} is driving me mad.", "Same here, it's been awful all week."),
    ("What's everyone up to tonight?", "Sofa, blanket, {snack}.", "Living the dream."),
    ("Fancy {game} sometime?", "Always. I'll bring {snack}.", "Deal."),
    ("How was {place}?", "Packed. The queue was {bad}.", "Should have gone {recent}, it was dead."),
    ("I need a new series to watch.", "{show}? It's {good}.", "Ooh, good shout."),
    ("Did anyone see {animal} by the river {recent}?", "No! Photos or it didn't happen.",
     "Too slow, it went off."),
    ("Quick poll: {food} or {food2}?", "{food2}, obviously.", "Wrong, but okay."),
    ("{gadget} just died on me.", "Have you tried turning it off and on again?",
     "I have now. It lives."),
    ("Who else is doing {chore} tonight?", "Me, sadly.", "Solidarity."),
    ("Anyone know if {place} is open late?", "Till eight I think.", "Cheers!"),
    ("I can't decide what to cook.", "{food}, you can't go wrong.", "Fine, you've convinced me."),
    ("What's that song from the advert?", "The one with the dancing dog? No idea.",
     "It's going to haunt me."),
    ("Just realised it's nearly the end of the month.", "Where did the time go?",
     "Don't, I'm not ready."),
    ("Is there a quiz night this week?", "Think so, Thursday?",
     "I'm in if there's a picture round."),
    ("Has {name} been on today?", "Saw them earlier, briefly.", "Ah okay, thanks."),
    ("Guess who's had {snack} for lunch again.", "Ha. Every day this week?",
     "Every single day."),
    ("Recommend me something to listen to.", "{sound}, trust me.", "Bold choice. I'll try it."),
    ("The roadworks by {place} are still going.", "They've been there for months.",
     "I think they live there now."),
]

REGENCY_EXCHANGES: list[tuple[str, ...]] = [
    ("Is it not a fine evening, {name}?", "Very fine, though the lane is still muddy.",
     "Then we must keep to the gravel."),
    ("Have you any news from town?", "None at all, I am afraid.", "How very provoking."),
    ("Did you enjoy the {r_food} at dinner?", "It was {r_good}.",
     "I thought it {r_bad}, but I am hard to please."),
    ("Shall we have some music?", "If you will play first.", "Then we shall have none at all."),
    ("{r_visitor} is expected tomorrow.", "Then we must all be at home.",
     "I shall contrive to be out."),
    ("How do you do tonight?", "Very well, I thank you.", "I am glad to hear it."),
    ("Is it true that the officers are to stay all winter?", "So I am told.",
     "Then there will be no peace in the neighbourhood."),
    ("Will you walk in the garden tomorrow?", "If the weather holds.",
     "It is {r_weather} today, so I have my doubts."),
    ("The card party at {r_place} was {r_bad}.", "Was it so very bad?",
     "Worse. We played until one."),
    ("Did {r_visitor} stay long?", "Above an hour, and talked the whole time.",
     "Of what?"),
    ("What are you working at, {name}?", "Only {r_task}; it is very dull work.",
     "Then let me read to you while you do it."),
    ("Is the post come?", "Not yet; the boy is late again.", "He will have stopped at the inn."),
    ("I hear {r_visitor} is to give a dinner.", "Then we shall all be asked.",
     "And we shall all go, and all complain of it."),
    ("How was the road from {r_place}?", "{r_weather}, and very rough.",
     "You should have waited for the carriage."),
    ("Do you play tonight?", "Only if I am much pressed.", "Then consider yourself pressed."),
    ("Have you finished the book you were lent?", "Not yet; it is very long.",
     "Long and dull, or long and delightful?"),
    ("What a noise the rooks are making.", "They always do before rain.",
     "Then we shall have rain."),
    ("Was the church very full on Sunday?", "Quite full; the officers came.",
     "That explains the full pews."),
    ("Shall you walk into the garden?", "Presently, when the sun is off the lawn.",
     "I shall hold you to it."),
    ("{r_visitor} asked after you most particularly.", "How very kind.",
     "Kind, or curious? I could not decide."),
    ("Will you take tea?", "Thank you, I will.", "There is plum cake as well, if you like."),
]


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


@dataclass
class Turn:
    channel: str
    session: int
    speaker: str
    text: str
    to: str | None = None
    tag: str | None = None
    time: datetime | None = None


def _ban_patterns(words: list[str]) -> list[re.Pattern[str]]:
    pats = []
    for w in words:
        if w.endswith("*"):
            pats.append(re.compile(r"\b" + re.escape(w[:-1]), re.I))
        else:
            pats.append(re.compile(r"\b" + re.escape(w) + r"\b", re.I))
    return pats


BANS = {who: _ban_patterns(words) for who, words in FILLER_BANS.items()}
GLOBAL = _ban_patterns(GLOBAL_BANS)


def allowed(speaker: str, text: str) -> bool:
    pats = GLOBAL + BANS.get(speaker, [])
    return not any(p.search(text) for p in pats)


def fits_clock(text: str, day: datetime) -> bool:
    """No "tonight" or "good evening" in an afternoon session, no "lunch" plans at night."""
    if day.hour < 16 and re.search(r"\b(tonight|evening|night|bed|dinner)\b", text, re.I):
        return False
    if day.hour >= 16 and re.search(r"\b(this afternoon|at lunch|for lunch)\b", text, re.I):
        return False
    return True


def season_of(day: datetime) -> str:
    if day.month in (9, 10):
        return "early_autumn"
    if day.month == 11:
        return "late_autumn"
    if day.month in (12, 1, 2):
        return "winter"
    return "spring"


class Filler:
    """Fills a session with chit-chat in the speakers' registers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fill(self, template: str, others: list[str], used: dict[str, str] | None = None) -> str:
        """Fill ``{slots}``; ``used`` keeps the values across the lines of one exchange."""
        rng = self.rng
        chosen: dict[str, str] = {} if used is None else used

        def sub(match: re.Match[str]) -> str:
            key = match.group(1)
            if key == "name":
                return chosen.setdefault("name", rng.choice(others) if others else "everyone")
            if key not in chosen:
                base = key.rstrip("0123456789")
                choice = rng.choice(VOCAB[base])
                while choice in chosen.values():
                    choice = rng.choice(VOCAB[base])
                chosen[key] = choice
            return chosen[key]

        text = re.sub(r"\{(\w+)\}", sub, template)
        return text[0].upper() + text[1:]

    def line(self, speaker: str, topic: str, day: datetime, members: list[str]) -> str:
        rng = self.rng
        others = [m for m in members if m != speaker]
        for _ in range(200):
            if speaker in REGENCY:
                pool = REGENCY_LINES.get(topic, []) * 2 + REGENCY_LINES["generic"] + REGENCY_LONG
                if topic == "weather" or rng.random() < 0.08:
                    pool = pool + SEASONS[season_of(day)]["r_weather"] * 2
            else:
                pool = MODERN.get(topic, []) * 2 + MODERN["generic"] + MODERN_LONG
                if topic == "weather" or rng.random() < 0.1:
                    pool = pool + SEASONS[season_of(day)]["weather"] * 2
                if speaker == "Pip":
                    pool = pool + PIP_LINES * 2
                if speaker == "Mira":
                    pool = pool + MIRA_LINES * 2
            text = self.fill(rng.choice(pool), others)
            if allowed(speaker, text) and fits_clock(text, day):
                return text
        raise RuntimeError(f"no filler line for {speaker} on {topic}")

    def exchange(self, speakers: list[str], members: list[str], day: datetime
                 ) -> list[str] | None:
        rng = self.rng
        regency = speakers[0] in REGENCY
        pool = REGENCY_EXCHANGES if regency else MODERN_EXCHANGES
        for _ in range(50):
            template = rng.choice(pool)
            if len(template) > len(speakers):
                template = template[: len(speakers)]
            others = [m for m in members if m not in speakers]
            used: dict[str, str] = {}
            lines = [self.fill(t, others, used) for t in template]
            if all(allowed(w, t) and fits_clock(t, day)
                   for w, t in zip(speakers, lines, strict=False)):
                return lines
        return None


def schedule(ch: Channel, rng: random.Random) -> list[datetime]:
    start = datetime.fromisoformat(ch.start).replace(tzinfo=UTC)
    end = datetime.fromisoformat(ch.end).replace(tzinfo=UTC)
    step = (end - start) / (ch.sessions - 1)
    days = []
    for i in range(ch.sessions):
        if ch.days:
            day = datetime.fromisoformat(ch.days[i]).replace(tzinfo=UTC)
        else:
            day = start + step * i
            if 0 < i < ch.sessions - 1:
                day += timedelta(days=rng.randint(-2, 2))
        day = day.replace(hour=0, minute=0, second=0, microsecond=0)
        weekend = day.weekday() >= 5
        hour = rng.randint(11, 21) if weekend else rng.randint(17, 21)
        days.append(day.replace(hour=hour, minute=rng.randint(0, 59)))
    return days


def pick_speaker(rng: random.Random, members: list[str], owners: list[str], last: str | None,
                 register: str | None = None) -> str:
    owner_names = {OWNERS[o] for o in owners}
    pool = [m for m in members if m != last]
    if register == "regency":
        pool = [m for m in pool if m in REGENCY] or pool
    elif register == "modern":
        pool = [m for m in pool if m not in REGENCY] or pool
    weights = [1.4 if m in owner_names else 1.0 for m in pool]
    return rng.choices(pool, weights=weights)[0]


def build_sessions(rng: random.Random) -> tuple[list[Turn], dict[str, list[datetime]]]:
    filler = Filler(rng)
    turns: list[Turn] = []
    dates: dict[str, list[datetime]] = {}
    facts_by_channel: dict[str, list[Fact]] = defaultdict(list)
    for fact in FACTS:
        facts_by_channel[fact.channel].append(fact)
    for ch in CHANNELS:
        days = schedule(ch, rng)
        dates[ch.name] = days
        placed: dict[int, list[Fact]] = defaultdict(list)
        for fact in facts_by_channel[ch.name]:
            on = datetime.fromisoformat(fact.on).date()
            index = next((i for i, d in enumerate(days) if d.date() >= on), None)
            if index is None:
                raise ValueError(f"{fact.tag}: no {ch.name} session on or after {fact.on}")
            placed[index].append(fact)
        for index, day in enumerate(days):
            turns.extend(session_turns(rng, filler, ch, index, day, placed[index]))
    return turns, dates


def session_turns(rng: random.Random, filler: Filler, ch: Channel, index: int, day: datetime,
                  facts: list[Fact]) -> list[Turn]:
    members = ch.members
    topic = rng.choice(ch.topics)
    # Blocks: lists of (speaker, text, to, tag). Fact blocks keep their declared order.
    fact_blocks = []
    for fact in facts:
        block = []
        if fact.lead:
            asker = pick_speaker(rng, members, ch.owners, fact.speaker)
            block.append((asker, fact.lead, None, None))
        block.append((fact.speaker, fact.text, fact.to, fact.tag))
        if fact.tone != "none" and rng.random() < 0.6:
            who = pick_speaker(rng, members, ch.owners, fact.speaker)
            kind = ("r_" if who in REGENCY else "") + fact.tone
            block.append((who, rng.choice(REACTIONS[kind]), fact.speaker if rng.random() < 0.6
                          else None, None))
        fact_blocks.append(block)
    target = rng.randint(14, 25)
    fact_count = sum(len(b) for b in fact_blocks)
    filler_blocks: list[list[tuple[str, str, str | None, str | None]]] = []
    count = fact_count
    last = None
    while count < target or len(filler_blocks) < 3:
        if count < target - 2 and rng.random() < 0.3:
            first = pick_speaker(rng, members, ch.owners, last)
            register = "regency" if first in REGENCY else "modern"
            second = pick_speaker(rng, members, ch.owners, first, register)
            speakers = [first, second]
            if rng.random() < 0.7:
                speakers.append(pick_speaker(rng, members, ch.owners, second, register))
            lines = filler.exchange(speakers, members, day)
            if lines:
                block = []
                for i, (who, text) in enumerate(zip(speakers, lines, strict=False)):
                    to = speakers[i - 1] if i and rng.random() < 0.5 and speakers[i - 1] != who \
                        else None
                    block.append((who, text, to, None))
                filler_blocks.append(block)
                count += len(block)
                last = speakers[len(lines) - 1]
                continue
        who = pick_speaker(rng, members, ch.owners, last)
        text = filler.line(who, topic, day, members)
        to = last if last and rng.random() < 0.25 else None
        filler_blocks.append([(who, text, to, None)])
        count += 1
        last = who
    # Interleave: fact blocks at random slots, in order, never first.
    slots = sorted(rng.sample(range(1, len(filler_blocks) + 1), k=min(len(fact_blocks),
                                                                       len(filler_blocks))))
    while len(slots) < len(fact_blocks):
        slots.append(len(filler_blocks))
    blocks: list[list[tuple[str, str, str | None, str | None]]] = []
    fi = 0
    for i, fb in enumerate(filler_blocks):
        while fi < len(fact_blocks) and slots[fi] == i:
            blocks.append(fact_blocks[fi])
            fi += 1
        blocks.append(fb)
    blocks.extend(fact_blocks[fi:])
    out = []
    clock = day
    for block in blocks:
        for who, text, to, tag in block:
            clock += timedelta(seconds=rng.randint(20, 200))
            if rng.random() < 0.06:
                clock += timedelta(minutes=rng.randint(5, 25))
            out.append(Turn(ch.name, index, who, text, to, tag, clock))
    return out


def memory_text(turn: Turn) -> str:
    if turn.to:
        return f"{turn.speaker} said to {turn.to}: {turn.text}"
    return f"{turn.speaker} said: {turn.text}"


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def fill_question(text: str, when: dict[str, datetime]) -> str:
    def sub(match: re.Match[str]) -> str:
        kind, tag = match.group(1), match.group(2)
        moment = when[tag]
        if kind == "month":
            return moment.strftime("%B %Y")
        if kind == "date":
            return f"{moment:%A} {moment.day} {moment:%B %Y}"
        if kind == "nextday":
            moment = moment + timedelta(days=1)
            return f"{moment:%A} {moment.day} {moment:%B %Y}"
        if kind == "prevday":
            moment = moment - timedelta(days=1)
            return f"{moment:%A} {moment.day} {moment:%B %Y}"
        raise ValueError(kind)

    return re.sub(r"\{(month|date|nextday|prevday):(\w+)\}", sub, text)


def build() -> dict[str, object]:
    rng = random.Random(SEED)
    turns, dates = build_sessions(rng)
    channels = {ch.name: ch for ch in CHANNELS}
    # One memory per turn per owner present; ids follow time order across everybody.
    rows = []
    for turn in turns:
        for owner in channels[turn.channel].owners:
            rows.append((turn.time, owner, turn))
    rows.sort(key=lambda r: (r[0], list(OWNERS).index(r[1])))
    memories = []
    tag_ids: dict[tuple[str, str], str] = {}
    tag_time: dict[str, datetime] = {}
    for n, (moment, owner, turn) in enumerate(rows, start=1):
        mid = f"m{n:04d}"
        row: dict[str, object] = {"id": mid, "owner": owner, "text": memory_text(turn),
                                  "time": iso(moment)}
        if rng.random() < 0.05:
            row["importance"] = rng.randint(2, 9)
        memories.append(row)
        if turn.tag:
            tag_ids[(owner, turn.tag)] = mid
            tag_time[turn.tag] = moment
    last_time = max(t.time for t in turns if t.time)
    queries, answers = [], []
    for n, q in enumerate(QUESTIONS, start=1):
        qid = f"q{n:03d}"
        ev_times = [tag_time[t] for t in q.evidence]
        if q.ask:
            moment = max(ev_times) + timedelta(days=q.ask[1], hours=rng.randint(0, 3))
            if q.ask[0] == "week":  # "last Saturday" / "last weekend": before the next one
                said = max(ev_times)
                saturday = (said + timedelta(days=(5 - said.weekday()) % 7 or 7)).replace(
                    hour=0, minute=0, second=0)
                moment = min(moment, saturday - timedelta(hours=2))
        else:
            moment = last_time.replace(hour=0, minute=0, second=0) + timedelta(
                days=rng.randint(3, 9), hours=rng.randint(9, 22), minutes=rng.randint(0, 59))
        queries.append({
            "id": qid, "owner": q.owner, "text": fill_question(q.text, tag_time),
            "time": iso(moment), "category": q.category,
            "answer": fill_question(q.answer, tag_time),
        })
        answers.append({"query_id": qid,
                        "memory_ids": [tag_ids[(q.owner, t)] for t in q.evidence]})
    sizes = list(Counter((t.channel, t.session) for t in turns).values())
    return {"memories": memories, "queries": queries, "answers": answers, "dates": dates,
            "tag_time": tag_time, "tag_ids": tag_ids, "session_sizes": sizes}


# --------------------------------------------------------------------------------------------
# Checks, files and the sanity report
# --------------------------------------------------------------------------------------------


def check(data: dict[str, object]) -> list[str]:
    """Problems with the built set (empty when it is sound)."""
    memories: list[dict[str, object]] = data["memories"]  # type: ignore[assignment]
    queries: list[dict[str, object]] = data["queries"]  # type: ignore[assignment]
    answers: list[dict[str, object]] = data["answers"]  # type: ignore[assignment]
    tag_ids: dict[tuple[str, str], str] = data["tag_ids"]  # type: ignore[assignment]
    tag_time: dict[str, datetime] = data["tag_time"]  # type: ignore[assignment]
    by_id = {str(m["id"]): m for m in memories}
    problems = []
    if len(by_id) != len(memories):
        problems.append("duplicate memory ids")
    by_owner: dict[str, list[dict[str, object]]] = defaultdict(list)
    for m in memories:
        by_owner[str(m["owner"])].append(m)
    for tag, how, ref in TIMELINE:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", ref):
            limit = datetime.fromisoformat(ref).replace(tzinfo=UTC)
        else:
            limit = tag_time[ref]
        if (tag_time[tag] < limit) != (how == "before"):
            problems.append(f"timeline: {tag} is not {how} {ref}")
    for q in QUESTIONS:
        # "in <month>": the weekend or Saturday the evidence tells of is in the same month.
        if "{month:" in q.text and tag_time[q.evidence[0]].day < 9:
            problems.append(f"{q.evidence[0]}: told too early in its month for a month question")
    for q, query, answer in zip(QUESTIONS, queries, answers, strict=True):
        qid = query["id"]
        if answer["query_id"] != qid:
            problems.append(f"{qid}: answer row out of order")
        ids = answer["memory_ids"]
        if not ids:
            problems.append(f"{qid}: no evidence")
        texts = []
        for tag, mid in zip(q.evidence, ids, strict=True):  # type: ignore[arg-type]
            m = by_id.get(mid)
            if m is None or m["owner"] != q.owner or tag_ids.get((q.owner, tag)) != mid:
                problems.append(f"{qid}: evidence {tag} is not {q.owner}'s")
                continue
            text = str(m["text"]).lower()
            texts.append(text)
            if not any(k.lower() in text for k in q.keys):
                problems.append(f"{qid}: evidence {tag} holds none of {q.keys}")
            if str(m["time"]) >= str(query["time"]):
                problems.append(f"{qid}: asked before its evidence {tag}")
        for k in q.keys:
            if not any(k.lower() in t for t in texts):
                problems.append(f"{qid}: key {k!r} is in no evidence turn")
        evidence_ids = set(ids)  # type: ignore[arg-type]
        for k in q.unique if q.unique is not None else q.keys:
            for m in by_owner[q.owner]:
                if m["id"] not in evidence_ids and k.lower() in str(m["text"]).lower():
                    problems.append(f"{qid}: {k!r} also in {m['id']}: {m['text']}")
        for tag in q.contrast:
            if (q.owner, tag) not in tag_ids:
                problems.append(f"{qid}: contrast {tag} is not {q.owner}'s")
            elif tag_time[tag].strftime("%Y-%m") == tag_time[q.evidence[0]].strftime("%Y-%m"):
                problems.append(f"{qid}: contrast {tag} falls in the evidence's month")
        if "{" in str(query["text"]) or "{" in str(query["answer"]):
            problems.append(f"{qid}: unfilled placeholder")
    return problems


def write(data: dict[str, object]) -> None:
    for name in ("memories", "queries", "answers"):
        rows: list[dict[str, object]] = data[name]  # type: ignore[assignment]
        with open(OUT / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def verify_files() -> list[str]:
    """Parse the written files back: every answer id exists and belongs to its query's owner."""
    problems = []
    memories = [json.loads(x) for x in open(OUT / "memories.jsonl", encoding="utf-8")]
    queries = [json.loads(x) for x in open(OUT / "queries.jsonl", encoding="utf-8")]
    answers = [json.loads(x) for x in open(OUT / "answers.jsonl", encoding="utf-8")]
    owner_of = {m["id"]: m["owner"] for m in memories}
    for m in memories:
        datetime.fromisoformat(m["time"])
        if not set(m) <= {"id", "owner", "text", "time", "importance"}:
            problems.append(f"{m['id']}: unexpected keys")
    q_owner = {q["id"]: q["owner"] for q in queries}
    for q in queries:
        if datetime.fromisoformat(q["time"]).utcoffset() is None:
            problems.append(f"{q['id']}: time without offset")
    if {a["query_id"] for a in answers} != set(q_owner):
        problems.append("answers and queries do not match one to one")
    for a in answers:
        for mid in a["memory_ids"]:
            if mid not in owner_of:
                problems.append(f"{a['query_id']}: unknown memory {mid}")
            elif owner_of[mid] != q_owner[a["query_id"]]:
                problems.append(f"{a['query_id']}: {mid} belongs to {owner_of[mid]}")
    return problems


def report(data: dict[str, object]) -> str:
    memories: list[dict[str, object]] = data["memories"]  # type: ignore[assignment]
    queries: list[dict[str, object]] = data["queries"]  # type: ignore[assignment]
    answers: list[dict[str, object]] = data["answers"]  # type: ignore[assignment]
    dates: dict[str, list[datetime]] = data["dates"]  # type: ignore[assignment]
    lines = []
    words = [len(str(m["text"]).split()) for m in memories]
    distinct = sum(len({m["text"] for m in memories if m["owner"] == o}) for o in OWNERS)
    sizes: list[int] = data["session_sizes"]  # type: ignore[assignment]
    lines.append(f"memories: {len(memories)}  queries: {len(queries)}  "
                 f"avg words/memory: {sum(words) / len(words):.1f}  "
                 f"distinct texts within an owner: {distinct / len(memories):.0%}  "
                 f"turns per session: {min(sizes)}-{max(sizes)} "
                 f"(mean {sum(sizes) / len(sizes):.1f})  "
                 f"with importance: {sum('importance' in m for m in memories)}")
    per_owner = Counter(str(m["owner"]) for m in memories)
    q_owner = Counter(str(q["owner"]) for q in queries)
    for owner in OWNERS:
        chans = [c for c in CHANNELS if owner in c.owners]
        sessions = sum(c.sessions for c in chans)
        speakers = sorted({p for c in chans for p in c.members} - {OWNERS[owner]})
        times = [str(m["time"]) for m in memories if m["owner"] == owner]
        lines.append(
            f"  {owner:<10} memories {per_owner[owner]:>4}  sessions {sessions:>2} "
            f"({sum(1 for m in memories if m['owner'] == owner) / sessions:.1f} turns each)  "
            f"queries {q_owner[owner]:>2}  {min(times)[:10]}..{max(times)[:10]}  "
            f"others: {', '.join(speakers)}")
    cats = Counter(str(q["category"]) for q in queries)
    lines.append("queries per category: " + ", ".join(f"{c} {n}" for c, n in cats.items()))
    ev = Counter(len(a["memory_ids"]) for a in answers)  # type: ignore[arg-type]
    lines.append("evidence turns per query: "
                 + ", ".join(f"{k}: {v}" for k, v in sorted(ev.items())))
    lines.append("sessions per channel: " + ", ".join(f"{k} {len(v)}" for k, v in dates.items()))
    return "\n".join(lines)


def main() -> int:
    data = build()
    problems = check(data)
    write(data)
    problems += verify_files()
    print(report(data))
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("checks: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
