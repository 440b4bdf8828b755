"""Name keys for tolerant search and matching (pure Python, no Django).

`name_key` normalises case, accents and punctuation; `canonical_forename` folds common spelling
variants and nicknames (Mohammed/Muhammad, Katie/Katy, Will/William); `phonetic_key` gives a
sound-alike key. Children search (children app) and the linkage engine (matching) share these.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish

_NON_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")

#: Each group of spellings/nicknames folds to its first member.
VARIANT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("muhammad", "mohammed", "mohammad", "mohamed", "muhammed", "mohamad", "muhamed", "mohammod", "mohd"),
    ("ahmed", "ahmad", "ahmet"),
    ("katie", "katy", "katey", "kaytee", "katiemae"),
    ("catherine", "katherine", "kathryn", "catharine", "cathryn", "kate", "cathy", "kathy"),
    ("jayden", "jaden", "jaiden", "jaydon", "jaydan"),
    ("sophie", "sophia", "sofia", "sofie"),
    ("alexandra", "aleksandra", "alexandria", "sasha"),
    ("alexander", "aleksander", "alex", "alec", "sandy"),
    ("william", "will", "billy", "bill", "willem", "liam"),
    ("elizabeth", "lizzie", "lizzy", "beth", "eliza", "liz", "elisabeth", "betty"),
    ("oliver", "ollie", "olly"),
    ("thomas", "tom", "tommy"),
    ("james", "jim", "jimmy", "jamie"),
    ("joseph", "joe", "joey", "josef"),
    ("daniel", "dan", "danny"),
    ("samuel", "sam", "sammy"),
    ("benjamin", "ben", "benji"),
    ("matthew", "matt", "mathew"),
    ("michael", "mike", "mikey", "michal", "mikolaj"),
    ("christopher", "chris", "kristopher", "krzysztof"),
    ("nicholas", "nick", "nicolas", "mikolaj"),
    ("jonathan", "jon", "jonny", "johnny", "jonathon"),
    ("john", "jack", "ian", "sean", "shaun", "shawn", "jan"),
    ("edward", "ed", "eddie", "ted", "teddy"),
    ("robert", "rob", "bob", "bobby", "robbie"),
    ("richard", "rich", "rick", "ricky", "dick"),
    ("charles", "charlie", "chas"),
    ("charlotte", "lottie", "charley"),
    ("margaret", "maggie", "meg", "megan", "peggy"),
    ("rebecca", "becky", "becca"),
    ("jessica", "jess", "jessie"),
    ("abigail", "abbie", "abby", "abi"),
    ("olivia", "liv", "livvy"),
    ("amelia", "millie", "amelie"),
    ("isabella", "isabelle", "izzy", "bella", "isabel", "isobel"),
    ("emily", "emilie", "emilia"),
    ("hannah", "hana", "hanna"),
    ("leah", "lea", "leia"),
    ("zoe", "zoey"),
    ("chloe", "khloe"),
    ("mia", "miah"),
    ("aisha", "ayesha", "aysha", "aishah"),
    ("fatima", "fatimah", "fatma"),
    ("yusuf", "yousuf", "yousef", "youssef", "joseph"),
    ("ibrahim", "ebrahim", "abraham"),
    ("ali", "aly"),
    ("hussain", "hussein", "husain", "hosein"),
    ("abdullah", "abdulla"),
    ("omar", "umar"),
    ("zainab", "zaynab"),
    ("maryam", "mariam", "miriam"),
    ("amir", "ameer"),
    ("nathan", "nate"),
    ("nathaniel", "nathanial"),
    ("zachary", "zach", "zack", "zak"),
    ("frederick", "freddie", "freddy", "fred"),
    ("harry", "harrison", "henry", "hal"),
    ("archibald", "archie"),
    ("theodore", "theo", "ted"),
    ("reuben", "ruben"),
    ("kacper", "casper", "kasper"),
    ("jakub", "jacob", "jakob", "kuba"),
    ("wiktoria", "victoria", "vicky", "viktoria"),
    ("zuzanna", "susanna", "suzanna"),
    ("stephen", "steven", "steve", "stefan"),
    ("philip", "phillip", "phil"),
    ("anthony", "antony", "tony"),
    ("andrew", "andy", "drew", "andrzej"),
    ("peter", "pete", "piotr"),
    ("paul", "pawel"),
    ("david", "dave", "dawid"),
    ("gabriel", "gabe"),
    ("gabriella", "gabriela", "gabby"),
    ("natalie", "natalia", "natasha", "tasha"),
    ("daniela", "daniella", "danielle"),
    ("ella", "ellie", "elle"),
    ("eleanor", "elinor", "ellie", "nora"),
    ("grace", "gracie"),
    ("lucy", "lucie", "lucia"),
    ("evie", "eve", "eva"),
    ("freya", "freja"),
    ("layla", "leila", "laila", "lailah", "leyla"),
    ("nevaeh", "neveah"),
    ("kayden", "kaden", "caden", "kaiden"),
    ("aidan", "aiden", "ayden", "aden"),
    ("brandon", "brendan"),
    ("connor", "conor", "conner"),
    ("callum", "calum"),
    ("tyler", "tyla"),
    ("kai", "ky"),
    ("jenson", "jensen"),
    ("mason", "mayson"),
    ("ethan", "eathan"),
)

_CANONICAL: dict[str, str] = {}
for _group in VARIANT_GROUPS:
    for _name in _group:
        _CANONICAL.setdefault(_name, _group[0])


def name_key(raw: str | None) -> str:
    """Lower case, no accents, letters and single spaces only ("O'Brien-Smith" -> "obrien smith")."""
    if not raw:
        return ""
    text = unicodedata.normalize("NFKD", raw)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'", "").replace("\u2019", "").replace("-", " ")
    text = _NON_LETTERS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def compact(raw: str | None) -> str:
    """name_key without spaces: for comparing "Mary Ann" with "Maryann"."""
    return name_key(raw).replace(" ", "")


@lru_cache(maxsize=65536)
def canonical_forename(raw: str | None) -> str:
    """Fold spelling variants and nicknames: canonical_forename("Mohamed") == canonical_forename("Muhammad")."""
    key = name_key(raw)
    if not key:
        return ""
    first = key.split(" ")[0]
    return _CANONICAL.get(first, _CANONICAL.get(key.replace(" ", ""), first))


@lru_cache(maxsize=65536)
def phonetic_key(raw: str | None) -> str:
    """A sound-alike key (metaphone) of the first word of the name, after variant folding for forenames."""
    key = compact(raw)
    if not key:
        return ""
    return str(jellyfish.metaphone(key))[:8]


def surname_key(raw: str | None) -> str:
    return compact(raw)


def similarity(a: str, b: str) -> float:
    """Jaro-Winkler similarity of two name keys (0..1)."""
    if not a or not b:
        return 0.0
    return float(jellyfish.jaro_winkler_similarity(a, b))
