from __future__ import annotations

from cme.matching.linkage.variants import NAME_GROUPS, VARIANT_TO_CANONICAL, canonical_of


def test_the_issue_names_share_a_canonical_form() -> None:
    groups = [
        ("mohammed", "muhammad", "mohamed", "mohammad", "muhammed"),
        ("katie", "katy", "kate", "catherine", "katherine"),
        ("jayden", "jaden", "jaiden"),
        ("sophia", "sofia"),
        ("aleksandra", "alexandra"),
        ("william", "will", "billy"),
        ("elizabeth", "lizzie", "beth", "eliza"),
        ("alexander", "alex"),
        ("oliver", "ollie"),
        ("thomas", "tom", "tommy"),
    ]
    for group in groups:
        assert len({canonical_of(name) for name in group}) == 1, group


def test_the_table_is_large_and_canonical_forms_are_fixed_points() -> None:
    assert len(NAME_GROUPS) >= 140
    assert sum(len(group) for group in NAME_GROUPS) >= 500
    for canonical in set(VARIANT_TO_CANONICAL.values()):
        assert canonical_of(canonical) == canonical


def test_distinct_names_stay_distinct() -> None:
    # siblings are given these pairs; a shared canonical form would hide the difference
    for a, b in [("samuel", "samantha"), ("oliver", "olivia"), ("harry", "harriet"), ("leo", "leon"),
                 ("hannah", "anna"), ("isabella", "isabel"), ("daniel", "danielle")]:
        assert canonical_of(a) != canonical_of(b), (a, b)


def test_unknown_names_are_their_own_canonical_form() -> None:
    assert canonical_of("xanthe") == "xanthe"
