"""Realistic errors in partner data: typos, nicknames, spelling variants, swapped day and month,
old surnames and addresses, missing fields, transposed names, half-dropped double surnames.

Each kind has a rate in ``NoiseRates``; the rates that apply to a source are its defaults in
``cme.synthetic.extracts.DEFAULT_RATES`` unless the caller passes others. A rate is the chance that the
noise is applied to a record *that can carry it* (a day-month swap needs a day of 12 or less that differs
from the month; an old address needs a previous address; a nickname needs a known one).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

from cme.synthetic.names import NAME_VARIANTS, NICKNAMES

__all__ = ["NOISE_KINDS", "NoiseRates", "can_swap_day_month", "swap_day_month", "typo"]

#: Tags recorded in ``ExtractRecord.noise``.
NOISE_KINDS = (
    "typo",
    "nickname",
    "variant",
    "dob_swap",
    "dob_missing",
    "former_surname",
    "surname_change",
    "old_address",
    "postcode_missing",
    "sex_missing",
    "middle_missing",
    "transposed",
    "hyphen_drop",
    "accents_dropped",
    "duplicate",
)


@dataclass(frozen=True, slots=True)
class NoiseRates:
    """Chance of each kind of noise, per record that can carry it."""

    typo: float = 0.02
    nickname: float = 0.05
    variant: float = 0.03
    dob_swap: float = 0.01
    dob_missing: float = 0.003
    former_surname: float = 0.5
    surname_change: float = 0.005
    old_address: float = 0.05
    postcode_missing: float = 0.02
    sex_missing: float = 0.01
    middle_missing: float = 0.3
    transposed: float = 0.005
    hyphen_drop: float = 0.35
    accents_dropped: float = 1.0
    duplicate: float = 0.003

    def with_(self, **changes: float) -> NoiseRates:
        """A copy with some rates changed."""
        return replace(self, **changes)


_KEYBOARD = {
    "a": "qwsz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
}


def typo(rng: random.Random, text: str) -> str:
    """One character edit (substitute a neighbouring key, delete, double a letter, swap two neighbours)."""
    if len(text) < 2:
        return text + "e"
    for _ in range(10):
        i = 1 + int(rng.random() * (len(text) - 1))  # keep the first letter: most typos are later
        roll = rng.random()
        ch = text[i]
        if roll < 0.4 and ch.lower() in _KEYBOARD:
            near = _KEYBOARD[ch.lower()]
            new = near[int(rng.random() * len(near))]
            out = text[:i] + (new.upper() if ch.isupper() else new) + text[i + 1 :]
        elif roll < 0.65:
            out = text[:i] + text[i + 1 :]
        elif roll < 0.8:
            out = text[:i] + ch + text[i:]
        elif i < len(text) - 1:
            out = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        else:
            out = text[: i - 1] + text[i] + text[i - 1]
        if out != text and out.strip():
            return out
    return text + "e"


def can_swap_day_month(d: dt.date) -> bool:
    """A day-month swap gives a different valid date only when the day is 12 or less and not the month."""
    return d.day <= 12 and d.day != d.month


def swap_day_month(d: dt.date) -> dt.date:
    return dt.date(d.year, d.day, d.month)


def nickname_for(rng: random.Random, legal: str, preferred: str | None) -> str | None:
    """The name someone might give instead of the legal one (a known preferred name first)."""
    if preferred and preferred != legal:
        return preferred
    options = NICKNAMES.get(legal)
    return options[int(rng.random() * len(options))] if options else None


def variant_for(rng: random.Random, name: str) -> str | None:
    options = [v for v in NAME_VARIANTS.get(name, []) if " " not in v]
    return options[int(rng.random() * len(options))] if options else None
