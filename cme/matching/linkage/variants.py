"""First-name variants: nicknames, spellings and transliterations mapped to one canonical form.

Each group lists the canonical form first, then the forms that mean the same child in another
record: "Mohammed" on a school roll is "Muhammad" in an HMRC extract, "Katie" at school is
"Catherine" on a birth record, "Mateusz" on a Polish passport is "Matthew" on a GP list.

The table is deliberately conservative. A name that parents give as a name in its own right
(Liam, Harry, Millie, Sophie, Elsie, Alex) is left alone or mapped only where the link is the usual
one, because a wrong mapping gives two different children (often siblings) the same canonical name.
Names are written already standardised (lower case ASCII, no punctuation), as
``standardise.standardise_name`` produces them.

If ``cme.synthetic.names`` exists, its ``NAME_VARIANTS`` (spelling variants) and ``NICKNAMES``
(short forms) fill gaps in this table; a name placed here keeps its canonical form, and groups
are never merged through an ambiguous nickname (``_build``). The engine works without it.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Iterable, Mapping

__all__ = ["NAME_GROUPS", "VARIANT_TO_CANONICAL", "canonical_of"]

#: Canonical form first, then its variants.
NAME_GROUPS: tuple[tuple[str, ...], ...] = (
    # Arabic and South Asian transliterations
    ("mohammed", "muhammad", "mohammad", "mohamed", "muhammed", "mohamad", "mohammod", "mohamud",
     "muhamed", "mahomed", "mohummed", "muhammod", "mohd"),
    ("ahmed", "ahmad", "ahmet", "ahmid"),
    ("abdullah", "abdulla", "abdalla", "abdallah"),
    ("abdul", "abdool", "abdel"),
    ("yusuf", "yousef", "yousuf", "youssef", "yusef", "yosef", "yousif"),
    ("ibrahim", "ebrahim", "ibraheem", "ibrahem"),
    ("hussain", "hussein", "husain", "hussien", "husein", "hossain", "hosain"),
    ("hassan", "hasan", "hasaan"),
    ("hamza", "hamzah", "hamzaa"),
    ("omar", "umar", "omer", "umer"),
    ("usman", "osman", "uthman", "othman"),
    ("ismail", "ismael", "ismaeel", "esmail"),
    ("idris", "idrees", "idriss"),
    ("zakariya", "zakaria", "zakariyya", "zakariah", "zakarya"),
    ("mustafa", "mustapha", "mostafa"),
    ("bilal", "bilaal"),
    ("ayaan", "ayan", "ayyan"),
    ("rayan", "rayyan", "raiyan"),
    ("ayesha", "aisha", "aysha", "ayisha", "aishah", "ayeesha", "aiesha"),
    ("fatima", "fatimah", "fathima", "fatema"),
    ("maryam", "mariam", "maryum", "mariyam"),
    ("zainab", "zaynab", "zeinab", "zaineb"),
    ("khadija", "khadijah", "kadija", "khadeeja"),
    ("amira", "ameera", "amirah"),
    ("noor", "nur", "nour"),
    ("hafsa", "hafsah", "hafza"),
    ("safiya", "safiyyah", "safia", "saffiya"),
    ("inaaya", "inaya", "enaya"),
    ("layla", "leila", "laila", "lailah", "leyla", "laylah"),
    ("yasmin", "yasmine", "yasmeen", "jasmine", "jasmin", "jazmin", "jazmine", "jaz"),
    # English given names and their usual nicknames
    ("william", "will", "willie", "willy", "billy", "bill", "wills"),
    ("thomas", "tom", "tommy", "thom", "tomas", "tomos", "tommie"),
    ("james", "jim", "jimmy", "jamie", "jimi", "jaime"),
    ("alexander", "alex", "alec", "alexandr", "aleksander", "aleksandr"),
    ("alexandra", "aleksandra", "alexandria", "aleksandria"),
    ("oliver", "ollie", "olly", "oli", "olivier"),
    ("john", "johnny", "jon", "johnnie", "jonjo"),
    ("jonathan", "jonathon", "jonny"),
    ("jayden", "jaden", "jaiden", "jaydon", "jadon", "jaydan", "jaydn", "jaidon"),
    ("aiden", "aidan", "ayden", "aden", "aydan", "aydin"),
    ("charles", "charlie", "charley", "chas", "chaz"),
    ("joseph", "joe", "joey", "josef", "jozef", "joesph"),
    ("daniel", "dan", "danny", "daniil", "danial", "danyal", "daniyal"),
    ("samuel", "sam", "sammy", "samual", "sami", "samuil"),
    ("benjamin", "ben", "benji", "benny", "benjy"),
    ("matthew", "matt", "mathew", "matty", "mateusz", "mattew"),
    ("michael", "mike", "mikey", "mick", "micky", "michal", "mikhail", "micheal", "mikael"),
    ("christopher", "chris", "kristopher", "christoper", "kris", "krzysztof"),
    ("nicholas", "nick", "nicky", "nikolas", "nicolas", "nikolai", "mikolaj", "nicolai"),
    ("edward", "ed", "eddie", "eddy", "ted", "teddy", "edvard"),
    ("robert", "rob", "robbie", "bob", "bobby", "robby", "robertas"),
    ("richard", "rick", "ricky", "rich", "richie", "ricard", "rikard"),
    ("anthony", "tony", "antony", "antoni", "anton", "antonio"),
    ("frederick", "fred", "freddie", "freddy", "frederic", "fredrick", "fryderyk"),
    ("theodore", "theo", "teodor", "theodor"),
    ("archibald", "archie", "archy"),
    ("alfred", "alfie", "alf", "alfy"),
    ("zachary", "zach", "zack", "zak", "zac", "zachery", "zakary"),
    ("nathan", "nate", "nathen", "nathon"),
    ("nathaniel", "nathanael", "nathanial"),
    ("jacob", "jake", "jakob", "jakub", "jacub", "yakub", "yaqub"),
    ("joshua", "josh", "joshuah", "joshuwa"),
    ("dylan", "dillon", "dilan", "dylon"),
    ("kieran", "kieron", "ciaran", "keiran", "kieren"),
    ("connor", "conor", "conner", "konnor"),
    ("ethan", "ethen", "ethon"),
    ("isaac", "isaak", "issac", "izaak", "izak", "isak"),
    ("lucas", "lukas", "lukasz", "luka"),
    ("callum", "calum", "kallum", "kalum"),
    ("reece", "rhys", "reese", "rees", "reiss"),
    ("ryan", "rian", "ryann"),
    ("sebastian", "seb", "sebastien", "bastian", "sebastiano"),
    ("stanley", "stan"),
    ("tobias", "toby", "tobi", "tobie"),
    ("gabriel", "gabe", "gabriele", "gavriel"),
    ("patrick", "pat", "paddy", "patryk", "padraig"),
    ("peter", "pete", "piotr", "petr", "pieter"),
    ("david", "dave", "davey", "dawid", "dafydd", "davide"),
    ("stephen", "steven", "steve", "stevie", "stefan", "stephan"),
    ("philip", "phil", "phillip", "filip", "philippe"),
    ("andrew", "andy", "drew", "andrzej", "andrei", "andrey"),
    ("kacper", "casper", "kasper", "caspar"),
    ("jan", "janek"),
    ("george", "georgie", "jorge", "jerzy", "georgi"),
    ("harvey", "harvie"),
    ("louis", "luis", "louie", "lewie"),
    ("lewis", "lewys"),
    ("riley", "rylee", "ryley", "reilly"),
    ("mason", "mayson", "masen"),
    ("elliot", "elliott", "eliot", "eliott"),
    # Girls' names
    ("elizabeth", "lizzie", "lizzy", "liz", "beth", "eliza", "elisabeth", "betty", "libby", "elzbieta",
     "elisabetta"),
    ("catherine", "katherine", "kathryn", "katharine", "kate", "katie", "katy", "kathy", "cathy", "kat",
     "katarzyna", "kasia", "caitriona", "katrina", "catrin"),
    ("sophia", "sofia", "sofiya", "sophya", "zofia"),
    ("olivia", "oliwia", "liv", "livvy", "olivea", "livia"),
    ("isabella", "izabela", "isabela", "izabella", "bella"),
    ("isabel", "isabelle", "isobel", "izzy", "isabell", "izabel", "issy"),
    ("charlotte", "lottie", "lotte", "charlote"),
    ("jessica", "jess", "jessie", "jessika", "jesica"),
    ("rebecca", "becky", "becca", "rebekah", "rebekka", "rebeca"),
    ("hannah", "hana", "hanna", "hanah"),
    ("emily", "emilie", "emely", "emmily"),
    ("grace", "gracie", "grayce"),
    ("eleanor", "elinor", "eleanore", "elenor", "nell", "nellie", "elianor"),
    ("abigail", "abbie", "abby", "abi", "abbey", "abigale", "abbi"),
    ("victoria", "vicky", "vikki", "tori", "wiktoria", "viktoria"),
    ("margaret", "maggie", "meg", "peggy", "margo", "malgorzata", "gosia"),
    ("jennifer", "jenny", "jen", "jenifer"),
    ("natalie", "nat", "natalee", "nathalie"),
    ("zoe", "zoey", "zoee", "zoie"),
    ("chloe", "khloe", "cloe", "chloey"),
    ("lily", "lilly", "lillie", "lili", "lilli"),
    ("ruby", "rubie", "rubi"),
    ("freya", "freja", "freyja", "freyia"),
    ("phoebe", "pheobe", "febe", "phebe"),
    ("caitlin", "katelyn", "kaitlyn", "caitlyn", "kaitlin", "katelin"),
    ("megan", "meghan", "meagan", "megann"),
    ("leah", "lea", "leia"),
    ("niamh", "neve", "neave", "neamh", "nieve"),
    ("sienna", "siena", "sianna"),
    ("maya", "maia", "maja", "mya", "myah"),
    ("amelie", "amely", "ameli"),
    ("ella", "ela"),
    ("scarlett", "scarlet", "skarlet"),
    ("harriet", "hattie", "harriett", "harriette"),
    ("georgina", "gina", "georgiana"),
    ("anna", "ana", "annie"),
    ("julia", "julija", "yulia", "juliya"),
    ("natalia", "natalya", "natalija"),
    ("amelia", "amellia", "amilia", "amalia"),
    ("evie", "evey", "evee"),
    ("aaliyah", "aliyah", "aaliya", "aliya", "alia", "aleah"),
    ("mia", "miah", "mea"),
    ("esme", "esmee", "esmae"),
    ("matilda", "tilly", "tillie", "mathilda", "tilda"),
    ("florence", "flo", "florrie", "flossie"),
    ("imogen", "imogene", "immy"),
    ("penelope", "penny"),
    ("rosie", "rosy", "rosey"),
    ("madison", "maddison", "madisyn", "maddy", "maddie"),
    ("sarah", "sara", "sahra"),
    ("mary", "marie", "maria", "mari", "marija"),
)


_SPECIAL_LETTERS = str.maketrans({"ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ı": "i"})


def _clean(name: str) -> str:
    """Lower-case ASCII letters only, accents removed ("João" -> "joao")."""
    decomposed = unicodedata.normalize("NFKD", name.lower().translate(_SPECIAL_LETTERS))
    return "".join(ch for ch in decomposed if "a" <= ch <= "z")


def _build(
    groups: Iterable[tuple[str, ...]],
    variant_groups: Iterable[tuple[str, ...]],
    nickname_groups: Iterable[tuple[str, ...]],
) -> dict[str, str]:
    """Variant -> canonical, from our groups, then spelling-variant groups, then nickname groups.

    A name already placed keeps its canonical. A spelling-variant group joins the canonical of any
    member already placed (Emilia joins Amelia); a nickname group joins only its head's canonical,
    so an ambiguous nickname ("Sam" for Samuel and Samantha) can never join two given names.
    """
    table: dict[str, str] = {}

    def add(members: list[str], canonical: str) -> None:
        table.setdefault(canonical, canonical)
        for name in members:
            table.setdefault(name, canonical)

    for group in groups:
        add(list(group), group[0])
    for group in variant_groups:
        members = [name for name in (_clean(n) for n in group) if name]
        if members:
            add(members, next((table[name] for name in members if name in table), members[0]))
    for group in nickname_groups:
        members = [name for name in (_clean(n) for n in group) if name]
        if members:
            add(members, table.get(members[0], members[0]))
    return table


def _external_groups(attribute: str) -> list[tuple[str, ...]]:
    """Groups from ``cme.synthetic.names.<attribute>`` when that module exists (else none).

    The table may map a name to its variants (a collection) or a variant to its name (a string).
    """
    try:
        module = importlib.import_module("cme.synthetic.names")
    except ImportError:
        return []
    table = getattr(module, attribute, None)
    if not isinstance(table, Mapping):
        return []
    groups: list[tuple[str, ...]] = []
    for key, value in sorted(table.items(), key=lambda item: str(item[0])):
        if not isinstance(key, str):
            continue
        if isinstance(value, str):
            groups.append((value, key))
        elif isinstance(value, Iterable):
            groups.append((key, *(v for v in value if isinstance(v, str))))
    return groups


VARIANT_TO_CANONICAL: dict[str, str] = _build(
    NAME_GROUPS, _external_groups("NAME_VARIANTS"), _external_groups("NICKNAMES")
)


def canonical_of(name: str) -> str:
    """The canonical form of one standardised name token (the token itself if it has none)."""
    return VARIANT_TO_CANONICAL.get(name, name)
