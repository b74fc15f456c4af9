"""How text becomes index terms, exactly as the browser's lunr.js and lunr-languages do it.

The search index is built here with the ``lunr`` package and searched in the browser with
lunr.js, so a query must become the same terms on both sides. Each language's pipeline is a
list of named functions, serialised with the index and looked up by name in the browser:

=========  ==================================================================================
fr, es     ``palabre-split``, ``stopWordFilter-<lang>``, ``palabre-variants``,
           ``stemmer-<lang>``, ``palabre-fold``
en         ``palabre-split``, ``stopWordFilter``, ``palabre-variants``, ``stemmer``,
           ``palabre-fold``
others     ``palabre-split``, ``palabre-fold`` (Arabic, Chinese...: kept, not stemmed)
=========  ==================================================================================

``stemmer-fr`` and ``stemmer-es`` are lunr-languages' Snowball stemmers; here the same
algorithms come from ``snowballstemmer`` 2.x (3.x changed the French one). ``stemmer`` is
lunr.js's own Porter stemmer, ported below (the ``lunr`` package's differs: "boy" -> "boi").
Stop words are read from lunr-languages' files, so both sides use one list. The three
``palabre-*`` functions are ours, mirrored line for line in ``theme/static/js/search/text.js``:

- ``palabre-split``: NFKC, lower case, then words are runs of letters, marks and digits;
  Chinese, Japanese, Thai... (written without spaces) become overlapping pairs of
  characters, and characters outside the Basic Multilingual Plane stand alone (JavaScript
  counts them as two, so that no stemmer or sort order ever sees one inside a word).
- ``palabre-variants``: a word with accents also yields its unaccented form, so that both
  get stemmed: ``société`` gives ``soci`` and ``societ`` (the stemmer needs the accent to
  remove ``-ité``), and ``societe`` typed without accents still finds it.
- ``palabre-fold``: accents off the stems (``développ`` -> ``developp``), duplicates of
  that pairing dropped.
"""

from __future__ import annotations

import re
import string
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer
from lunr.pipeline import Pipeline
from lunr.stop_word_filter import WORDS, stop_word_filter
from lunr.token import Token

from .model import PalabreError

SPLIT = "palabre-split"
VARIANTS = "palabre-variants"
FOLD = "palabre-fold"
VARIANT_FLAG = "palabreVariant"  # token metadata: an unaccented copy made by VARIANTS

# Languages with a stemmer on both sides: (stop-word filter, stemmer) as lunr names them.
STEMMED: dict[str, tuple[str, str]] = {
    "en": ("stopWordFilter", "stemmer"),
    "fr": ("stopWordFilter-fr", "stemmer-fr"),
    "es": ("stopWordFilter-es", "stemmer-es"),
}
SNOWBALL = {"fr": "french", "es": "spanish"}
LUNR_LANGUAGES_FILES = {"fr": "lunr.fr.js", "es": "lunr.es.js"}


class SearchSetupError(PalabreError):
    """lunr-languages is missing or unreadable, so the search index cannot be built."""


# --- Characters ----------------------------------------------------------------------------

# Scripts written without spaces between words: indexed as overlapping character pairs.
UNSEGMENTED_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
)
# Private use and compatibility forms: JavaScript sorts them after characters beyond the
# BMP (UTF-16), Python before (code points); never part of a word, so both sort alike.
BMP_EXCLUDED = (0xE000, 0xFFFF)
# Accents folded away: combining diacritics, and Arabic short vowels and tatweel-like marks.
FOLDED_MARKS = re.compile("[\u0300-\u036f\u064b-\u065f\u0670]")
FOLDED_LETTERS = {
    "œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ð": "d", "þ": "th",
    "ı": "i", "ς": "σ",
}  # fmt: skip
FOLDED_LETTER = re.compile("[" + "".join(FOLDED_LETTERS) + "]")
# Snowball's French stemmer marks ë and ï in ways that changed over the years; lunr-languages
# and snowballstemmer 2.x agree once they are plain e and i.
DIAERESES = str.maketrans({"ë": "e", "ï": "i"})
CACHE_STRIPPED = "".join(c for c in string.punctuation if c not in "<=>")


def _ranges_class(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


def is_word_character(character: str) -> bool:
    """A letter, mark or digit: what the browser's ``\\p{L}\\p{M}\\p{N}`` matches (Python's
    ``re`` has no ``\\p{L}``: the categories come from ``unicodedata``).

    Private use and compatibility forms (``BMP_EXCLUDED``) never are, nor anything in
    planes 4 to 13 (unassigned) or 15 and 16 (private use).
    """
    code = ord(character)
    return (
        code < BMP_EXCLUDED[0] or BMP_EXCLUDED[1] < code < 0x40000 or 0xE0000 <= code < 0xF0000
    ) and unicodedata.category(character)[0] in "LMN"


# What each character met so far becomes before a text is cut at white space: absent, a
# letter, mark or digit of the BMP stays; anything else becomes a space; one beyond the
# BMP, a word of its own, gets spaces around it. Filled as characters come, so that a build
# looks up only the categories of the characters its texts hold.
_SEPARATED: dict[int, str] = {}
_MET: set[str] = set()


def _word_runs(normal: str) -> list[str]:
    """Runs of word characters of ``normal``, each character beyond the BMP alone."""
    for character in set(normal).difference(_MET):
        if not is_word_character(character):
            _SEPARATED[ord(character)] = " "  # no word character is white space either
        elif ord(character) > 0xFFFF:
            _SEPARATED[ord(character)] = f" {character} "
        _MET.add(character)
    return normal.translate(_SEPARATED).split()


@cache
def _unsegmented() -> re.Pattern[str]:
    return re.compile(
        f"([{_ranges_class(UNSEGMENTED_RANGES)}]+)|([^{_ranges_class(UNSEGMENTED_RANGES)}]+)"
    )


def words(text: str) -> list[str]:
    """The words of ``text`` as ``palabre-split`` makes them (lower case, NFKC, pairs)."""
    normal = unicodedata.normalize("NFKC", text).lower()
    unsegmented = _unsegmented()
    result: list[str] = []
    for run in _word_runs(normal):
        if len(run) == 1:
            result.append(run)
            continue
        for pairs, plain in unsegmented.findall(run):
            if plain:
                result.append(plain)
            elif len(pairs) == 1:
                result.append(pairs)
            else:
                result.extend(pairs[i : i + 2] for i in range(len(pairs) - 1))
    return result


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """``text`` without accents: ``Développement`` -> ``Developpement``, ``cœur`` -> ``coeur``."""
    stripped = FOLDED_MARKS.sub("", unicodedata.normalize("NFD", text))
    composed = unicodedata.normalize("NFC", stripped)
    return FOLDED_LETTER.sub(lambda m: FOLDED_LETTERS[m.group(0)], composed)


# --- lunr.js's Porter stemmer, ported exactly (JavaScript regexes, same order of steps) -----

_STEP2 = {
    "ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize",
    "bli": "ble", "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize",
    "ation": "ate", "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful",
    "ousness": "ous", "aliti": "al", "iviti": "ive", "biliti": "ble", "logi": "log",
}  # fmt: skip
_STEP3 = {
    "icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "",
    "ness": "",
}  # fmt: skip
_c = "[^aeiou]"
_v = "[aeiouy]"
_C = _c + "[^aeiouy]*"
_V = _v + "[aeiou]*"
_MGR0 = re.compile(f"^({_C})?{_V}{_C}")
_MEQ1 = re.compile(f"^({_C})?{_V}{_C}({_V})?\\Z")
_MGR1 = re.compile(f"^({_C})?{_V}{_C}{_V}{_C}")
_S_V = re.compile(f"^({_C})?{_v}")
_1A = re.compile(r"^(.+?)(ss|i)es\Z")
_1A2 = re.compile(r"^(.+?)([^s])s\Z")
_1B = re.compile(r"^(.+?)eed\Z")
_1B2 = re.compile(r"^(.+?)(ed|ing)\Z")
_1B_AT = re.compile(r"(at|bl|iz)\Z")
_1B_DOUBLE = re.compile(r"([^aeiouylsz])\1\Z")
_1B_CVC = re.compile(f"^{_C}{_v}[^aeiouwxy]\\Z")
_1C = re.compile(r"^(.+?[^aeiou])y\Z")
_2 = re.compile(r"^(.+?)(" + "|".join(_STEP2) + r")\Z")
_3 = re.compile(r"^(.+?)(" + "|".join(_STEP3) + r")\Z")
_4 = re.compile(
    r"^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)\Z"
)
_42 = re.compile(r"^(.+?)(s|t)(ion)\Z")
_5 = re.compile(r"^(.+?)e\Z")
_5_LL = re.compile(r"ll\Z")
_5_CVC = re.compile(f"^{_C}{_v}[^aeiouwxy]\\Z")


@lru_cache(maxsize=200_000)
def porter_lunr(word: str) -> str:  # noqa: PLR0912 (kept as lunr.js writes it, to compare)
    """lunr.js's ``porterStemmer`` (lunr 2.3.9), step for step."""
    w = word
    if len(w) < 3:
        return w
    first = w[0]
    if first == "y":
        w = "Y" + w[1:]
    # Step 1a
    if _1A.search(w):
        w = _1A.sub(r"\1\2", w, count=1)
    elif _1A2.search(w):
        w = _1A2.sub(r"\1\2", w, count=1)
    # Step 1b
    if m := _1B.search(w):
        if _MGR0.search(m.group(1)):
            w = w[:-1]
    elif m := _1B2.search(w):
        stem = m.group(1)
        if _S_V.search(stem):
            w = stem
            if _1B_AT.search(w):
                w += "e"
            elif _1B_DOUBLE.search(w):
                w = w[:-1]
            elif _1B_CVC.search(w):
                w += "e"
    # Step 1c
    if m := _1C.search(w):
        w = m.group(1) + "i"
    # Step 2
    if (m := _2.search(w)) and _MGR0.search(m.group(1)):
        w = m.group(1) + _STEP2[m.group(2)]
    # Step 3
    if (m := _3.search(w)) and _MGR0.search(m.group(1)):
        w = m.group(1) + _STEP3[m.group(2)]
    # Step 4
    if m := _4.search(w):
        if _MGR1.search(m.group(1)):
            w = m.group(1)
    elif m := _42.search(w):
        stem = m.group(1) + m.group(2)
        if _MGR1.search(stem):
            w = stem
    # Step 5
    if m := _5.search(w):
        stem = m.group(1)
        if _MGR1.search(stem) or (_MEQ1.search(stem) and not _5_CVC.search(stem)):
            w = stem
    if _5_LL.search(w) and _MGR1.search(w):
        w = w[:-1]
    if first == "y":
        w = "y" + w[1:]
    return w


# --- Pipeline functions ----------------------------------------------------------------------


def split(token: Token, i: int = 0, tokens: list[Token] | None = None) -> list[Token]:
    return [Token(word, token.metadata) for word in words(str(token))]


def variants(token: Token, i: int = 0, tokens: list[Token] | None = None) -> Token | list[Token]:
    text = str(token).translate(DIAERESES)
    token.update(lambda _s, _m: text)
    folded = fold(text)
    if folded == text:
        return token
    return [token, Token(folded, {**token.metadata, VARIANT_FLAG: True})]


def fold_token(token: Token, i: int = 0, tokens: list[Token] | None = None) -> Token | None:
    folded = fold(str(token))
    if not folded:
        return None
    if token.metadata.get(VARIANT_FLAG) and tokens and i > 0 and fold(str(tokens[i - 1])) == folded:
        return None  # the accented original stemmed to the same term
    return token.update(lambda _s, _m: folded)


def _stemmer(stem: Callable[[str], str]) -> Callable[..., Token]:
    def stem_token(token: Token, i: int = 0, tokens: list[Token] | None = None) -> Token:
        return token.update(lambda text, _m: stem(text))

    return stem_token


def _stop_word_filter(stop_words: frozenset[str]) -> Callable[..., Token | None]:
    def stop_word_filter(token: Token, i: int = 0, tokens: list[Token] | None = None):
        return token if str(token) not in stop_words else None

    return stop_word_filter


def _register(function: Callable[..., object], label: str) -> Callable[..., object]:
    """Register ``function`` under ``label`` for lunr's ``Pipeline.load``, replacing any other.

    The ``lunr`` package registers its own ``stemmer``, which is not lunr.js's; an index
    that names ``stemmer`` must load ours. Assigned directly: lunr logs a warning otherwise.
    """
    function.label = label  # type: ignore[attr-defined]
    Pipeline.registered_functions[label] = function
    return function


_register(split, SPLIT)
_register(variants, VARIANTS)
_register(fold_token, FOLD)
_register(_stemmer(porter_lunr), "stemmer")


# --- Languages -------------------------------------------------------------------------------

_STOP_WORDS = re.compile(
    r"lunr\.(?P<lang>[a-z]{2})\.stopWordFilter\s*=\s*lunr\.generateStopWordFilter\(\s*"
    r"'(?P<words>[^']*)'\.split\(' '\)\s*\)"
)


def lunr_languages_stop_words(path: Path) -> frozenset[str]:
    """The stop words of one lunr-languages file (``lunr.fr.js``), as its filter has them."""
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SearchSetupError(
            f"{path}: expected lunr-languages (run `make install`, which runs `npm ci`), "
            f"got {error.strerror}"
        ) from error
    match = _STOP_WORDS.search(source)
    if match is None:
        raise SearchSetupError(f"{path}: expected a stop-word list, found none")
    return frozenset(match.group("words").split(" "))


class LanguageSupport:
    """Each language's pipeline, registered with lunr; built from lunr-languages' folder.

    ``pipeline(language)`` is what gets serialised and what lunr.js runs on a query;
    ``terms`` gives the same result for the documents, faster: it calls the same functions
    on plain strings, once per distinct word (``pipeline_terms`` is the reference, and
    tests/test_search_text.py checks the two agree).
    """

    def __init__(self, lunr_languages: Path) -> None:
        self.folder = lunr_languages
        self._functions: dict[str, Callable[..., object]] = {
            SPLIT: split,
            VARIANTS: variants,
            FOLD: fold_token,
            "stopWordFilter": stop_word_filter,
            "stemmer": Pipeline.registered_functions["stemmer"],
        }
        # (stop words, stem) per stemmed language, for the fast path.
        self._plain: dict[str, tuple[frozenset[str], Callable[[str], str]]] = {
            "en": (frozenset(WORDS), porter_lunr)
        }
        for language, file in LUNR_LANGUAGES_FILES.items():
            stop_filter, stemmer_name = STEMMED[language]
            stop_words = lunr_languages_stop_words(lunr_languages / file)
            self._functions[stop_filter] = _register(_stop_word_filter(stop_words), stop_filter)
            snowball = snowballstemmer.stemmer(SNOWBALL[language])
            stem = lru_cache(maxsize=200_000)(snowball.stemWord)
            self._functions[stemmer_name] = _register(_stemmer(stem), stemmer_name)
            self._plain[language] = (stop_words, stem)
        self._term_cache: dict[str, dict[str, tuple[str, ...]]] = {}

    def fingerprint(self) -> tuple[object, ...]:
        """What the terms depend on besides the code: stop words, stemmer versions."""
        stop_words = {language: sorted(words) for language, (words, _) in self._plain.items()}
        stemmer = sys.modules.get("Stemmer")  # PyStemmer: snowballstemmer's C code
        version = getattr(stemmer, "version", None)
        return (sorted(stop_words.items()), version() if callable(version) else None)

    def pipeline_names(self, language: str) -> list[str]:
        if language in STEMMED:
            stop_filter, stemmer_name = STEMMED[language]
            return [SPLIT, stop_filter, VARIANTS, stemmer_name, FOLD]
        return [SPLIT, FOLD]

    def pipeline(self, language: str) -> Pipeline:
        """The search pipeline of ``language``'s index (what lunr.js will run on a query)."""
        pipeline = Pipeline()
        pipeline.add(*(self._functions[name] for name in self.pipeline_names(language)))
        return pipeline

    def pipeline_terms(self, language: str, word: str) -> tuple[str, ...]:
        """``word`` through lunr's ``Pipeline.run``, as a query term would go."""
        return tuple(str(t) for t in self.pipeline(language).run([Token(word, {})]))

    def word_terms(self, language: str, word: str) -> tuple[str, ...]:
        """``pipeline_terms``, computed on plain strings (the same functions, same order)."""
        plain = self._plain.get(language)
        found: list[str] = []
        for part in words(word):
            if plain is None:  # palabre-split, palabre-fold
                folded = fold(part)
                if folded:
                    found.append(folded)
                continue
            stop_words, stem = plain
            if part in stop_words:
                continue
            original = part.translate(DIAERESES)
            stemmed = fold(stem(original))
            if stemmed:
                found.append(stemmed)
            unaccented = fold(original)
            if unaccented != original:
                variant = fold(stem(unaccented))
                if variant and variant != stemmed:
                    found.append(variant)
        return tuple(found)

    def terms(self, language: str, text: str) -> Counter[str]:
        """How often each index term occurs in ``text`` in ``language``.

        Words are cut at white space, lower-cased and stripped of ASCII punctuation first,
        only to share the cache ("migration," and "migration"): ``palabre-split`` treats
        those characters as separators anyway. ``<``, ``=`` and ``>`` stay, since NFKC can
        join them to a following combining stroke.
        """
        cache_ = self._term_cache.setdefault(language, {})
        found: Counter[str] = Counter()
        for raw, times in Counter(text.lower().split()).items():
            word = raw.strip(CACHE_STRIPPED)
            terms = cache_.get(word)
            if terms is None:
                terms = cache_[word] = self.word_terms(language, word)
            for term in terms:
                found[term] += times
        return found
