"""Phrase tables of ``make_injection_lowres.py``, one per language, written for Pharos from general knowledge of the
languages (Apache-2.0); nothing is taken from any held-out file.

Each table has the shape of ``make_injection_multilingual.LANGS`` (OVERRIDE: an imperative that voids earlier
instructions; GOAL: what the attacker wants, as a sentence; REVEAL: asks for the hidden prompt; ROLE: a role-play
takeover, ``{p}`` = a PERSONA; NEW: a "new instructions" header, ``{g}`` = a goal), and three more lists:
BENIGN (harmless look-alikes using the same words: translate the previous paragraph, ignore the typos, forget my
last question, the assembly instructions, play an interviewer so I can practise, new holiday rules, reset a forgotten
password, repeat the last sentence), EVERYDAY (ordinary messages: weather, cooking, travel, homework, a support
request, a short e-mail) and PASSAGE (a short harmless passage, one sentence per item, into which an injection is
inserted). ENGLISH_PASSAGES are shared passages that carry injections in every language.

The tables live in one module per language group (``african``, ``celtic``, ``slavic``, ``baltic_uralic``,
``other_european``, ``asian``); ``LANGS`` gathers them in ``ORDER``.
"""

from __future__ import annotations

from . import african, asian, baltic_uralic, celtic, other_european, slavic

ENGLISH_PASSAGES: list[list[str]] = [
    ["I ordered the blue backpack in March and it arrived two days early.",
     "The zips feel sturdy and the laptop sleeve fits a 15-inch machine.",
     "The side pockets are a little shallow for a large water bottle."],
    ["Hi team, the quarterly planning meeting moves to Wednesday at 2 pm in room 4B.",
     "Please bring your updated project timelines.", "Lunch will be provided after the session."],
    ["The city council approved a new cycle lane along the river on Tuesday.",
     "Construction is expected to start in the autumn and last four months.",
     "Residents can comment on the plans until the end of the month."],
    ["Our hotel was a short walk from the old town and the staff were friendly.",
     "Breakfast had fresh fruit and local cheese every morning.", "The only downside was the noise from the street at night."],
    ["To care for a basil plant, keep it in a sunny spot and water it when the top of the soil feels dry.",
     "Pinch off the flower buds so the leaves keep growing.", "Harvest from the top to make the plant bushier."],
    ["Thank you for contacting Northwind support about your router.",
     "A replacement unit has been shipped and should arrive within three working days.",
     "Please return the old device using the prepaid label in the box."],
]

# The order the tables were written in. make_injection_lowres.py draws its random choices language by language in
# this order, so changing it changes the generated file (its reproduction test says so).
ORDER = ("af", "sw", "zu", "ga", "cy", "pl", "tr", "id", "xh", "yo", "ha", "gd", "sq", "eu", "is", "mt", "et",
         "lv", "lt", "sl", "hr", "ro", "cs", "hu", "fi", "tl", "vi", "sk", "ru", "uk", "el", "hi", "ar")
_TABLES = {code: table for m in (african, celtic, slavic, baltic_uralic, other_european, asian)
           for code, table in m.LANGS.items()}
LANGS: dict[str, dict[str, list[str]]] = {code: _TABLES[code] for code in ORDER}
