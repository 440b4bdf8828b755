"""Families: how many children, when they were born, what they are called, and who looks after them.

Siblings share a household, a postcode and (usually) a surname; about 1.5% of births are twins
(same date of birth, different given names). Surnames follow each community's practice: shared family
surnames, double-barrelled names for some unmarried parents, Polish feminine forms, Somali and Eritrean
patronymics, Sikh Singh/Kaur, Bangladeshi siblings with different surnames, Portuguese double surnames.
About 2% of children changed surname when a parent married (``former_surnames``), and about 10% are
known by a nickname or an English name (``preferred_forename``).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Final

from cme.synthetic.names import (
    ADULT_FORENAMES,
    CULTURES,
    NICKNAMES,
    SETTLED_CULTURES,
    ascii_fold,
    british_middle_names,
    composed_surname,
    english_names,
    feminine_surname,
    forenames,
)
from cme.synthetic.rand import Weighted

__all__ = ["ContactDraft", "FamilyDraft", "KidDraft", "birth_window", "make_family", "skeleton"]

_SIZES: Final = Weighted([(1, 40.0), (2, 40.0), (3, 14.0), (4, 4.5), (5, 1.5)])
#: Relative size of each birth cohort (school year of birth offset from the oldest: Y13 ... nursery).
_COHORT_WEIGHTS: Final = (0.95, 0.96, 0.98, 1.0, 1.0, 0.99, 0.97, 0.96, 0.96, 0.94, 0.92, 0.89, 0.87, 0.86, 0.84)
_KINDS: Final = Weighted(
    [
        ("married", 45.0),
        ("cohabiting", 17.0),
        ("single_mother", 22.0),
        ("single_father", 2.5),
        ("step", 8.0),
        ("kinship", 1.6),
        ("foster", 0.7),
        ("relative", 0.5),
    ]
)
_TRADITIONAL_KINDS: Final = Weighted(
    [
        ("married", 86.0),
        ("single_mother", 7.0),
        ("step", 2.0),
        ("kinship", 2.0),
        ("cohabiting", 2.0),
        ("single_father", 1.0),
    ]
)
_TRADITIONAL = frozenset({"pakistani", "bangladeshi", "indian", "sikh", "arabic", "afghan", "somali", "eritrean"})
_PARTNER_CULTURES: Final = Weighted(
    [
        ("caribbean", 20.0),
        ("west_african", 15.0),
        ("pakistani", 8.0),
        ("indian", 8.0),
        ("chinese", 6.0),
        ("european", 15.0),
        ("polish", 10.0),
        ("arabic", 4.0),
        ("irish", 10.0),
        ("portuguese", 4.0),
    ]
)
_MIXED_ETHNICITY: Final[dict[str, str]] = {
    "caribbean": "MWBC",
    "west_african": "MWBA",
    "somali": "MWBA",
    "pakistani": "MWAS",
    "indian": "MWAS",
    "bangladeshi": "MWAS",
    "chinese": "MWAS",
    "sikh": "MWAS",
}
_ENGLISH_SPEAKING: Final = frozenset({"british", "irish", "caribbean", "traveller"})


@dataclass(slots=True)
class KidDraft:
    dob: dt.date
    sex: str
    twin_of: int | None = None  # index of the twin in the family
    cohort_offset: int = 0
    forename: str = ""
    middle: str = ""
    surname: str = ""
    preferred: str | None = None
    former_surnames: tuple[str, ...] = ()
    culture: str = ""
    language: str = "English"
    ethnicity: str = "WBRI"


@dataclass(slots=True)
class ContactDraft:
    forename: str
    surname: str
    relationship: str
    parental_responsibility: bool
    lives_with: bool
    phone: str | None = None
    email: str | None = None


@dataclass(slots=True)
class FamilyDraft:
    kind: str
    culture: str
    partner_culture: str | None
    kids: list[KidDraft]
    contacts: list[ContactDraft] = field(default_factory=list)
    surname: str = ""


def birth_window(year_on: int) -> tuple[dt.date, dt.date]:
    """Dates of birth of children in Year 13 down to the nursery year in school year ``year_on``."""
    return dt.date(year_on - 18, 9, 1), dt.date(year_on - 3, 8, 31)


_COHORTS_CUM: Final = Weighted(list(enumerate(_COHORT_WEIGHTS)))


def _random_dob(rng: random.Random, year_on: int) -> dt.date:
    cohort = _COHORTS_CUM.pick(rng)  # 0 = Year 13 ... 14 = nursery year
    start = dt.date(year_on - 18 + cohort, 9, 1)
    return start + dt.timedelta(days=int(rng.random() * 365))


def skeleton(rng: random.Random, year_on: int, *, size: int | None = None) -> list[KidDraft]:
    """Dates of birth and sexes of a family's children (eldest first), with twins ~1.5% of births."""
    lo, hi = birth_window(year_on)
    n = size if size is not None else _SIZES.pick(rng)
    dobs: list[tuple[dt.date, int | None]] = []
    first = _random_dob(rng, year_on)
    dobs.append((first, None))
    youngest = eldest = first
    while len(dobs) < n:
        if rng.random() < 0.015:
            twin = dobs[-1][0]
            if rng.random() < 0.03:  # born either side of midnight
                twin = min(hi, twin + dt.timedelta(days=1))
            dobs.append((twin, len(dobs) - 1))
            continue
        gap = dt.timedelta(days=int(30.4 * (15 + rng.gammavariate(2.0, 9.0))))
        if youngest + gap <= hi and (eldest - gap < lo or rng.random() < 0.6):
            youngest = youngest + gap
            dobs.append((youngest, None))
        elif eldest - gap >= lo:
            eldest = eldest - gap
            dobs.append((eldest, None))
        else:
            break
    if rng.random() < 0.015 and len(dobs) < 6:  # twins for the first-drawn child too
        dobs.append((first, 0))
    order = sorted(range(len(dobs)), key=lambda i: dobs[i][0])
    position = {old: new for new, old in enumerate(order)}
    kids: list[KidDraft] = []
    for old in order:
        dob, twin_index = dobs[old]
        sex = "M" if rng.random() < 0.512 else "F"
        offset = 0
        roll = rng.random()
        if dob.month in (5, 6, 7, 8) and roll < 0.03:
            offset = -1  # a deferred summer-born child, taught a year behind
        elif roll < 0.001:
            offset = -1
        elif roll > 0.9995:
            offset = 1
        kids.append(
            KidDraft(
                dob=dob,
                sex=sex,
                twin_of=position[twin_index] if twin_index is not None else None,
                cohort_offset=offset,
            )
        )
    for kid in kids:  # twins are taught in the same year group
        if kid.twin_of is not None:
            kid.cohort_offset = kids[kid.twin_of].cohort_offset
    return kids


# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------


def _adult_forename(rng: random.Random, culture: str, sex: str, *, grand: bool = False) -> str:
    c = CULTURES[culture]
    if culture in _ENGLISH_SPEAKING:
        return ADULT_FORENAMES[("grand_" if grand else "parent_") + sex].pick(rng)
    pool = c.adult_men if sex == "M" else c.adult_women
    if pool is not None and not grand:
        return pool.pick(rng)
    return forenames(culture, sex, 1990).pick(rng)


def _surname(rng: random.Random, culture: str) -> str:
    if culture == "british" and rng.random() < 0.18:
        return composed_surname(int(rng.random() * 10_000), int(rng.random() * 10_000))
    return CULTURES[culture].surnames.pick(rng)


def _for_sex(surname: str, sex: str, culture: str) -> str:
    return feminine_surname(surname) if sex == "F" and culture == "polish" else surname


def _middle(rng: random.Random, kid: KidDraft, culture: str) -> str:
    c = CULTURES[culture]
    if c.naming == "sikh":
        core = "Singh" if kid.sex == "M" else "Kaur"
        extra = forenames(culture, kid.sex, kid.dob.year).pick(rng)
        return core if rng.random() < 0.85 or extra == kid.forename else f"{extra} {core}"
    if rng.random() >= c.middle_rate:
        return ""
    if culture in _ENGLISH_SPEAKING:
        pool = british_middle_names(kid.sex)
        first = pool.pick(rng)
        if first == kid.forename:
            first = pool.pick(rng)
        if first == kid.forename:
            return ""
        if rng.random() < 0.12:
            second = pool.pick(rng)
            if second not in (first, kid.forename):
                return f"{first} {second}"
        return first
    pool = forenames(culture, kid.sex, kid.dob.year)
    first = pool.pick(rng)
    if first == kid.forename:
        return ""
    if culture == "west_african" and rng.random() < 0.5:
        second = pool.pick(rng)
        if second not in (first, kid.forename):
            return f"{first} {second}"
    return first


def _preferred(rng: random.Random, kid: KidDraft, culture: str) -> str | None:
    nick = NICKNAMES.get(kid.forename)
    c = CULTURES[culture]
    if c.english_name_rate and rng.random() < c.english_name_rate:
        return english_names(kid.sex).pick(rng)
    if kid.forename in ("Muhammad", "Mohammed", "Mohammad", "Mohamed") and kid.middle and rng.random() < 0.45:
        return kid.middle.split()[0]
    if nick and rng.random() < (0.4 if culture in _ENGLISH_SPEAKING else 0.3):
        return nick[int(rng.random() * len(nick))]
    if kid.middle and rng.random() < 0.015 and c.naming != "sikh":
        return kid.middle.split()[0]
    return None


def _contact(
    rng: random.Random, forename: str, surname: str, relationship: str, *, pr: bool, lives: bool
) -> ContactDraft:
    phone = f"07700 900{int(rng.random() * 1000):03d}" if rng.random() < 0.93 else None
    email = None
    if rng.random() < (0.75 if lives else 0.35):
        local = f"{ascii_fold(forename)}.{ascii_fold(surname)}".lower().replace(" ", "").replace("'", "")
        if rng.random() < 0.4:
            local += str(int(rng.random() * 99) + 1)
        email = f"{local}@{'example.org' if rng.random() < 0.5 else 'example.com'}"
    return ContactDraft(forename, surname, relationship, pr, lives, phone, email)


def make_family(
    rng: random.Random,
    kids: list[KidDraft],
    *,
    culture: str,
    newly_arrived: bool,
    cousin: FamilyDraft | None = None,
) -> FamilyDraft:
    """Name a family's children and make its contacts (mother/father/carers, in call order)."""
    c = CULTURES[culture]
    if cousin is not None:
        kind = "married" if rng.random() < 0.7 else "cohabiting"
    elif culture in _TRADITIONAL or newly_arrived:
        kind = _TRADITIONAL_KINDS.pick(rng)
    else:
        kind = _KINDS.pick(rng)
    partner: str | None = None
    if (
        not newly_arrived
        and cousin is None
        and culture == "british"
        and kind in ("married", "cohabiting", "step")
        and rng.random() < 0.09
    ):
        partner = _PARTNER_CULTURES.pick(rng)
    family = FamilyDraft(kind=kind, culture=culture, partner_culture=partner, kids=kids)

    # Parents' names. The father's culture is the partner's in half of mixed families.
    father_culture = partner if partner is not None and rng.random() < 0.6 else culture
    mother_culture = culture if father_culture != culture else (partner or culture)
    if cousin is not None:
        father_surname = cousin.surname
    else:
        father_surname = _surname(rng, father_culture)
    father_forename = _adult_forename(rng, father_culture, "M")
    if c.naming == "patronymic" and cousin is None:
        father_surname = CULTURES[father_culture].surnames.pick(rng)
    mother_forename = _adult_forename(rng, mother_culture, "F")
    mother_maiden = _for_sex(_surname(rng, mother_culture), "F", mother_culture)
    if CULTURES[mother_culture].naming == "sikh" and rng.random() < 0.3:
        mother_maiden = "Kaur"
    if mother_culture in ("pakistani", "bangladeshi") and rng.random() < 0.35:
        mother_maiden = "Begum" if mother_culture == "bangladeshi" or rng.random() < 0.4 else "Bibi"

    # Children's surname.
    if c.naming == "patronymic":
        family_surname = father_forename
    else:
        family_surname = father_surname
    mother_surname = mother_maiden
    if (
        kind == "married"
        and c.naming not in ("patronymic",)
        and mother_culture not in ("pakistani", "bangladeshi")
        and rng.random() < 0.88
    ):
        mother_surname = _for_sex(father_surname, "F", father_culture)
    if kind == "married" and mother_culture in ("pakistani", "bangladeshi") and rng.random() < 0.5:
        mother_surname = father_surname
    kid_surname = family_surname
    if kind == "cohabiting":
        roll = rng.random()
        if roll < 0.2:
            kid_surname = mother_maiden
        elif roll < 0.35 and mother_maiden != father_surname:
            kid_surname = (
                f"{mother_maiden}-{father_surname}" if rng.random() < 0.6 else f"{father_surname}-{mother_maiden}"
            )
    elif kind == "married" and mother_surname == mother_maiden and rng.random() < 0.2 and c.naming == "family":
        kid_surname = f"{mother_maiden}-{father_surname}"
    elif kind == "single_mother" and rng.random() < 0.5:
        kid_surname = mother_maiden
    elif c.naming == "iberian" and rng.random() < 0.5:
        kid_surname = f"{mother_maiden} {father_surname}"
    family.surname = father_surname

    stepfather_surname = ""
    if kind == "step":
        stepfather_surname = _surname(rng, culture)
        if rng.random() < 0.6:
            mother_surname = stepfather_surname

    names_used: set[str] = set()
    for i, kid in enumerate(kids):
        kid_culture = culture
        if partner is not None and rng.random() < 0.45:
            kid_culture = partner
        kid.culture = kid_culture
        pool = forenames(kid_culture, kid.sex, kid.dob.year)
        name = pool.pick(rng)
        if cousin is not None and i == 0:
            same_sex = [k for k in cousin.kids if k.sex == kid.sex]
            if same_sex and rng.random() < 0.6:
                name = same_sex[0].forename  # named after the same grandparent
        tries = 0
        twin = kids[kid.twin_of] if kid.twin_of is not None else None
        while (name in names_used or (twin is not None and name == twin.forename)) and tries < 8:
            name = pool.pick(rng)
            tries += 1
        if twin is not None and rng.random() < 0.3:
            for _ in range(10):  # alliterative twins
                candidate = pool.pick(rng)
                if candidate[0] == twin.forename[0] and candidate != twin.forename:
                    name = candidate
                    break
        names_used.add(name)
        kid.forename = name
        kid.middle = _middle(rng, kid, kid_culture)
        surname = _for_sex(kid_surname, kid.sex, culture)
        if c.naming == "sikh" and rng.random() < 0.12:
            surname = "Singh" if kid.sex == "M" else "Kaur"
        if c.naming == "bangladeshi" and rng.random() < 0.25:
            surname = CULTURES["bangladeshi"].surnames.pick(rng)
        if kind == "step" and stepfather_surname and rng.random() < 0.25:
            kid.former_surnames = (surname,)
            surname = _for_sex(stepfather_surname, kid.sex, culture)
        if kind == "foster":
            birth_culture = SETTLED_CULTURES.pick(rng)
            surname = _for_sex(_surname(rng, birth_culture), kid.sex, birth_culture)
            if i > 0 and rng.random() < 0.4:
                surname = kids[i - 1].surname  # siblings placed together
        kid.surname = surname
        kid.preferred = _preferred(rng, kid, kid_culture)
        # Language and ethnicity.
        lang_culture = CULTURES[kid_culture if partner is None else culture]
        language = lang_culture.languages.pick(rng)
        if newly_arrived and language == "English":
            language = lang_culture.languages.pick(rng)
        if partner is not None:
            language = "English"
        kid.language = language
        if partner is not None:
            kid.ethnicity = _MIXED_ETHNICITY.get(partner, "MOTH") if rng.random() < 0.92 else "NOBT"
        else:
            kid.ethnicity = CULTURES[kid_culture].ethnicity.pick(rng)

    # Contacts, in call order.
    contacts = family.contacts

    def mother(pr: bool = True, lives: bool = True) -> ContactDraft:
        return _contact(rng, mother_forename, mother_surname, "mother", pr=pr, lives=lives)

    def father(pr: bool = True, lives: bool = True) -> ContactDraft:
        return _contact(rng, father_forename, father_surname, "father", pr=pr, lives=lives)

    if kind in ("married", "cohabiting"):
        if rng.random() < 0.85:
            contacts += [mother(), father(pr=kind == "married" or rng.random() < 0.9)]
        else:
            contacts += [father(pr=kind == "married" or rng.random() < 0.9), mother()]
    elif kind == "single_mother":
        contacts.append(mother())
        if rng.random() < 0.45:
            contacts.append(father(pr=rng.random() < 0.8, lives=False))
    elif kind == "single_father":
        contacts.append(father())
        if rng.random() < 0.4:
            contacts.append(mother(pr=True, lives=False))
    elif kind == "step":
        contacts.append(mother())
        contacts.append(
            _contact(
                rng,
                _adult_forename(rng, culture, "M"),
                stepfather_surname,
                "stepfather",
                pr=rng.random() < 0.2,
                lives=True,
            )
        )
        if rng.random() < 0.5:
            contacts.append(father(pr=True, lives=False))
    elif kind == "kinship":
        gran_surname = mother_maiden if rng.random() < 0.5 else father_surname
        contacts.append(
            _contact(
                rng,
                _adult_forename(rng, culture, "F", grand=True),
                gran_surname,
                "grandmother",
                pr=rng.random() < 0.6,
                lives=True,
            )
        )
        if rng.random() < 0.5:
            contacts.append(
                _contact(
                    rng,
                    _adult_forename(rng, culture, "M", grand=True),
                    gran_surname,
                    "grandfather",
                    pr=rng.random() < 0.4,
                    lives=True,
                )
            )
        if rng.random() < 0.5:
            contacts.append(mother(pr=True, lives=False))
    elif kind == "foster":
        carer_surname = _surname(rng, "british")
        contacts.append(
            _contact(rng, _adult_forename(rng, "british", "F"), carer_surname, "foster carer", pr=False, lives=True)
        )
        if rng.random() < 0.6:
            contacts.append(
                _contact(rng, _adult_forename(rng, "british", "M"), carer_surname, "foster carer", pr=False, lives=True)
            )
        if rng.random() < 0.4:
            contacts.append(_contact(rng, mother_forename, kids[0].surname, "mother", pr=True, lives=False))
    else:  # relative
        relation = "aunt" if rng.random() < 0.7 else "uncle"
        contacts.append(
            _contact(
                rng,
                _adult_forename(rng, culture, "F" if relation == "aunt" else "M"),
                mother_maiden if relation == "aunt" else father_surname,
                relation,
                pr=rng.random() < 0.4,
                lives=True,
            )
        )
        if rng.random() < 0.3:
            contacts.append(
                _contact(rng, _adult_forename(rng, culture, "F"), kids[0].surname, "carer", pr=False, lives=True)
            )
    if kind not in ("kinship", "foster") and rng.random() < 0.35:
        relation = "grandmother" if rng.random() < 0.7 else "grandfather"
        contacts.append(
            _contact(
                rng,
                _adult_forename(rng, culture, "F" if relation == "grandmother" else "M", grand=True),
                mother_maiden if rng.random() < 0.5 else father_surname,
                relation,
                pr=False,
                lives=False,
            )
        )
    return family
