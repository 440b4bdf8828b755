"""Name lists, variants and nicknames (reused by the linkage engine)."""

from __future__ import annotations

from cme.synthetic.names import (
    CULTURES,
    NAME_VARIANTS,
    NICKNAMES,
    ascii_fold,
    composed_surname,
    feminine_surname,
    forenames,
)


def test_variants_are_symmetric_and_cover_the_known_traps() -> None:
    for name, others in NAME_VARIANTS.items():
        assert name not in others
        for other in others:
            assert name in NAME_VARIANTS[other]
    assert {"Muhammad", "Mohamed", "Mohammad"} <= set(NAME_VARIANTS["Mohammed"])
    assert {"Katy", "Katie-Mae"} <= set(NAME_VARIANTS["Katie"])
    assert {"Jaden", "Jaiden"} <= set(NAME_VARIANTS["Jayden"])
    assert "Sofia" in NAME_VARIANTS["Sophie"]
    assert "Alexandra" in NAME_VARIANTS["Aleksandra"]


def test_nicknames_map_formal_names_to_short_forms() -> None:
    assert {"Will", "Billy"} <= set(NICKNAMES["William"])
    assert {"Lizzie", "Beth"} <= set(NICKNAMES["Elizabeth"])
    assert "Alex" in NICKNAMES["Alexander"]
    assert "Ollie" in NICKNAMES["Oliver"]
    assert "Tom" in NICKNAMES["Thomas"]
    assert all(isinstance(v, list) and v for v in NICKNAMES.values())


def test_given_names_follow_the_birth_cohort() -> None:
    older = forenames("british", "M", 2009)
    younger = forenames("british", "M", 2022)
    assert older.weight_of("Jack") > younger.weight_of("Jack")
    assert younger.weight_of("Arthur") > 3 * older.weight_of("Arthur")
    assert younger.weight_of("Muhammad") > older.weight_of("Muhammad")


def test_every_culture_has_names_for_both_sexes_and_surnames() -> None:
    for culture in CULTURES.values():
        assert culture.boys and culture.girls and culture.surnames.items, culture.key
        assert all(name.strip() == name and "_" not in name for name, _, _ in culture.boys + culture.girls)
        assert all(" (" not in lang or lang.endswith(")") for lang in culture.languages.items)


def test_helpers() -> None:
    assert ascii_fold("Wiśniewska Łucja Gonçalves") == "Wisniewska Lucja Goncalves"
    assert feminine_surname("Kowalski") == "Kowalska" and feminine_surname("Nowak") == "Nowak"
    assert composed_surname(0, 2) == "Ashley"
