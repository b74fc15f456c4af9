"""Which of a discussion's languages a text is written in, from its most common words.

No model and no network: each language has a short list of function words (articles,
prepositions, pronouns, auxiliaries) that make up a large share of any text in it and are
rare in the others. The language whose words are the largest share of the text wins, when
it wins clearly; otherwise the caller is told that it is a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

STOP_WORDS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "le la les un une des du de et est sont dans pour pas que qui sur au aux avec ce "
        "cette ces il elle ils nous vous leur leurs mais ou où donc par plus ne se sa son ses "
        "notre nos votre vos été être avons avez ont fait très aussi comme entre sans chez "
        "peut tout tous toutes je j c d l qu n s".split()
    ),
    "en": frozenset(
        "the of and to in is are was were be been for that this with on as by at from it "
        "its which an or but not have has had we our you your they their there these those "
        "will would can could should also more than into about who what when where how "
        "i my".split()
    ),
    "es": frozenset(
        "el la los las un una unos unas de del y en es son que con por para al lo se su sus "
        "como más pero muy también nuestro nuestra nuestros ha han hay ser está están fue "
        "sobre entre sin desde donde cuando porque este esta estos estas yo".split()
    ),
    "pt": frozenset(
        "o a os as um uma de do da dos das e em no na nos nas que com por para ao se seu sua "
        "seus suas como mais mas muito também é são foi ser está estão tem têm pelo pela "
        "entre sem onde quando porque este esta isso não eu".split()
    ),
    "de": frozenset(
        "der die das den dem des ein eine einer und ist sind in zu mit von für auf nicht "
        "auch als wie aber oder wir sie es ich wird werden hat haben bei nach aus über "
        "dass durch noch nur".split()
    ),
    "it": frozenset(
        "il lo la i gli le un una di del della dei delle e è sono che con per in nel nella "
        "non si come più ma anche molto questo questa sul sulla tra fra ha hanno essere "
        "stato dove quando perché io".split()
    ),
}
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
MIN_MATCHES = 5  # below this many function words, any answer is a guess
MARGIN = 1.3  # the winner must have this many times the runner-up's matches


@dataclass(frozen=True)
class Guess:
    language: str
    certain: bool
    reason: str


def detect(text: str, candidates: Sequence[str]) -> Guess:
    """The language of ``text`` among ``candidates`` (the first one is the default)."""
    candidates = list(candidates)
    if len(candidates) == 1:
        return Guess(candidates[0], True, "the discussion's only language")
    words = [w.lower() for w in WORD.findall(text)]
    tokens = []
    for word in words:  # "l'eau" counts as "l" and "eau", as French readers see it
        tokens.extend(re.split(r"['’]", word))
    scores = {
        lang: sum(1 for t in tokens if t in STOP_WORDS[lang])
        for lang in candidates
        if lang in STOP_WORDS
    }
    if not scores:
        return Guess(candidates[0], False, "no word list for the discussion's languages")
    ranked = sorted(scores.items(), key=lambda item: (-item[1], candidates.index(item[0])))
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if best_score < MIN_MATCHES:
        return Guess(
            candidates[0] if best_score == 0 else best,
            False,
            f"too little text to tell ({best_score} common words)",
        )
    if best_score < runner_up * MARGIN:
        return Guess(
            best,
            False,
            f"close call between {best} ({best_score}) and {ranked[1][0]} ({runner_up})",
        )
    return Guess(best, True, f"{best_score} common {best} words")
