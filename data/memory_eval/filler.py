"""The labelled set's filler: chit-chat templates and vocabularies by register (modern members,
Regency characters) and season, longer anecdotes, reactions, short exchanges, and the words a
speaker must never say (they would compete with a question). ``build.py`` draws from them."""

from __future__ import annotations

__all__ = [
    "FILLER_BANS", "GLOBAL_BANS", "MIRA_LINES", "MODERN", "MODERN_EXCHANGES", "MODERN_LONG",
    "PIP_LINES", "REACTIONS", "REGENCY_EXCHANGES", "REGENCY_LINES", "REGENCY_LONG", "SEASONS",
    "VOCAB",
]


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
