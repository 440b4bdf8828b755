"""Synthetic children and noisy extracts for testing and benchmarking the linkage engine.

This stands in for the project's ``seed_demo`` generator until ``cme.synthetic`` exists; the
benchmark and tests use it so that the engine can be measured on its own. It is built to contain the
cases that break linkage of children (``linkage-notes.md`` §5):

* households: siblings share a surname, postcode and address; some have half-siblings with another
  or a double-barrelled surname;
* twins (about 3 % of children): same surname, date of birth and address, different first names and
  often different sex;
* cousins and namesakes: families that share a surname across households and reuse first names, and
  very common names (Mohammed Ali, Oliver Smith) drawn from a skewed (Zipf-like) distribution;
* each extract's own noise: nicknames and spelling variants, typing errors, middle names in the
  first-name field, surname changes, day/month swaps and other date errors, partial dates, moves,
  partial postcodes, abbreviated addresses, upper-case names, UK date format, missing fields.

All randomness comes from ``random.Random(seed)``: the same arguments give the same frames.
Identifiers are synthetic (UPNs with a real LA code, NHS numbers from the 999 test range).
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from cme.law import nhs_number as law_nhs
from cme.law import upn as law_upn
from cme.matching.linkage.variants import NAME_GROUPS, VARIANT_TO_CANONICAL

__all__ = [
    "Extracts",
    "ExtractStyle",
    "HMRC_STYLE",
    "Person",
    "SCHOOL_ROLL_STYLE",
    "dedupe_extract",
    "linkage_extracts",
    "population",
]

# ----------------------------------------------------------------------------------- name lists
_ENGLISH_BOYS = (
    "Oliver George Noah Arthur Harry Leo Muhammad Jack Charlie Oscar Jacob Henry Thomas Freddie Alfie "
    "Theo William Theodore Archie Joshua Alexander James Isaac Edward Lucas Tommy Finley Max Logan "
    "Ethan Mason Albert Hunter Joseph Sebastian Adam Arlo Reuben Benjamin Elijah Harrison Louis Dylan "
    "Samuel Daniel Jaxon Toby Jude Rory Luca Caleb Hugo Frankie Ezra Riley Ronnie Roman Teddy "
    "Jenson Jayden Elliot Bobby Carter Harvey Ollie Gabriel Zachary Felix Stanley Finn Jesse Kai "
    "Michael Tyler Aiden Connor Kieran Callum Reece Lewis Nathan Ryan Liam Jamie Matthew Owen Ben "
    "Christopher Luke Dominic Patrick Robert Ashton Bradley Cameron Declan Ellis Frederick Grayson"
).split()
_ENGLISH_GIRLS = (
    "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace Daisy "
    "Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Millie Matilda Maya "
    "Sophie Alice Emilia Isabelle Ruby Luna Maisie Aria Penelope Mila Bonnie Eva Hallie Eliza Ada "
    "Violet Esme Arabella Imogen Jessica Delilah Thea Ellie Layla Ivy-Rose Scarlett Chloe Hannah "
    "Lucy Holly Megan Lola Zara Nancy Harriet Lottie Robyn Darcie Erin Summer Heidi Orla Maddison "
    "Abigail Katie Caitlin Niamh Leah Amber Bethany Jasmine Lauren Paige Rebecca Georgia Molly "
    "Elizabeth Catherine Victoria Eleanor Natalie Zoe Anna Sarah Mary Aimee Kayla Tegan Lacey"
).split()
_SOUTH_ASIAN_BOYS = (
    "Muhammad Mohammed Mohammad Ali Ibrahim Yusuf Omar Ahmed Hamza Zakariya Ismail Adam Ayaan Musa "
    "Abdullah Hassan Hussain Bilal Idris Rayyan Zain Arham Haris Aryan Rehan Usman Imran Faisal "
    "Harun Aadam Eesa Yahya Mustafa Sulaiman Arjun Rohan Dev Krish Aarav Vihaan"
).split()
_SOUTH_ASIAN_GIRLS = (
    "Maryam Fatima Aisha Zainab Hafsa Inaaya Khadija Amira Noor Sara Safiya Hawa Zara Aleena Anaya "
    "Mariam Sumaya Eshal Hana Amna Iqra Laiba Sana Alisha Ayesha Zahra Hajra Amaira Aiza Asiya "
    "Priya Anika Diya Saanvi Riya Kavya"
).split()
_EASTERN_BOYS = (
    "Jakub Szymon Antoni Filip Kacper Jan Aleksander Franciszek Mikolaj Wojciech Adam Stanislaw "
    "Mateusz Oskar Piotr Tomasz Lukasz Marcel Dawid Bartosz Andrei Stefan Matei Luca Daniil Artem"
).split()
_EASTERN_GIRLS = (
    "Zuzanna Zofia Hanna Julia Maja Laura Oliwia Alicja Maria Lena Amelia Pola Natalia Wiktoria "
    "Aleksandra Gabriela Emilia Antonina Nikola Ioana Elena Daria Sofiya Anastasia Milena Karolina"
).split()
_AFRICAN_BOYS = (
    "David Daniel Emmanuel Samuel Joshua Michael Jayden Tobi Tobenna Chidi Kwame Kofi Ayo Oluwaseun "
    "Ebuka Femi Tunde Abdi Mohamed Yonas Kelechi Obinna Chinedu Nathaniel Ethan Isaiah"
).split()
_AFRICAN_GIRLS = (
    "Grace Precious Favour Blessing Esther Amara Adaeze Chioma Ife Nia Zuri Abena Ama Ayomide "
    "Deborah Hawa Hodan Ifeoma Kemi Naomi Simi Tolu Zainab Faith Mercy Comfort"
).split()

_ENGLISH_SURNAMES = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson "
    "Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin "
    "Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips "
    "Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey "
    "Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh "
    "Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews "
    "Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray "
    "Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott "
    "Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer "
    "Gill Dawson Ball Burton Obrien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees "
    "Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods "
    "Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy "
    "Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns "
    "Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates "
    "Hodgson Robson Curtis Hopkins Oconnor Harper Coleman Watkins Moss McCarthy Chambers Oneill "
    "Griffin Sharp Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace George Jordan Hutchinson "
    "Rahman Uddin Miah Islam Hardcastle Fairweather Blackwood Ashworth Entwistle Pemberton Thwaite"
).split()
_SOUTH_ASIAN_SURNAMES = (
    "Khan Ali Ahmed Hussain Begum Rahman Akhtar Iqbal Mahmood Shah Malik Hussein Bibi Uddin Miah "
    "Islam Butt Mohammed Rashid Aslam Javed Riaz Hassan Chaudhry Qureshi Sheikh Anwar Bashir Saleem "
    "Patel Singh Kaur Sharma Mistry Gupta Kumar Chauhan Parmar Rana"
).split()
_EASTERN_SURNAMES = (
    "Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski Szymanski Wozniak "
    "Dabrowski Kozlowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Nowakowski Pawlak "
    "Popescu Ionescu Popa Stan Dumitru Petrov Ivanov Horvath Novak Kazlauskas"
).split()
_AFRICAN_SURNAMES = (
    "Okafor Adeyemi Mensah Osei Boateng Okeke Eze Nwosu Adebayo Ogunleye Balogun Mohamed Abdi Ahmed "
    "Hassan Yusuf Tesfaye Kamara Bangura Diallo Asante Owusu Oyelaran Afolabi Chukwu"
).split()

_GROUPS: tuple[tuple[str, float, Sequence[str], Sequence[str], Sequence[str]], ...] = (
    ("english", 0.66, _ENGLISH_BOYS, _ENGLISH_GIRLS, _ENGLISH_SURNAMES),
    ("south_asian", 0.17, _SOUTH_ASIAN_BOYS, _SOUTH_ASIAN_GIRLS, _SOUTH_ASIAN_SURNAMES),
    ("eastern_european", 0.09, _EASTERN_BOYS, _EASTERN_GIRLS, _EASTERN_SURNAMES),
    ("african", 0.08, _AFRICAN_BOYS, _AFRICAN_GIRLS, _AFRICAN_SURNAMES),
)

_STREET_NAMES = (
    "Cowley Iffley Abingdon Banbury Woodstock Botley London Headington Marston Cherwell Church Mill "
    "Station High Park Victoria Albert Queens Kings Windsor Richmond Oak Elm Ash Beech Willow Cedar "
    "Meadow Orchard Manor Grange Vicarage Rectory Farm Bridge Castle Chapel School Green Hill Valley "
    "Lake Brook River Spring Garden Rose Lavender Primrose Bluebell Daisy Holly Ivy Laurel Magnolia "
    "Hawthorn Rowan Sycamore Maple Hazel Chestnut Poplar Birch Alder Juniper Heather Clover Thistle "
    "Kingfisher Heron Swallow Robin Wren Lark Falcon Kestrel Osprey Raven Nightingale Blackbird "
    "Temple Magdalen Divinity Morrell Donnington Rymers Barns Blackbird Littlemore Sandford Kennington "
    "Wolvercote Cutteslowe Summertown Jericho Osney Grandpont Hinksey Wytham Horspath Garsington "
    "Wheatley Cuddesdon Nuneham Kidlington Bicester Didcot Wantage Thame Witney Carterton Burford"
).split()
_STREET_TYPES = (
    ("Road", 0.34), ("Street", 0.12), ("Avenue", 0.08), ("Close", 0.12), ("Drive", 0.08),
    ("Lane", 0.08), ("Crescent", 0.05), ("Way", 0.05), ("Gardens", 0.04), ("Place", 0.04),
)
_ABBREVIATIONS = {
    "Road": "Rd", "Street": "St", "Avenue": "Ave", "Close": "Cl", "Drive": "Dr", "Lane": "Ln",
    "Crescent": "Cres", "Gardens": "Gdns", "Place": "Pl",
}
_DISTRICTS = (
    "OX1 OX2 OX3 OX4 OX5 OX7 OX9 OX10 OX11 OX12 OX13 OX14 OX15 OX16 OX17 OX18 OX20 OX25 OX26 OX27 "
    "OX28 OX29 OX33 OX39 OX44 OX49"
).split()
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_MORE_AREAS = ("RG", "SN", "MK", "HP", "GL", "CV", "NN", "SL", "LS", "BS", "NG", "LE", "DE", "ST", "WS", "WV")
_TOWNS = ("Oxford", "Banbury", "Bicester", "Abingdon", "Didcot", "Witney", "Wantage", "Thame")
_KEYBOARD_NEIGHBOURS = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm",
    "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji",
    "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}
_SYLLABLES = (
    "ash bar ber bolt brad brook burn by cal car chester cot crom dale den don ell ey fair field ford "
    "gar ham hart hay hurst ing kin lan ley ling low mar mer mond more nor ock ridge rod shaw stead "
    "stock ston thorn ton wain ward well wick win worth"
).split()

_FIRST_DOB = dt.date(2008, 9, 1)
_LAST_DOB = dt.date(2020, 8, 31)


def _zipf_weights(count: int, exponent: float) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(count)]


@dataclass(frozen=True)
class Person:
    """One true child."""

    person_id: int
    household_id: int
    first_name: str
    middle_name: str | None
    surname: str
    dob: dt.date
    sex: str
    postcode: str
    address: str
    previous_postcode: str
    previous_address: str
    upn: str
    nhs_number: str | None


@dataclass(frozen=True)
class ExtractStyle:
    """How one source records children, and how noisy it is (each a probability per record)."""

    name: str
    upper_case_names: float = 0.0
    uk_date_format: float = 0.0
    nickname: float = 0.06
    spelling_variant: float = 0.04
    first_name_typo: float = 0.03
    middle_name_in_first: float = 0.02
    middle_name_as_first: float = 0.01
    first_name_missing: float = 0.005
    surname_typo: float = 0.03
    surname_changed: float = 0.01
    surname_hyphen_change: float = 0.3
    names_swapped: float = 0.0
    surname_missing: float = 0.003
    dob_day_month_swap: float = 0.015
    dob_typo: float = 0.015
    dob_year_off: float = 0.005
    dob_partial: float = 0.005
    dob_missing: float = 0.005
    sex_missing: float = 0.02
    sex_wrong: float = 0.003
    previous_address: float = 0.0
    postcode_outward_only: float = 0.0
    postcode_typo: float = 0.01
    postcode_missing: float = 0.01
    address_abbreviated: float = 0.3
    address_with_town: float = 0.2
    address_missing: float = 0.03
    upn: float = 0.0
    nhs_number: float = 0.0


#: A school census / roll extract: clean-ish, known-as names, UPN nearly always.
SCHOOL_ROLL_STYLE = ExtractStyle(name="school_roll", nickname=0.08, spelling_variant=0.02, upn=0.97)

#: An HMRC child benefit extract: legal names, upper case, UK dates, older addresses, no UPN.
HMRC_STYLE = ExtractStyle(
    name="hmrc",
    upper_case_names=0.6,
    uk_date_format=0.7,
    nickname=0.01,
    spelling_variant=0.05,
    first_name_typo=0.04,
    middle_name_in_first=0.08,
    surname_typo=0.04,
    surname_changed=0.015,
    names_swapped=0.005,
    dob_day_month_swap=0.02,
    dob_typo=0.02,
    dob_partial=0.01,
    sex_missing=0.15,
    previous_address=0.12,
    postcode_outward_only=0.05,
    postcode_missing=0.02,
    address_abbreviated=0.5,
    address_missing=0.1,
)


@dataclass(frozen=True)
class Extracts:
    """Two extracts and the true pairs between them (or within one, for dedupe)."""

    left: pd.DataFrame
    right: pd.DataFrame | None
    truth: frozenset[tuple[str, str]]


# ------------------------------------------------------------------------------------ population
class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.groups = [group[0] for group in _GROUPS]
        self.group_weights = [group[1] for group in _GROUPS]
        self.boys = {group[0]: list(group[2]) for group in _GROUPS}
        self.girls = {group[0]: list(group[3]) for group in _GROUPS}
        self.surnames = {group[0]: list(group[4]) for group in _GROUPS}
        self.boy_weights = {key: _zipf_weights(len(value), 0.6) for key, value in self.boys.items()}
        self.girl_weights = {key: _zipf_weights(len(value), 0.6) for key, value in self.girls.items()}
        self.surname_weights = {key: _zipf_weights(len(value), 0.55) for key, value in self.surnames.items()}

    def group(self) -> str:
        return self.rng.choices(self.groups, self.group_weights)[0]

    def first(self, group: str, sex: str, avoid: set[str]) -> str:
        names, weights = (
            (self.boys[group], self.boy_weights[group]) if sex == "M" else (self.girls[group], self.girl_weights[group])
        )
        for _ in range(50):
            name = self.rng.choices(names, weights)[0]
            if _canonical_key(name) not in avoid:
                return name
        return self.rng.choice(names)

    def surname(self, group: str) -> str:
        if group == "english" and self.rng.random() < 0.22:  # the long tail of rare surnames
            parts = self.rng.sample(_SYLLABLES, self.rng.choice((2, 2, 3)))
            return "".join(parts).capitalize()
        return self.rng.choices(self.surnames[group], self.surname_weights[group])[0]


def _canonical_key(name: str) -> str:
    key = "".join(ch for ch in name.lower() if ch.isalpha())
    return VARIANT_TO_CANONICAL.get(key, key)


class _Addresses:
    def __init__(self, rng: random.Random, households: int) -> None:
        self.rng = rng
        count = max(20, households // 4)  # about four families with children per postcode
        districts = _districts_for(count)
        postcodes: set[str] = set()
        while len(postcodes) < count:
            district = rng.choice(districts)
            inward = f"{rng.randrange(10)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
            postcodes.add(f"{district} {inward}")
        self.postcodes = sorted(postcodes)
        types, type_weights = zip(*_STREET_TYPES, strict=True)
        self.streets = {
            pc: f"{rng.choice(_STREET_NAMES)} {rng.choices(types, type_weights)[0]}" for pc in self.postcodes
        }

    def new(self) -> tuple[str, str]:
        postcode = self.rng.choice(self.postcodes)
        number = self.rng.randrange(1, 160)
        address = f"{number} {self.streets[postcode]}"
        if self.rng.random() < 0.12:
            address = f"Flat {self.rng.randrange(1, 30)}, {address}"
        return postcode, address


def _districts_for(postcodes: int) -> list[str]:
    """Oxfordshire's districts, plus other areas' when a national-scale run needs more postcodes."""
    districts = list(_DISTRICTS)
    per_district = 10 * len(_INWARD_LETTERS) ** 2
    for area in _MORE_AREAS:
        if len(districts) * per_district >= 3 * postcodes:
            break
        districts += [f"{area}{number}" for number in range(1, 30)]
    return districts


def _random_dob(rng: random.Random) -> dt.date:
    return _FIRST_DOB + dt.timedelta(days=rng.randrange((_LAST_DOB - _FIRST_DOB).days + 1))


def _sibling_dob(rng: random.Random, older: dt.date) -> dt.date:
    for _ in range(20):
        gap = rng.randrange(300, 365 * 6)
        dob = older + dt.timedelta(days=gap if rng.random() < 0.5 else -gap)
        if _FIRST_DOB <= dob <= _LAST_DOB:
            return dob
    return _random_dob(rng)


def population(n_people: int, *, seed: int = 0, la_code: str = "931", nhs_share: float = 0.6) -> list[Person]:
    """``n_people`` children in households, with twins, half-siblings and cousin families."""
    rng = random.Random(seed)
    names = _Names(rng)
    addresses = _Addresses(rng, households=max(1, int(n_people / 1.9)))
    upns = law_upn.generate(la_code, n_people, seed=seed)
    nhs_count = min(int(n_people * nhs_share), 800_000)
    nhs_numbers = law_nhs.generate(nhs_count, seed=seed)
    people: list[Person] = []
    household_id = 0
    families: list[tuple[str, str, list[str]]] = []  # (group, surname, first names) for cousins
    while len(people) < n_people:
        household_id += 1
        size = rng.choices((1, 2, 3, 4, 5), (0.42, 0.36, 0.15, 0.05, 0.02))[0]
        size = min(size, n_people - len(people))
        if families and rng.random() < 0.06:  # a related household: same surname, reused names
            group, surname, family_names = rng.choice(families)
        else:
            group = names.group()
            surname, family_names = names.surname(group), []
        other_surname = names.surname(group)
        postcode, address = addresses.new()
        twins = size >= 2 and rng.random() < 0.06
        used: set[str] = set()
        dob = _random_dob(rng)
        household_names: list[str] = []
        for index in range(size):
            sex = rng.choice("MF")
            if index > 0 and not (twins and index == 1):
                dob = _sibling_dob(rng, dob)
            reuse = [n for n in family_names if _canonical_key(n) not in used]
            if reuse and rng.random() < 0.5:
                first = rng.choice(reuse)
                sex = "M" if first in names.boys[group] else "F" if first in names.girls[group] else sex
            else:
                first = names.first(group, sex, used)
            used.add(_canonical_key(first))
            household_names.append(first)
            child_surname = surname
            draw = rng.random()
            if draw < 0.08:
                child_surname = other_surname  # half-sibling
            elif draw < 0.12:
                child_surname = f"{surname}-{other_surname}"
            middle = names.first(group, sex, used | {_canonical_key(first)}) if rng.random() < 0.6 else None
            previous_postcode, previous_address = addresses.new()
            person_id = len(people)
            people.append(
                Person(
                    person_id=person_id,
                    household_id=household_id,
                    first_name=first,
                    middle_name=middle,
                    surname=child_surname,
                    dob=dob,
                    sex=sex,
                    postcode=postcode,
                    address=address,
                    previous_postcode=previous_postcode,
                    previous_address=previous_address,
                    upn=upns[person_id],
                    nhs_number=nhs_numbers[person_id] if person_id < nhs_count else None,
                )
            )
        families.append((group, surname, household_names))
    return people


# --------------------------------------------------------------------------------------- noise
_VARIANTS_OF: dict[str, tuple[str, ...]] = {}
for _group in NAME_GROUPS:
    for _name in _group:
        _VARIANTS_OF[_name] = tuple(other for other in _group if other != _name)


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 3:
        return text
    i = rng.choice(letters[1:])  # first letters are rarely mistyped
    op = rng.random()
    ch = text[i].lower()
    if op < 0.3:  # substitution by a keyboard neighbour
        new = rng.choice(_KEYBOARD_NEIGHBOURS.get(ch, string.ascii_lowercase))
        new = new.upper() if text[i].isupper() else new
        return text[:i] + new + text[i + 1 :]
    if op < 0.55:  # deletion
        return text[:i] + text[i + 1 :]
    if op < 0.8:  # doubled letter
        return text[:i] + text[i] + text[i:]
    if i + 1 < len(text):  # transposition
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text


def _variant(rng: random.Random, name: str) -> str:
    key = "".join(ch for ch in name.lower() if ch.isalpha())
    options = _VARIANTS_OF.get(key, ())
    options = tuple(o for o in options if len(o) > 2)
    return rng.choice(options).capitalize() if options else name


def _dob_text(rng: random.Random, dob: dt.date, style: ExtractStyle) -> str | None:
    r = rng.random()
    if r < style.dob_missing:
        return None
    r -= style.dob_missing
    if r < style.dob_partial:
        return f"{dob.year:04d}-{dob.month:02d}"
    r -= style.dob_partial
    year, month, day = dob.year, dob.month, dob.day
    if r < style.dob_day_month_swap and day <= 12 and day != month:
        month, day = day, month
    elif r < style.dob_day_month_swap + style.dob_typo:
        for _ in range(10):
            which = rng.random()
            y, m, d = year, month, day
            if which < 0.6:
                d = int(f"{d:02d}"[0] + str(rng.randrange(10))) if rng.random() < 0.7 else rng.randrange(1, 29)
            elif which < 0.8:
                m = rng.randrange(1, 13)
            else:
                y = year // 10 * 10 + rng.randrange(10)
            try:
                candidate = dt.date(y, m, d)
            except ValueError:
                continue
            if candidate != dob:
                year, month, day = y, m, d
                break
    elif r < style.dob_day_month_swap + style.dob_typo + style.dob_year_off:
        year += rng.choice((-1, 1))
        if month == 2 and day == 29:
            day = 28
    if rng.random() < style.uk_date_format:
        return f"{day:02d}/{month:02d}/{year:04d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _address_text(rng: random.Random, address: str, postcode: str, style: ExtractStyle) -> str | None:
    if rng.random() < style.address_missing:
        return None
    words = address.split(" ")
    if rng.random() < style.address_abbreviated and words[-1] in _ABBREVIATIONS:
        words[-1] = _ABBREVIATIONS[words[-1]]
    text = " ".join(words)
    if text.startswith("Flat ") and rng.random() < 0.3:
        text = text.replace("Flat ", "Apt ", 1)
    if rng.random() < style.address_with_town:
        town = "Oxford" if postcode.startswith(("OX1 ", "OX2 ", "OX3 ", "OX4 ")) else rng.choice(_TOWNS)
        text = f"{text}, {town}"
    return text


def _postcode_text(rng: random.Random, postcode: str, style: ExtractStyle) -> str | None:
    r = rng.random()
    if r < style.postcode_missing:
        return None
    r -= style.postcode_missing
    if r < style.postcode_outward_only:
        return postcode.split(" ")[0]
    r -= style.postcode_outward_only
    if r < style.postcode_typo:
        inward = postcode[-2:]
        return postcode[:-2] + rng.choice(_INWARD_LETTERS) + inward[1]
    return postcode if rng.random() < 0.8 else postcode.replace(" ", "").lower()


def _record(rng: random.Random, person: Person, record_id: str, style: ExtractStyle) -> dict[str, str | None]:
    first: str = person.first_name
    if rng.random() < style.nickname or rng.random() < style.spelling_variant:
        first = _variant(rng, person.first_name)
    if person.middle_name is not None:
        if rng.random() < style.middle_name_as_first:
            first = person.middle_name
        elif rng.random() < style.middle_name_in_first:
            first = f"{first} {person.middle_name}"
    if rng.random() < style.first_name_typo:
        first = _typo(rng, first)
    surname: str = person.surname
    if "-" in person.surname and rng.random() < style.surname_hyphen_change:
        parts = person.surname.split("-")
        surname = rng.choice((parts[0], parts[-1], " ".join(parts)))
    if rng.random() < style.surname_changed:
        surname = rng.choice(_ENGLISH_SURNAMES + _SOUTH_ASIAN_SURNAMES)
    if rng.random() < style.surname_typo:
        surname = _typo(rng, surname)
    if rng.random() < style.names_swapped:
        first, surname = surname, first
    if rng.random() < style.upper_case_names:
        first, surname = first.upper(), surname.upper()
    first_out: str | None = None if rng.random() < style.first_name_missing else first
    surname_out: str | None = None if rng.random() < style.surname_missing else surname
    sex: str | None = person.sex
    if rng.random() < style.sex_missing:
        sex = None
    elif rng.random() < style.sex_wrong:
        sex = "F" if person.sex == "M" else "M"
    moved = rng.random() < style.previous_address
    postcode = person.previous_postcode if moved else person.postcode
    address = person.previous_address if moved else person.address
    return {
        "id": record_id,
        "first_name": first_out,
        "last_name": surname_out,
        "dob": _dob_text(rng, person.dob, style),
        "sex": sex,
        "postcode": _postcode_text(rng, postcode, style),
        "address": _address_text(rng, address, postcode, style),
        "upn": person.upn if rng.random() < style.upn else None,
        "nhs_number": person.nhs_number if person.nhs_number and rng.random() < style.nhs_number else None,
    }


def _frame(records: list[dict[str, str | None]]) -> pd.DataFrame:
    columns = ("id", "first_name", "last_name", "dob", "sex", "postcode", "address", "upn", "nhs_number")
    return pd.DataFrame({c: pd.Series([r[c] for r in records], dtype=object) for c in columns})


def linkage_extracts(
    n: int,
    *,
    seed: int = 0,
    overlap: float = 0.85,
    left_style: ExtractStyle = SCHOOL_ROLL_STYLE,
    right_style: ExtractStyle = HMRC_STYLE,
) -> Extracts:
    """Two extracts of ``n`` records each; ``overlap`` of the left children are also on the right.

    Records are shuffled; ids are ``L0000001`` / ``R0000001``. ``truth`` holds (left_id, right_id).
    """
    rng = random.Random(seed + 1)
    people = population(int(n * (2 - overlap)) + 1, seed=seed)
    rng.shuffle(people)
    left_people = people[:n]
    shared = left_people[: int(n * overlap)]
    right_people = shared + people[n : n + (n - len(shared))]
    rng.shuffle(right_people)
    left_records = [_record(rng, p, f"L{i:07d}", left_style) for i, p in enumerate(left_people)]
    right_records = [_record(rng, p, f"R{i:07d}", right_style) for i, p in enumerate(right_people)]
    left_ids = {p.person_id: r["id"] for p, r in zip(left_people, left_records, strict=True)}
    truth = frozenset(
        (str(left_ids[p.person_id]), str(r["id"]))
        for p, r in zip(right_people, right_records, strict=True)
        if p.person_id in left_ids
    )
    return Extracts(left=_frame(left_records), right=_frame(right_records), truth=truth)


def dedupe_extract(n: int, *, seed: int = 0, duplicate_share: float = 0.3) -> Extracts:
    """One file of about ``n`` records where ``duplicate_share`` of children appear two or three times.

    The copies are written in the school-roll and HMRC styles, as when several returns are pooled.
    """
    rng = random.Random(seed + 2)
    people_count = max(1, int(n / (1 + duplicate_share * 1.2)))
    people = population(people_count, seed=seed)
    records: list[dict[str, str | None]] = []
    owners: list[int] = []
    styles = (SCHOOL_ROLL_STYLE, HMRC_STYLE)
    for person in people:
        copies = 1
        if rng.random() < duplicate_share:
            copies = 3 if rng.random() < 0.2 else 2
        for copy in range(copies):
            style = styles[(copy + person.person_id) % 2]
            records.append(_record(rng, person, "", replace(style, upn=style.upn * 0.5)))
            owners.append(person.person_id)
    order = list(range(len(records)))
    rng.shuffle(order)
    frame_records: list[dict[str, str | None]] = []
    by_person: dict[int, list[str]] = {}
    for new_index, old_index in enumerate(order):
        record = dict(records[old_index])
        record["id"] = f"D{new_index:07d}"
        frame_records.append(record)
        by_person.setdefault(owners[old_index], []).append(str(record["id"]))
    truth = frozenset(
        (min(a, b), max(a, b)) for ids in by_person.values() for i, a in enumerate(ids) for b in ids[i + 1 :]
    )
    return Extracts(left=_frame(frame_records), right=None, truth=truth)
