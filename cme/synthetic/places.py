"""Synthetic geography: towns, localities, streets and postcodes for an Oxfordshire-like county.

Town names and postcode districts are real (public facts); streets, house numbers and postcode
units are generated, so an address may not exist. Every postcode passes ``cme.law.postcode``.
Postcodes are shared by neighbours (about six families a unit), as in real life, so a postcode does
not identify a household. The neighbouring and far-away LAs use real LA codes (formats.md §5).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

from cme.law import postcode as law_postcode
from cme.synthetic.rand import Weighted

__all__ = [
    "ABROAD",
    "FAR_LAS",
    "NEIGHBOUR_LAS",
    "TOWNS",
    "AddressBook",
    "Location",
    "OtherLA",
    "Town",
    "abroad_address",
]

#: Letters allowed in the inward unit (formats.md §5 strict pattern: no C, I, K, M, O, V).
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True, slots=True)
class Town:
    """A post town in the council's area.

    ``hub`` is the town whose secondary schools serve it (itself if empty); ``border_la`` is a
    neighbouring LA whose schools some families use; ``military`` marks towns beside a base.
    """

    name: str
    districts: tuple[str, ...]
    weight: float
    localities: tuple[str, ...]
    hub: str = ""
    border_la: str = ""
    military: bool = False
    affluent: float = 1.0

    @property
    def secondary_town(self) -> str:
        return self.hub or self.name


TOWNS: Final[tuple[Town, ...]] = (
    Town(
        "Oxford",
        ("OX1", "OX2", "OX3", "OX4"),
        26.0,
        (
            "Headington",
            "Cowley",
            "Blackbird Leys",
            "Jericho",
            "Summertown",
            "Marston",
            "Botley",
            "Littlemore",
            "Rose Hill",
            "Iffley",
            "Wolvercote",
            "Barton",
            "Risinghurst",
            "Osney",
            "Grandpont",
            "Wood Farm",
            "Northway",
            "Temple Cowley",
            "Florence Park",
            "New Marston",
            "Greater Leys",
            "Cutteslowe",
        ),
        affluent=1.6,
    ),
    Town(
        "Banbury",
        ("OX15", "OX16", "OX17"),
        10.0,
        (
            "Grimsbury",
            "Bodicote",
            "Bloxham",
            "Adderbury",
            "Hanwell",
            "Cropredy",
            "Deddington",
            "Hook Norton",
            "Easington",
            "Ruscote",
            "Neithrop",
            "Hardwick",
            "Wroxton",
            "Sibford Gower",
        ),
        border_la="941",
    ),
    Town(
        "Bicester",
        ("OX25", "OX26", "OX27"),
        8.0,
        (
            "Launton",
            "Ambrosden",
            "Kingsmere",
            "Chesterton",
            "Langford Village",
            "Arncott",
            "Caversfield",
            "Fringford",
            "Upper Heyford",
            "Kirtlington",
            "Islip",
        ),
        border_la="825",
    ),
    Town(
        "Abingdon",
        ("OX13", "OX14"),
        7.5,
        (
            "Radley",
            "Drayton",
            "Sutton Courtenay",
            "Marcham",
            "Kennington",
            "Steventon",
            "Cumnor",
            "Appleton",
            "Wootton",
            "Shippon",
            "Culham",
            "Caldecott",
        ),
        affluent=1.4,
    ),
    Town(
        "Didcot",
        ("OX11",),
        7.0,
        ("Great Western Park", "Harwell", "Blewbury", "Ladygrove", "East Hagbourne", "Chilton", "Long Wittenham"),
    ),
    Town(
        "Witney",
        ("OX28", "OX29"),
        7.0,
        (
            "Ducklington",
            "Eynsham",
            "Cogges",
            "Madley Park",
            "Hailey",
            "Standlake",
            "Stanton Harcourt",
            "Long Hanborough",
            "Freeland",
            "North Leigh",
            "Minster Lovell",
        ),
    ),
    Town("Wantage", ("OX12",), 4.0, ("Grove", "Letcombe Regis", "East Hendred", "Childrey", "Charney Bassett")),
    Town("Kidlington", ("OX5",), 3.0, ("Gosford", "Yarnton", "Begbroke", "Bletchingdon")),
    Town(
        "Carterton",
        ("OX18",),
        3.0,
        ("Brize Norton", "Bampton", "Burford", "Alvescot", "Black Bourton", "Shilton"),
        border_la="916",
        military=True,
    ),
    Town("Thame", ("OX9",), 2.5, ("Tetsworth", "Towersey", "Great Haseley", "Sydenham"), border_la="825"),
    Town(
        "Henley-on-Thames",
        ("RG9",),
        2.5,
        ("Shiplake", "Harpsden", "Nettlebed", "Rotherfield Greys", "Binfield Heath"),
        border_la="870",
        affluent=2.5,
    ),
    Town(
        "Wallingford",
        ("OX10",),
        2.5,
        (
            "Cholsey",
            "Crowmarsh Gifford",
            "Benson",
            "Brightwell-cum-Sotwell",
            "Berinsfield",
            "Dorchester-on-Thames",
            "Warborough",
            "Shillingford",
        ),
        military=True,
    ),
    Town(
        "Chipping Norton",
        ("OX7",),
        2.0,
        ("Charlbury", "Enstone", "Kingham", "Great Tew", "Milton-under-Wychwood", "Shipton-under-Wychwood"),
        border_la="937",
    ),
    Town(
        "Faringdon",
        ("SN7",),
        1.5,
        ("Stanford in the Vale", "Buckland", "Great Coxwell", "Uffington", "Longcot"),
        border_la="866",
    ),
    Town(
        "Shrivenham",
        ("SN6",),
        0.6,
        ("Watchfield", "Ashbury", "Bourton"),
        hub="Faringdon",
        border_la="866",
        military=True,
    ),
    Town("Woodstock", ("OX20",), 1.0, ("Bladon", "Wootton", "Tackley", "Combe"), affluent=1.5),
    Town("Wheatley", ("OX33",), 1.0, ("Holton", "Horspath", "Garsington", "Stanton St John", "Forest Hill")),
    Town("Chinnor", ("OX39",), 0.8, ("Crowell", "Emmington", "Kingston Blount"), hub="Thame", border_la="825"),
    Town("Watlington", ("OX49",), 0.5, ("Pyrton", "Britwell Salome", "Cuxham")),
    Town(
        "Goring",
        ("RG8",),
        0.8,
        ("Woodcote", "Goring Heath", "Whitchurch-on-Thames", "South Stoke", "Checkendon"),
        border_la="869",
        affluent=2.0,
    ),
    Town(
        "Sonning Common",
        ("RG4",),
        0.7,
        ("Kidmore End", "Rotherfield Peppard"),
        hub="Henley-on-Thames",
        border_la="870",
        affluent=1.8,
    ),
    Town(
        "Chalgrove", ("OX44",), 0.5, ("Stadhampton", "Chislehampton", "Little Milton", "Great Milton"), hub="Watlington"
    ),
)


@dataclass(frozen=True, slots=True)
class OtherLA:
    """Another English LA: where families move to, and where some cross-border schools are."""

    code: str
    name: str
    towns: tuple[tuple[str, tuple[str, ...]], ...]


NEIGHBOUR_LAS: Final[tuple[OtherLA, ...]] = (
    OtherLA(
        "825",
        "Buckinghamshire",
        (
            ("Aylesbury", ("HP19", "HP20", "HP21")),
            ("Buckingham", ("MK18",)),
            ("High Wycombe", ("HP11", "HP12", "HP13")),
            ("Princes Risborough", ("HP27",)),
        ),
    ),
    OtherLA(
        "916",
        "Gloucestershire",
        (("Cirencester", ("GL7",)), ("Moreton-in-Marsh", ("GL56",)), ("Cheltenham", ("GL50", "GL51", "GL52", "GL53"))),
    ),
    OtherLA(
        "869", "West Berkshire", (("Newbury", ("RG14",)), ("Thatcham", ("RG18", "RG19")), ("Hungerford", ("RG17",)))
    ),
    OtherLA("870", "Reading", (("Reading", ("RG1", "RG2", "RG30", "RG31")),)),
    OtherLA("867", "Bracknell Forest", (("Bracknell", ("RG12", "RG42")),)),
    OtherLA("866", "Swindon", (("Swindon", ("SN1", "SN2", "SN3", "SN5", "SN25")), ("Highworth", ("SN6",)))),
    OtherLA("865", "Wiltshire", (("Marlborough", ("SN8",)), ("Chippenham", ("SN14", "SN15")))),
    OtherLA("937", "Warwickshire", (("Shipston-on-Stour", ("CV36",)), ("Stratford-upon-Avon", ("CV37",)))),
    OtherLA(
        "941",
        "West Northamptonshire",
        (("Brackley", ("NN13",)), ("Towcester", ("NN12",)), ("Northampton", ("NN1", "NN2", "NN3", "NN5"))),
    ),
    OtherLA("826", "Milton Keynes", (("Milton Keynes", ("MK1", "MK3", "MK5", "MK10")),)),
)

FAR_LAS: Final[tuple[OtherLA, ...]] = (
    OtherLA("330", "Birmingham", (("Birmingham", ("B10", "B11", "B12", "B23")),)),
    OtherLA("209", "Lewisham", (("London", ("SE4", "SE6", "SE13")),)),
    OtherLA("304", "Brent", (("London", ("NW10", "HA9", "NW2")),)),
    OtherLA("352", "Manchester", (("Manchester", ("M8", "M13", "M14")),)),
    OtherLA("380", "Bradford", (("Bradford", ("BD3", "BD7", "BD8")),)),
    OtherLA("850", "Hampshire", (("Basingstoke", ("RG21", "RG22", "RG24")),)),
    OtherLA("873", "Cambridgeshire", (("Cambridge", ("CB1", "CB4")),)),
    OtherLA("886", "Kent", (("Maidstone", ("ME14", "ME15")),)),
    OtherLA("881", "Essex", (("Chelmsford", ("CM1", "CM2")),)),
    OtherLA("856", "Leicester", (("Leicester", ("LE2", "LE4", "LE5")),)),
)

#: Countries families come from or move to, with cities and a street pattern ({n} = house number).
ABROAD: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "Poland": (("Warszawa", "Kraków", "Wrocław", "Gdańsk", "Poznań"), "ul. Polna {n}"),
    "Romania": (("București", "Cluj-Napoca", "Iași", "Timișoara"), "Strada Florilor {n}"),
    "Portugal": (("Lisboa", "Porto", "Braga"), "Rua das Flores {n}"),
    "Brazil": (("São Paulo", "Belo Horizonte"), "Rua Principal {n}"),
    "Pakistan": (("Lahore", "Mirpur", "Islamabad", "Rawalpindi"), "House {n}, Street 7"),
    "Bangladesh": (("Sylhet", "Dhaka"), "House {n}, Road 4"),
    "India": (("Mumbai", "Delhi", "Chennai", "Ahmedabad", "Jalandhar"), "{n} MG Road"),
    "Nigeria": (("Lagos", "Abuja", "Ibadan"), "{n} Allen Avenue"),
    "Ghana": (("Accra", "Kumasi"), "{n} Ring Road"),
    "Ukraine": (("Kyiv", "Kharkiv", "Lviv", "Odesa", "Dnipro"), "vul. Shevchenka {n}"),
    "Afghanistan": (("Kabul", "Herat", "Mazar-i-Sharif"), "House {n}, Karte Se"),
    "China": (("Shanghai", "Beijing", "Guangzhou"), "{n} Nanjing Road"),
    "Hong Kong": (("Kowloon", "Sha Tin", "Tsuen Wan"), "Flat {n}, Block B"),
    "Syria": (("Aleppo", "Damascus", "Homs"), "{n} Baghdad Street"),
    "Iraq": (("Baghdad", "Erbil"), "House {n}, Mahalla 3"),
    "Sudan": (("Khartoum", "Omdurman"), "House {n}, Block 9"),
    "Egypt": (("Cairo", "Alexandria"), "{n} Tahrir Street"),
    "Yemen": (("Sana'a", "Aden"), "House {n}"),
    "Libya": (("Tripoli", "Benghazi"), "House {n}"),
    "Eritrea": (("Asmara",), "{n} Harnet Avenue"),
    "Ethiopia": (("Addis Ababa",), "House {n}, Bole"),
    "Somalia": (("Mogadishu", "Hargeisa"), "House {n}"),
    "Ireland": (("Dublin", "Cork", "Galway"), "{n} Main Street"),
    "Italy": (("Milano", "Roma", "Napoli"), "Via Roma {n}"),
    "Spain": (("Madrid", "Málaga", "Valencia"), "Calle Mayor {n}"),
    "Lithuania": (("Vilnius", "Kaunas"), "Gedimino pr. {n}"),
    "Bulgaria": (("Sofia", "Plovdiv"), "ul. Vasil Levski {n}"),
    "Hungary": (("Budapest", "Debrecen"), "Fő utca {n}"),
    "Germany": (("Berlin", "München"), "Hauptstraße {n}"),
    "France": (("Paris", "Lyon"), "{n} rue de la République"),
    "Jamaica": (("Kingston", "Montego Bay"), "{n} Hope Road"),
    "Trinidad and Tobago": (("Port of Spain",), "{n} Frederick Street"),
    "Australia": (("Sydney", "Melbourne", "Perth"), "{n} George Street"),
    "United States": (("Boston", "New York", "Chicago"), "{n} Main Street"),
    "United Arab Emirates": (("Dubai", "Abu Dhabi"), "Villa {n}, Al Barsha"),
}

_STREET_BASES = (
    "Church Mill Station High Park Victoria Queen's King's Manor Orchard Meadow Chapel School Green Bridge "
    "Castle Abbey Windmill Beech Oak Ash Elm Willow Cherry Rowan Hawthorn Holly Laurel Maple Chestnut Sycamore "
    "Cedar Poplar Hazel Birch Larch Linden Juniper Blenheim Cherwell Isis Evenlode Windrush Thames Ock Glyme "
    "Cotswold Chiltern Ridgeway Marlborough Wellington Nelson Churchill Howard Cromwell Tennyson Shelley Keats "
    "Wordsworth Milton Chaucer Spenser Austen Morris Nuffield Radcliffe Bodley Wolsey Cranmer Latimer Ridley "
    "Addison Tolkien Carroll Bishop Abbot Priory Dean Vicarage Rectory Glebe Grange Farm Field Furlong Acre "
    "Headland Hill Valley Brook Spring Well Pond Mead Moor Heath Common Wood Copse Spinney Coppice Lark Wren "
    "Kestrel Heron Kingfisher Swallow Martin Robin Falcon Plover Curlew Bluebell Primrose Cowslip Foxglove "
    "Lavender Clover Heather Ivy Thistle Bramble Barley Wheatsheaf Harvest Pound Cross Market Sheep Cow Barn "
    "Stable Forge Tannery Brewery Malthouse Wharf Canal Lock Ferry Ford Weir Marsh Fen Dene Combe Knoll Ridge "
    "Summit Sunningwell Banbury Abingdon London Woodstock Witney Oxford Thame Wantage Botley Cumnor Headington "
    "Iffley Cowley Marston Hinksey Osney Kennington Bagley Shotover Wytham Boars Harcourt Beaumont Stratfield "
    "Fettiplace Dashwood Lenthall Stonor Harcourt Pusey Spencer Annesley Wykeham Bathurst Sandford Littlemore "
    "Rosemary Saffron Hop Vine Apple Pear Plum Quince Medlar Walnut Hornbeam Alder Aspen Osier Reed Rush Sedge"
).split()
_STREET_SUFFIXES = Weighted(
    [
        ("Road", 20),
        ("Street", 8),
        ("Lane", 12),
        ("Close", 14),
        ("Way", 8),
        ("Avenue", 6),
        ("Drive", 7),
        ("Gardens", 5),
        ("Crescent", 4),
        ("Court", 3),
        ("Place", 3),
        ("Walk", 2),
        ("Rise", 2),
        ("View", 2),
        ("Mews", 1.5),
        ("Grove", 2),
        ("Row", 1),
        ("Terrace", 1.5),
        ("Square", 0.5),
        ("End", 0.5),
    ]
)
_HOUSE_NAMES = (
    "Rose Cottage",
    "The Old School House",
    "Orchard House",
    "Ivy Cottage",
    "The Laurels",
    "Meadow View",
    "Willow Cottage",
    "The Barn",
    "Church Cottage",
    "Stable Cottage",
    "The Old Forge",
    "Honeysuckle Cottage",
    "Hillside",
    "The Granary",
    "Brook House",
    "The Coach House",
)
_SITE_NAMES = ("Redbridge Hollow", "Cuckoo Lane", "Newlands Drive", "Ewelme Park", "Bletchingdon Road")


@dataclass(frozen=True, slots=True)
class Location:
    """An address in England (or, with ``postcode``/``la_code`` None, abroad)."""

    address_line1: str
    address_line2: str
    town: str
    postcode: str | None
    la_code: str | None
    country: str = "England"


@dataclass(slots=True)
class _Street:
    name: str
    locality: str
    postcode: str
    left_on_postcode: int
    next_number: int


@dataclass(slots=True)
class _Area:
    """Streets and postcode units of one town (in-area or another LA's)."""

    town: str
    la_code: str
    districts: tuple[str, ...]
    localities: tuple[str, ...]
    streets: list[_Street] = field(default_factory=list)
    street_names: set[tuple[str, str]] = field(default_factory=set)


class AddressBook:
    """Makes addresses; keeps postcode units unique across the whole run."""

    def __init__(
        self,
        rng: random.Random,
        *,
        la_code: str,
        households_per_street: float = 28.0,
        households_per_postcode: float = 6.0,
    ) -> None:
        self._rng = rng
        self.la_code = la_code
        self._per_street = households_per_street
        self._per_postcode = households_per_postcode
        self._used_postcodes: set[str] = set()
        self._areas: dict[tuple[str, str], _Area] = {}
        self._sites: dict[str, Location] = {}
        for town in TOWNS:
            self._areas[(town.name, la_code)] = _Area(town.name, la_code, town.districts, town.localities)
        for la in NEIGHBOUR_LAS + FAR_LAS:
            for name, districts in la.towns:
                self._areas[(name, la.code)] = _Area(name, la.code, districts, ())

    # ------------------------------------------------------------------------------------------
    def new_postcode(self, districts: tuple[str, ...]) -> str:
        """A postcode unit not handed out before (falls back to reuse if a district is full)."""
        rng = self._rng
        for _ in range(40):
            district = districts[int(rng.random() * len(districts))]
            unit = (
                f"{district} {int(rng.random() * 10)}"
                f"{_UNIT_LETTERS[int(rng.random() * 20)]}{_UNIT_LETTERS[int(rng.random() * 20)]}"
            )
            if unit not in self._used_postcodes:
                self._used_postcodes.add(unit)
                return unit
        return unit

    def _street_name(self, area: _Area, locality: str) -> str:
        rng = self._rng
        for attempt in range(30):
            base = _STREET_BASES[int(rng.random() * len(_STREET_BASES))]
            suffix = _STREET_SUFFIXES.pick(rng)
            name = f"{base} {suffix}"
            if attempt > 20 and locality == "":
                name = f"{base} {suffix} {'North' if rng.random() < 0.5 else 'South'}"
            if (name, locality) not in area.street_names:
                area.street_names.add((name, locality))
                return name
        return name

    def _new_street(self, area: _Area) -> _Street:
        rng = self._rng
        locality = ""
        if area.localities and rng.random() < 0.55:
            locality = area.localities[int(rng.random() * len(area.localities))]
        name = self._street_name(area, locality)
        street = _Street(
            name=name,
            locality=locality,
            postcode=self.new_postcode(area.districts),
            left_on_postcode=1 + int(rng.random() * 2 * self._per_postcode),
            next_number=1 + int(rng.random() * 3),
        )
        area.streets.append(street)
        return street

    def address(self, town: str, la_code: str | None = None) -> Location:
        """A new household address in ``town`` (of the council, or of another LA ``la_code``)."""
        rng = self._rng
        area = self._areas[(town, la_code or self.la_code)]
        if not area.streets or rng.random() < 1.0 / self._per_street:
            street = self._new_street(area)
        else:
            street = area.streets[int(rng.random() * len(area.streets))]
        if street.left_on_postcode <= 0:
            street.postcode = self.new_postcode(area.districts)
            street.left_on_postcode = 1 + int(rng.random() * 2 * self._per_postcode)
        street.left_on_postcode -= 1
        number = street.next_number
        street.next_number += 1 + (rng.random() < 0.7)
        roll = rng.random()
        if roll < 0.11:
            line1 = f"Flat {1 + int(rng.random() * 12)}, {number} {street.name}"
        elif roll < 0.14:
            line1 = f"{_HOUSE_NAMES[int(rng.random() * len(_HOUSE_NAMES))]}, {street.name}"
        else:
            line1 = f"{number} {street.name}"
        return Location(line1, street.locality, town, street.postcode, area.la_code)

    def traveller_site(self, town: str) -> Location:
        """A pitch on a Traveller site near ``town`` (sites share one postcode)."""
        site = self._sites.get(town)
        if site is None:
            area = self._areas[(town, self.la_code)]
            name = _SITE_NAMES[len(self._sites) % len(_SITE_NAMES)]
            site = Location(name, "", town, self.new_postcode(area.districts), self.la_code)
            self._sites[town] = site
        pitch = 1 + int(self._rng.random() * 24)
        return Location(f"Plot {pitch}, {site.address_line1}", "", town, site.postcode, self.la_code)

    def school_postcode(self, town: str, la_code: str | None = None) -> str:
        area = self._areas[(town, la_code or self.la_code)]
        return self.new_postcode(area.districts)


def abroad_address(rng: random.Random, country: str) -> Location:
    """An address in ``country`` (no UK postcode, no LA)."""
    cities, pattern = ABROAD.get(country, (("Capital",), "{n} Main Street"))
    city = cities[int(rng.random() * len(cities))]
    return Location(pattern.format(n=1 + int(rng.random() * 120)), "", city, None, None, country)


def check_postcode(pc: str) -> str:
    """Normalise a generated postcode through ``cme.law.postcode`` (raises if the generator is wrong)."""
    normal = law_postcode.normalise(pc)
    if normal is None:
        raise ValueError(f"generated postcode {pc!r} is not valid")
    return normal
