"""Names for an English county's children in 2026: weighted, by culture, sex and birth cohort.

The lists are written for this project (synthetic data, no real people): common given names and
surnames in England with rough relative frequencies. White British given names change by cohort:
each entry carries two weights, for children born around 2008 and around 2023, blended by birth year.
Other communities' lists carry one weight.

``NAME_VARIANTS`` (spellings and transliterations of one name) and ``NICKNAMES`` (formal name to the
short forms people use) are public so the linkage engine can reuse them; both are plain dicts of
lists. ``NAME_VARIANTS`` is symmetric: every member of a group maps to the others.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from cme.synthetic.rand import Weighted

__all__ = [
    "ADULT_FORENAMES",
    "CULTURES",
    "MIGRANT_CULTURES",
    "NAME_VARIANTS",
    "NICKNAMES",
    "SETTLED_CULTURES",
    "Culture",
    "ascii_fold",
    "british_middle_names",
    "composed_surname",
    "english_names",
    "feminine_surname",
    "forenames",
    "nickname_of",
    "variants_of",
]

Entry = tuple[str, float, float]


def _entries(text: str) -> tuple[Entry, ...]:
    """Parse "Name=old/new" or "Name=w" tokens ("_" stands for a space)."""
    out: list[Entry] = []
    for token in text.split():
        name, _, weights = token.partition("=")
        name = name.replace("_", " ")
        if not weights:
            out.append((name, 1.0, 1.0))
        elif "/" in weights:
            old, new = weights.split("/")
            out.append((name, float(old), float(new)))
        else:
            out.append((name, float(weights), float(weights)))
    return tuple(out)


def _weighted(text: str) -> Weighted[str]:
    return Weighted((name, old) for name, old, _ in _entries(text))


# --------------------------------------------------------------------------------------------------
# White British (and the base pool for mixed-heritage and Irish/Caribbean families)
# Weights: born about 2008 / born about 2023 (relative, per mille of births).
# --------------------------------------------------------------------------------------------------

_BRITISH_BOYS = """
Jack=22/7 Oliver=18/13 Thomas=16/7 Harry=17/8 Joshua=16/3 Alfie=13/8 Charlie=13/8 Daniel=12/3 James=12/5
William=11/5 Samuel=10/4 George=8/12 Joseph=9/4 Lewis=10/1 Ethan=10/4 Max=9/5 Dylan=9/3 Benjamin=8/4
Alexander=8/4 Jacob=9/6 Ryan=8/1 Liam=7/1 Jake=7/1 Matthew=8/2 Luke=7/1 Callum=7/1 Calum=0.6/0.1 Adam=6/2
Nathan=6/1 Cameron=6/1 Tyler=6/1 Connor=6/1 Conor=1/0.2 Kyle=3/0.2 Henry=4/9 Archie=5/8 Edward=4/4 Leo=3/12
Finley=6/7 Louis=4/4 Louie=3/4 Harvey=7/3 Bradley=4/0.5 Kieran=3/0.3 Ciaran=0.5/0.1 Aaron=4/1 Toby=5/3
Jayden=5/1 Jaden=1/0.2 Jaiden=0.8/0.1 Rhys=4/1 Reece=3/0.3 Reese=0.5/0.3 Oscar=4/10 Isaac=3/6 Zachary=3/2
Christopher=4/0.5 Michael=4/1 Kai=3/2 Elliot=3/2 Elliott=2/1 Logan=4/3 Freddie=4/9 Freddy=0.5/0.5 Riley=4/3
Mason=5/5 Jordan=4/0.5 Theo=2/9 Theodore=0.5/10 Jenson=3/1 Billy=3/1 Lucas=4/8 Evan=3/2 Sebastian=3/4
Dominic=2/1 Aidan=2/0.5 Aiden=3/1 Ayden=0.5/0.2 Owen=4/3 Harrison=4/3 Tommy=2/6 Albie=0.3/6 Reuben=1/5
Rory=2/5 Ronnie=0.5/5 Teddy=0.1/8 Arthur=1/14 Noah=2/15 Jude=1/5 Hugo=1/5 Roman=0.5/4 Luca=1/5 Elijah=1/5
Ezra=0.1/4 Otis=0.1/4 Jaxon=0.3/4 Arlo=0.05/4 Rowan=1/2 Ellis=1/2 Reggie=0.1/4 Sonny=0.3/4 Frankie=1/4
Ralph=0.2/3 Albert=0.5/3 Alfred=0.5/2 Jasper=0.5/2 Ted=0.1/2 Hunter=0.5/3 Caleb=1/2 Nathaniel=1/1 Ben=2/0.2
Jamie=4/1 Sam=2/0.3 Joe=2/1 Cody=1.5/0.2 Morgan=2/0.3 Brandon=2/0.2 Corey=2/0.2 Declan=1/0.3 Marcus=1/0.5
Blake=1/1 Robert=2/1 Charles=1/2 Stanley=0.5/3 Ollie=0.5/1 Alex=2/0.5 Harley=2/2 Tristan=0.5/0.5 Felix=1/3
Gabriel=1/3 Ashton=1/0.5 Brody=1/1 Bobby=1/3 Tobias=0.5/2 Seth=1/1 Patrick=1/0.5 Finn=1/2 Zak=0.5/0.2
Zac=0.5/0.3 Zach=0.3/0.1 Ewan=0.5/0.3 Lennon=0.2/1 Jesse=1/1 Rupert=0.3/0.5 Tom=1/0.1 Kayden=1/0.5
Alfie-James=0.2/0.3 Tommy-Lee=0.1/0.1 Stephen=0.3/0.05 Steven=0.3/0.05 Jonathan=1/0.3 Jon=0.1/0.02
John=1/0.5 Philip=0.3/0.05 Phillip=0.2/0.03 Nicholas=1/0.3 Nicolas=0.2/0.1 Mathew=0.2/0.02 Louis-James=0.05/0.1
Sean=1/0.3 Shaun=0.5/0.05 Shawn=0.2/0.05 Jacob-Lee=0.05/0.05 Jakob=0.2/0.2 Lenny=0.3/1 Alfie-Ray=0.02/0.1
Mohammed=1/0.5 Muhammad=0.3/1 Kian=1/0.5 Keiran=0.5/0.05 Travis=0.5/0.2 Spencer=0.5/0.2 Josh=0.3/0.05
"""

_BRITISH_GIRLS = """
Olivia=12/14 Ruby=13/6 Emily=15/6 Grace=12/6 Jessica=13/1 Chloe=14/2 Sophie=14/2 Lily=13/10 Lilly=2/1
Lillie=1/0.5 Amelia=8/13 Evie=9/8 Mia=8/6 Ella=9/6 Charlotte=8/6 Lucy=8/3 Megan=8/0.5 Ellie=10/4
Isabelle=7/4 Isabella=6/6 Isabel=2/1 Isobel=2/1 Hannah=9/2 Hanna=0.3/0.1 Katie=6/0.5 Katy=1/0.1 Katie-Mae=0.3/0.3
Ava=6/11 Holly=6/1 Summer=5/1 Millie=7/4 Milly=0.5/0.2 Daisy=6/6 Phoebe=6/5 Freya=6/10 Abigail=6/2 Poppy=6/7
Erin=6/2 Emma=5/2 Molly=7/2 Mollie=1/0.3 Imogen=5/3 Amy=5/1 Jasmine=5/1 Jasmin=0.5/0.1 Isla=4/12 Scarlett=4/4
Leah=5/1 Lea=0.3/0.3 Sophia=3/7 Elizabeth=4/2 Eva=4/5 Brooke=4/1 Matilda=3/6 Caitlin=4/0.3 Kaitlyn=0.5/0.1
Keira=4/0.5 Kiera=1/0.1 Alice=4/5 Lola=4/3 Amber=4/1 Lauren=4/0.3 Georgia=5/1 Gracie=4/3 Eleanor=4/4
Elinor=0.3/0.3 Bethany=4/0.3 Madison=3/0.5 Maddison=2/0.2 Amelie=2/3 Paige=4/0.3 Lacey=2/0.5 Lacey-Mae=0.3/0.3
Sienna=2/6 Libby=3/2 Maisie=4/4 Maisy=0.5/0.5 Anna=3/2 Rebecca=3/0.3 Rosie=3/6 Tia=2/0.3 Layla=2/4
Laila=0.5/0.5 Leila=0.5/0.5 Maya=3/5 Niamh=2/1 Zara=2/2 Sarah=3/0.3 Sara=0.5/0.2 Lexi=2/1 Lexie=1/0.5 Sofia=2/5
Skye=2/1 Faith=1/1 Martha=2/3 Harriet=2/1 Zoe=2/1 Eve=1/1 Aimee=1/0.3 Elsie=1/7 Ivy=0.5/9 Florence=1/8
Willow=0.5/8 Harper=0.3/5 Evelyn=0.5/5 Aurora=0.3/5 Violet=0.5/5 Luna=0.2/5 Hallie=0.3/4 Bonnie=0.3/4
Mabel=0.2/4 Olive=0.2/4 Lottie=1/4 Esme=1/4 Maeve=0.5/3 Arabella=0.5/3 Thea=0.5/3 Iris=0.3/3 Eliza=0.5/3
Margot=0.1/3 Emilia=0.5/4 Ada=0.1/3 Nancy=0.2/3 Penelope=0.1/2 Orla=0.5/2 Ayla=0.1/2 Edith=0.1/2
Ophelia=0.1/1 Robyn=2/0.5 Courtney=2/0.1 Shannon=2/0.1 Jade=2/0.2 Nicole=1/0.1 Francesca=1/0.5
Victoria=2/0.5 Beatrice=1/2 Lydia=1/1 Heidi=1/1 Darcey=1/1 Darcy=1/2 Ellie-May=0.5/0.3 Ellie-Mae=0.3/0.2
Lily-Mae=0.3/0.5 Lilly-Rose=0.2/0.3 Ruby-Rose=0.2/0.2 Gracie-Mae=0.2/0.3 Naomi=1/0.5 Rachel=1/0.1
Georgina=1/0.3 Katherine=1/0.5 Catherine=0.5/0.2 Kathryn=0.2/0.05 Abbie=2/0.5 Abby=1/0.2 Jessie=1/0.5
Rose=0.5/2 Clara=0.5/2 Frankie=0.5/1 Delilah=0.1/1.5 Nellie=0.1/1 Hollie=1/0.3 Zoey=0.3/0.3 Rebekah=0.3/0.05
Macy=1/0.3 Macey=0.5/0.1 Tilly=1/1 Ruby-Mae=0.1/0.2 Evie-Rose=0.05/0.2 Alexandra=1/0.3 Samantha=0.5/0.05
Natalie=0.5/0.05 Jennifer=0.5/0.05 Gabriella=0.5/0.5 Josephine=0.3/0.3 Annabelle=1/1 Annabel=0.5/0.5
"""

_BRITISH_SURNAMES = """
Smith=120 Jones=75 Williams=60 Taylor=55 Brown=55 Davies=45 Evans=40 Wilson=40 Thomas=35 Johnson=35
Roberts=35 Robinson=30 Thompson=30 Wright=30 Walker=30 White=28 Edwards=26 Hughes=26 Green=25 Hall=25
Lewis=24 Harris=24 Clarke=24 Jackson=23 Wood=22 Turner=22 Martin=22 Cooper=22 Hill=22 Ward=21 Morris=21
Moore=21 Clark=20 Lee=20 King=20 Baker=20 Harrison=19 Morgan=19 Allen=18 James=18 Scott=18 Phillips=17
Watson=17 Davis=17 Parker=17 Price=16 Bennett=16 Young=16 Griffiths=16 Mitchell=15 Kelly=15 Cook=15
Carter=15 Richardson=15 Bailey=14 Collins=14 Bell=14 Shaw=14 Murphy=14 Miller=13 Cox=13 Richards=13
Marshall=12 Anderson=12 Simpson=12 Ellis=12 Adams=12 Wilkinson=11 Foster=11 Chapman=11 Powell=11 Webb=11
Rogers=11 Gray=11 Mason=11 Hunt=10 Campbell=10 Matthews=10 Owen=10 Palmer=10 Holmes=10 Mills=10 Barnes=10
Knight=10 Lloyd=10 Butler=10 Russell=10 Barker=9 Fisher=9 Stevens=9 Jenkins=9 Murray=9 Dixon=9 Harvey=9
Graham=9 Pearson=9 Fletcher=8 Walsh=8 Gibson=8 Howard=8 Andrews=8 Stewart=8 Elliott=8 Reynolds=8
Saunders=8 Payne=8 Fox=8 Ford=8 Pearce=8 Day=8 Brooks=8 West=8 Lawrence=8 Cole=8 Atkinson=8 Bradley=8
Spencer=8 Gill=7 Dawson=7 Ball=7 Burton=7 O'Brien=7 Watts=7 Rose=7 Booth=7 Perry=7 Ryan=7 Grant=7 Wells=7
Armstrong=7 Francis=7 Rees=7 Hayes=7 Hart=7 Hudson=7 Newman=7 Barrett=7 Webster=7 Hunter=7 Gregory=7
Carr=7 Lowe=7 Page=7 Marsh=7 Riley=7 Dunn=6 Woods=6 Parsons=6 Berry=6 Stone=6 Reid=6 Holland=6 Hawkins=6
Harding=6 Porter=6 Robertson=6 Newton=6 Oliver=6 Reed=6 Kennedy=6 Williamson=6 Bird=6 Gardner=6 Dean=6
Lane=6 Cooke=6 Bates=6 Henderson=6 Parry=6 Burgess=6 Bishop=6 Walton=6 Burns=6 Nicholson=6 Shepherd=6
Ross=6 Cross=6 Long=6 Freeman=6 Warren=6 Nicholls=6 Hamilton=6 Byrne=5 Sutton=5 McDonald=5 Yates=5
Hodgson=5 Robson=5 Curtis=5 Hopkins=5 O'Connor=5 Harper=5 Coleman=5 Watkins=5 Moss=5 McCarthy=5
Chambers=5 O'Neill=5 Griffin=5 Sharp=5 Hardy=5 Wheeler=5 Potter=5 Osborne=5 Johnston=5 Gordon=5 Doyle=5
Wallace=5 George=5 Jordan=5 Hutchinson=5 Rowe=5 Burke=5 May=5 Pritchard=5 Gilbert=5 Willis=5 Higgins=5
Read=5 Miles=5 Stevenson=5 Stephenson=5 Hammond=5 Arnold=5 Buckley=5 Walters=5 Hewitt=5 Barber=5
Nelson=5 Slater=5 Austin=5 Sullivan=5 Whitehead=5 Mann=5 Frost=5 Lambert=5 Stephens=5 Blake=5 Lynch=5
Goodwin=5 Barton=5 Woodward=5 Thomson=5 Cunningham=5 Quinn=5 Barnett=5 Baxter=5 Clayton=5 Nash=5
Greenwood=5 Jennings=5 Holt=5 Kemp=5 Poole=5 Gallagher=5 Bond=5 Stokes=5 Tucker=5 Davidson=5 Fowler=5
Heath=5 Norman=5 Middleton=5 Lawson=5 Banks=5 French=5 Stanley=5 Jarvis=5 Gibbs=5 Ferguson=5 Hayward=5
Carroll=5 Douglas=5 Dickinson=5 Todd=5 Barlow=5 Peters=5 Lucas=5 Knowles=5 Hartley=5 Simmons=5 Morton=5
Alexander=5 Field=5 Morrison=5 Norris=5 Townsend=5 Preston=5 Hancock=5 Thornton=5 Baldwin=5 Burrows=5
Briggs=5 Parkinson=5 Reeves=5 Macdonald=5 Lamb=5 Black=5 Abbott=5 Sanders=5 Thorpe=5 Holden=5
Tomlinson=5 Perkins=5 Ashton=5 Rhodes=5 Fuller=5 Howe=5 Bryant=5 Vaughan=5 Dale=5 Davey=5 Weston=5
Bartlett=5 Whittaker=5 Davison=5 Kent=5 Skinner=5 Birch=5 Morley=5 Daniels=5 Glover=5 Howell=5
Cartwright=5 Pugh=5 Humphreys=5 Goddard=5 Brennan=5 Wall=5 Kirby=5 Bowen=5 Savage=5 Bull=5 Dobson=5
Smart=5 Wilkins=5 Kirk=5 Fraser=5 Duffy=5 Hicks=5 Patterson=5 Bradshaw=5 Little=5 Archer=5 Warner=5
Waters=5 O'Sullivan=5 Farrell=5 Brookes=5 Atkins=5 Kay=5 Dodd=5 Bentley=5 Flynn=5 Schofield=5 Short=5
Haynes=5 Wade=5 Butcher=5 Henry=5 Sanderson=5 Crawford=5 Sheppard=5 Bolton=5 Coates=5 Giles=5 Gould=5
Houghton=5 Gibbons=5 Pratt=5 Manning=5 Hooper=5 Noble=5 Dyer=5 Clements=5 Moran=5 Sykes=5 Doherty=5
Connolly=5 Joyce=5 Franklin=5 Hobbs=5 Coles=5 Herbert=5 Steele=5 Kerr=5 Leach=5 Winter=5 Owens=5
Duncan=5 Naylor=5 Fleming=5 Horton=5 Finch=5 Fitzgerald=5 Randall=5 Carpenter=5 Marsden=5 Browne=5
Garner=5 Pickering=5 Hale=5 Dennis=5 Vincent=5 Chadwick=5 Chandler=5 Sharpe=5 Nolan=5 Lyons=5 Hurst=5
Collier=5 Peacock=5 Howarth=5 Faulkner=5 Rice=5 Pollard=5 Welch=5 Norton=5 Gough=5 Sinclair=5
Blackburn=5 Bryan=5 Conway=5 Power=5 Cameron=5 Daly=5 Allan=5 Hanson=5 Gardiner=5 Boyle=5 Myers=5
Turnbull=5 Wallis=5 Sims=5 Swift=5 Pope=5 Brady=5 Chamberlain=5 Rowley=5 Tyler=5 Farmer=5 Metcalfe=5
Godfrey=4 Dunne=4 Tanner=4 Ingram=4 Cope=4 Whiting=4 Tapper=3 Belcher=3 Painter=3 Hawes=3 Goodall=4
"""

# Toponymic elements for a long tail of plausible English surnames (Ashworth, Thornley, Waddington...).
_SURNAME_HEADS = (
    "Ash Brad Brom Carl Cran Dun Fair Hal Hart Haw Holl Lang Mar Mid Nor Pen Ray Shel Staf Stan Thorn Wad Wal "
    "Wes Whit Win Wood Ather Bam Black Brad Brook Broad Cal Chat Chil Clif Crom Dar Eb Fal Gar Green Hen Hol "
    "Kel Kings Lit Mel Mor New Old Pick Rad Rid Roth Sal Sand Shaw Sher Stain Sud Tat Tem Thorp War Wel Wick "
    "Wil Wor"
).split()
_SURNAME_TAILS = "by ford ley ton worth field ham wood well combe den ington stone bury hurst more wick cliffe dale"
_SURNAME_TAIL_LIST = _SURNAME_TAILS.split()


def composed_surname(index_a: int, index_b: int) -> str:
    """A toponymic surname built from two elements (the long tail: "Hollingworth", "Thornley"...)."""
    head = _SURNAME_HEADS[index_a % len(_SURNAME_HEADS)]
    tail = _SURNAME_TAIL_LIST[index_b % len(_SURNAME_TAIL_LIST)]
    if head[-1] == tail[0]:
        tail = tail[1:]
    return head + tail


_BRITISH_MIDDLE_BOYS = _weighted(
    "James=20 John=8 William=10 Thomas=8 Edward=6 Alexander=6 George=8 David=6 Michael=6 Robert=5 Peter=4 Lee=3 "
    "Paul=3 Charles=4 Henry=5 Joseph=5 Daniel=4 Arthur=4 Jack=4 Oliver=4 Luke=2 Ray=2 Frederick=3 Anthony=3 "
    "Richard=3 Jay=2 Stanley=2 Alan=1 Christopher=3 Reginald=1 Albert=2 Mark=2 Ronald=1 Harry=3"
)
_BRITISH_MIDDLE_GIRLS = _weighted(
    "Rose=20 Grace=14 Mae=8 May=8 Elizabeth=12 Louise=8 Jane=5 Anne=4 Marie=6 Lily=6 Jade=3 Victoria=3 "
    "Florence=5 Ann=2 Rae=2 Hope=4 Olivia=3 Emily=3 Jessica=2 Catherine=3 Sophie=3 Amelia=3 Isabelle=2 Eve=3 "
    "Violet=2 Alice=4 Kate=2 Joy=1 Evelyn=2 Ivy=2 Charlotte=3 Lucy=2 Margaret=2 Ruby=2"
)


def british_middle_names(sex: str) -> Weighted[str]:
    return _BRITISH_MIDDLE_BOYS if sex == "M" else _BRITISH_MIDDLE_GIRLS


# Parents (born about 1975-1995) and grandparents (born about 1950-1968), white British.
ADULT_FORENAMES: Final[dict[str, Weighted[str]]] = {
    "parent_F": _weighted(
        "Sarah=20 Emma=18 Laura=16 Claire=14 Rebecca=14 Gemma=12 Kelly=10 Lisa=10 Nicola=10 Hannah=10 "
        "Victoria=10 Amy=10 Jennifer=8 Louise=10 Rachel=10 Stephanie=8 Charlotte=10 Natalie=8 Katie=8 Jade=6 "
        "Lucy=8 Zoe=6 Helen=8 Joanne=8 Kerry=6 Samantha=8 Hayley=6 Kirsty=5 Leanne=6 Danielle=6 Stacey=5 "
        "Donna=4 Michelle=6 Karen=4 Emily=6 Sophie=5 Jessica=5 Lauren=6 Amanda=4 Catherine=6 Elizabeth=5 "
        "Kate=5 Anna=5 Alice=3 Sian=3 Carly=4 Melissa=3 Jodie=4 Katherine=4 Holly=4 Jenna=3 Vicky=2 Becky=2"
    ),
    "parent_M": _weighted(
        "David=18 Michael=16 James=18 Paul=12 Andrew=14 Mark=12 Richard=12 Daniel=14 Christopher=12 Matthew=14 "
        "Steven=8 Robert=10 Lee=8 Craig=7 Stuart=6 Neil=6 Gary=5 Darren=6 Jason=5 Wayne=4 Dean=5 Simon=6 "
        "Adam=8 Thomas=8 Ben=6 Jonathan=6 Carl=4 Ian=5 Scott=6 Kevin=4 Martin=5 Anthony=5 Ryan=6 Luke=5 "
        "Peter=5 Stephen=6 John=6 Jamie=5 Sam=4 Tom=4 Chris=4 Nicholas=4 Alexander=3 Benjamin=4 Joseph=3 "
        "Ashley=3 Philip=3 Jon=2 Gareth=3 Russell=2 Liam=4 Aaron=3 Karl=2 Shaun=2"
    ),
    "grand_F": _weighted(
        "Susan=14 Linda=12 Christine=10 Margaret=8 Janet=8 Patricia=8 Carol=8 Elaine=6 Julie=8 Jacqueline=6 "
        "Karen=6 Sandra=8 Deborah=6 Gillian=6 Lesley=4 Pauline=5 Angela=6 Jean=4 Wendy=5 Diane=5 Sue=2 Jackie=2"
    ),
    "grand_M": _weighted(
        "John=14 David=14 Michael=10 Peter=8 Robert=8 Alan=6 Brian=5 Keith=5 Graham=6 Stephen=6 Paul=6 "
        "Richard=6 Kevin=4 Colin=4 Trevor=3 Malcolm=3 Anthony=4 Philip=4 Roger=3 Ian=5 Terry=3 Barry=3"
    ),
}


@dataclass(frozen=True, slots=True)
class Culture:
    """A naming community: given names by sex (and, for some, by cohort), surnames, languages, ethnicity.

    ``naming`` says how children's surnames are formed: "family" (shared family surname), "polish"
    (feminine -ska/-cka forms for girls and women), "patronymic" (the child's surname is the father's
    given name; Somali and Eritrean), "sikh" (middle name Singh/Kaur), "bangladeshi" (siblings may carry
    different surnames), "iberian" (two surnames, often shortened).
    """

    key: str
    boys: tuple[Entry, ...]
    girls: tuple[Entry, ...]
    surnames: Weighted[str]
    ethnicity: Weighted[str]
    languages: Weighted[str]
    naming: str = "family"
    middle_rate: float = 0.5
    english_name_rate: float = 0.0
    countries: tuple[str, ...] = ()
    adult_men: Weighted[str] | None = None
    adult_women: Weighted[str] | None = None


def _culture(
    key: str,
    boys: str,
    girls: str,
    surnames: str,
    ethnicity: str,
    languages: str,
    **kwargs: object,
) -> Culture:
    return Culture(
        key=key,
        boys=_entries(boys),
        girls=_entries(girls),
        surnames=_weighted(surnames),
        ethnicity=_weighted(ethnicity),
        languages=_weighted(languages),
        **kwargs,  # type: ignore[arg-type]
    )


_MUSLIM_BOYS = (
    "Muhammad=30 Mohammed=12 Mohammad=5 Ibrahim=8 Yusuf=8 Zayn=6 Ayaan=6 Hamza=7 Ali=7 Abdullah=5 Musa=5 Umar=5 "
    "Adam=6 Zakariya=3 Zakaria=2 Rayyan=4 Haris=3 Ahmed=4 Hassan=4 Bilal=4 Usman=4 Ismail=3 Idris=3 Imran=2 "
    "Faisal=2 Arham=3 Zain=4 Aryan=2 Rehan=2 Saad=2 Danyal=2 Hussain=2 Eesa=2 Isa=2 Yahya=3 Harun=2 Sulaiman=2"
)
_MUSLIM_GIRLS = (
    "Maryam=10 Aisha=8 Ayesha=4 Aysha=2 Fatima=9 Fatimah=3 Zainab=7 Zaynab=2 Hafsa=5 Eman=4 Hannah=3 Inaya=5 "
    "Amina=5 Khadija=4 Safa=3 Zahra=4 Noor=4 Aleena=3 Anaya=3 Iqra=3 Sana=3 Mahnoor=3 Alishba=2 Areeba=2 "
    "Haniya=2 Zara=3 Laiba=2 Mariam=3 Hania=2 Amna=2 Minahil=2 Rida=2 Asiya=2 Sumaya=2 Inaaya=2 Hawa=1"
)

CULTURES: Final[dict[str, Culture]] = {
    "british": Culture(
        key="british",
        boys=_entries(_BRITISH_BOYS),
        girls=_entries(_BRITISH_GIRLS),
        surnames=_weighted(_BRITISH_SURNAMES),
        ethnicity=_weighted("WBRI=96 NOBT=2.5 REFU=1.5"),
        languages=_weighted("English=1"),
        middle_rate=0.88,
        countries=("Australia", "Spain", "United States", "United Arab Emirates"),
    ),
    "irish": _culture(
        "irish",
        "Jack=10 Sean=8 Conor=8 Cian=5 Oisin=5 Darragh=4 Patrick=6 Liam=6 Ryan=5 Niall=3 Eoin=3 Ciaran=4 Kieran=3 "
        "James=6 Michael=5 Tadhg=2 Fionn=3 Callum=3 Noah=4 Daniel=4",
        "Aoife=8 Niamh=8 Saoirse=6 Ciara=6 Caoimhe=4 Roisin=4 Orla=5 Siobhan=3 Grace=6 Emma=6 Sophie=5 Ella=5 "
        "Erin=6 Clodagh=3 Aisling=3 Sinead=3 Molly=4 Katie=4 Cara=3 Ava=4",
        "Murphy=12 Kelly=10 O'Brien=9 Ryan=8 O'Sullivan=7 Walsh=8 Byrne=7 O'Connor=7 McCarthy=6 Doyle=6 Kennedy=5 "
        "Lynch=5 Murray=5 Quinn=5 Moore=4 McLaughlin=4 O'Neill=6 Gallagher=5 Doherty=5 Brennan=4 Burke=4 "
        "Fitzgerald=4 Power=3 Nolan=4 Daly=4 Keane=3 O'Donnell=3 McGrath=3 Dunne=3 Whelan=2",
        "WIRI=90 WBRI=10",
        "English=1",
        middle_rate=0.6,
        countries=("Ireland",),
    ),
    "traveller": _culture(
        "traveller",
        "John=10 Patrick=8 Michael=8 Martin=6 Tom=4 Johnny=5 Jimmy=4 Levi=5 Noah=4 Tyson=4 Kane=2 Bartley=3 Paddy=3 "
        "Joe=4 Jesse=3 Riley=3 Billy=4 Frankie=3 Mikey=2 Henry=2 Sonny=3",
        "Mary=10 Margaret=6 Bridget=5 Kathleen=5 Shannon=4 Tiffany=3 Nellie=4 Britney=3 Kaitlyn=3 Ellie=4 "
        "Courtney=3 Chantelle=3 Tilly=3 Lily=4 Ruby=4 Minnie=3 Violet=3 Rosie=3 Phoebe=2 Esther=2",
        "Ward=10 McDonagh=8 Joyce=6 Maughan=5 Connors=7 Doran=4 Delaney=4 Furey=3 Stokes=5 McGinley=2 Sherlock=2 "
        "Smith=8 Lee=6 Price=5 Boswell=4 Lovell=4 Cooper=4 Loveridge=3 Buckley=3 Herne=2 Brazil=2 Ayres=2 "
        "Eastwood=2 Doe=1 Wood=3 Taylor=3",
        "WIRT=45 WROM=35 WBRI=15 NOBT=5",
        "English=95 Romany=3 Shelta=2",
        middle_rate=0.4,
    ),
    "polish": _culture(
        "polish",
        "Jakub=10 Antoni=8 Szymon=7 Jan=7 Filip=7 Franciszek=5 Aleksander=6 Mikołaj=6 Wojciech=5 Kacper=6 Adam=5 "
        "Michał=6 Marcel=4 Stanisław=3 Wiktor=4 Piotr=5 Igor=4 Leon=5 Nikodem=3 Mateusz=6 Bartosz=4 Oliwer=4 "
        "Dawid=4 Tymon=3 Maksymilian=3 Kamil=4 Krzysztof=3 Tomasz=3 Paweł=4 Łukasz=4 Patryk=4 Dominik=4 Hubert=3",
        "Zuzanna=9 Julia=8 Zofia=7 Hanna=7 Maja=8 Lena=7 Alicja=6 Maria=5 Amelia=5 Oliwia=6 Wiktoria=6 "
        "Aleksandra=5 Natalia=5 Pola=3 Laura=4 Emilia=4 Antonina=3 Nadia=3 Gabriela=4 Martyna=3 Weronika=4 "
        "Kinga=2 Karolina=3 Nikola=4 Agata=2 Magdalena=2 Katarzyna=2 Małgorzata=1 Anna=3 Joanna=2 Iga=2 Klara=2 "
        "Liliana=3 Ewa=1",
        "Nowak=10 Kowalski=8 Wiśniewski=7 Wójcik=6 Kowalczyk=6 Kamiński=6 Lewandowski=6 Zieliński=5 Szymański=5 "
        "Woźniak=5 Dąbrowski=5 Kozłowski=4 Jankowski=4 Mazur=4 Kwiatkowski=4 Krawczyk=4 Piotrowski=4 Grabowski=4 "
        "Nowakowski=3 Pawłowski=3 Michalski=3 Adamczyk=3 Dudek=3 Zając=3 Wieczorek=3 Jabłoński=3 Król=3 "
        "Majewski=3 Olszewski=3 Jaworski=3 Wróbel=3 Malinowski=3 Pawlak=3 Witkowski=3 Walczak=3 Stępień=2 "
        "Górski=2 Rutkowski=2 Michalak=2 Sikora=2",
        "WOTH=95 NOBT=5",
        "Polish=80 English=20",
        naming="polish",
        middle_rate=0.25,
        countries=("Poland",),
    ),
    "romanian": _culture(
        "romanian",
        "Andrei=9 Alexandru=8 David=8 Luca=7 Ștefan=5 Mihai=6 Gabriel=6 Ionuț=3 Darius=5 Matei=5 Eric=4 Rareș=4 "
        "Vlad=4 Cristian=4 Ianis=3 Sebastian=4 Denis=4 Răzvan=3 Bogdan=3 Adrian=3 Florin=2 Robert=4 Nicolas=3 "
        "Daniel=4 Marius=2",
        "Maria=9 Ioana=7 Elena=6 Andreea=6 Alexandra=6 Sofia=7 Ana=5 Daria=5 Bianca=5 Antonia=4 Irina=3 "
        "Gabriela=3 Alesia=3 Eva=4 Denisa=3 Ariana=3 Mălina=2 Teodora=3 Raluca=2 Roxana=2 Larisa=2 Miruna=2 "
        "Ilinca=2 Natalia=3 Rebeca=3 Amalia=2 Diana=3 Iasmina=2 Carla=2",
        "Popescu=8 Ionescu=6 Popa=7 Pop=6 Radu=5 Dumitru=5 Stan=5 Stoica=4 Gheorghe=5 Matei=4 Ciobanu=4 Rusu=4 "
        "Munteanu=4 Constantin=5 Marin=4 Mihai=4 Florea=3 Dinu=3 Lazăr=3 Moldovan=3 Toma=3 Ene=3 Tudor=3 Ilie=3 "
        "Barbu=3 Nistor=3 Sârbu=2 Cristea=2 Lungu=2 Mocanu=2",
        "WOTH=88 WROM=8 NOBT=4",
        "Romanian=85 English=12 Romany=3",
        middle_rate=0.3,
        countries=("Romania",),
    ),
    "european": _culture(
        "european",
        "Luca=5 Matteo=5 Lorenzo=4 Hugo=4 Mateo=4 Pablo=3 Lukas=4 Jonas=3 Emil=3 Nikola=3 Ivan=3 Leo=4 "
        "Gabriel=3 Martin=3 Daniel=3 Marco=3 Tomas=3 Alejandro=2 Louis=2 Felix=3",
        "Giulia=4 Lucia=4 Chiara=3 Elena=4 Camille=3 Lea=4 Emma=5 Sofia=5 Ieva=3 Gabija=3 Martina=3 Alba=3 "
        "Paula=3 Mila=4 Ana=3 Hanna=3 Clara=3 Eva=3 Marta=3 Laura=3",
        "Rossi=4 Russo=3 Bianchi=3 Romano=3 García=4 Fernández=3 Martínez=3 López=3 Müller=4 Schmidt=3 "
        "Martin=3 Bernard=2 Dubois=2 Kazlauskas=3 Petrov=3 Georgiev=3 Horváth=3 Nagy=3 Novák=3 Jovanović=2 "
        "Papadopoulos=2 Jansen=2 De_Vries=2 Kovač=2 Fischer=2 Weber=2",
        "WOTH=95 NOBT=5",
        "English=20 Italian=14 Spanish=14 French=8 German=8 Lithuanian=10 Bulgarian=10 Hungarian=8 Greek=4 Dutch=4",
        middle_rate=0.25,
        countries=("Italy", "Spain", "Lithuania", "Bulgaria", "Hungary", "Germany", "France"),
    ),
    "portuguese": _culture(
        "portuguese",
        "Santiago=5 Tomás=5 Francisco=5 Afonso=4 Duarte=4 Lourenço=3 Martim=4 Gabriel=5 Rodrigo=5 Miguel=5 "
        "Gonçalo=4 Guilherme=4 Rafael=5 Tiago=5 Pedro=4 João=5 Diogo=4 Lucas=5 Enzo=3 Davi=3",
        "Maria=6 Leonor=5 Matilde=5 Beatriz=5 Carolina=5 Alice=4 Mariana=5 Ana=4 Inês=4 Francisca=3 Sofia=5 "
        "Laura=4 Lara=4 Helena=3 Isabela=3 Valentina=3 Clara=3 Mafalda=2 Luana=3 Yasmin=3",
        "Silva=12 Santos=8 Ferreira=7 Pereira=7 Oliveira=6 Costa=6 Rodrigues=6 Martins=5 Sousa=5 Fernandes=5 "
        "Gonçalves=5 Gomes=5 Lopes=4 Marques=4 Alves=5 Almeida=4 Ribeiro=4 Pinto=4 Carvalho=4 Teixeira=3 "
        "Moreira=3 Correia=3 Mendes=3 Nunes=3 Soares=3 Vieira=3 Monteiro=3 Cardoso=3 Rocha=3 D'Souza=3",
        "WOTH=85 AOTH=8 NOBT=7",
        "Portuguese=85 English=15",
        naming="iberian",
        middle_rate=0.6,
        countries=("Portugal", "Brazil"),
    ),
    "pakistani": _culture(
        "pakistani",
        _MUSLIM_BOYS,
        _MUSLIM_GIRLS,
        "Khan=20 Hussain=14 Ahmed=12 Ali=12 Mahmood=8 Iqbal=8 Akhtar=7 Shah=6 Butt=6 Rehman=5 Malik=7 Riaz=4 "
        "Javed=4 Aslam=4 Rashid=4 Qureshi=4 Chaudhry=4 Raza=4 Sheikh=4 Mirza=3 Abbasi=3 Anwar=3 Nawaz=3 "
        "Saleem=3 Sadiq=3 Yousaf=3 Bashir=3 Zaman=3 Haider=3 Ashraf=3 Mehmood=3 Arshad=3",
        "APKN=95 NOBT=5",
        "Urdu=38 English=32 Punjabi=20 Pahari=6 Pashto=4",
        middle_rate=0.35,
        countries=("Pakistan",),
        adult_men=_weighted(
            "Mohammed=12 Muhammad=8 Imran=6 Tariq=5 Asif=5 Khalid=4 Nadeem=4 Shahid=4 Zahid=4 Amjad=4 Waqar=3 "
            "Adnan=4 Kamran=4 Faisal=4 Irfan=3 Naveed=3 Sajid=3 Usman=3"
        ),
        adult_women=_weighted(
            "Nasreen=4 Shazia=5 Samina=4 Farzana=4 Rubina=4 Saima=5 Nadia=5 Sadia=4 Ayesha=4 Fatima=4 Sana=4 "
            "Uzma=4 Amina=3 Bushra=3 Naila=3 Kiran=3 Sobia=3 Aneela=2"
        ),
    ),
    "bangladeshi": _culture(
        "bangladeshi",
        "Muhammad=20 Mohammed=10 Abdul=6 Ayaan=6 Rayhan=4 Zayan=4 Ibrahim=6 Yusuf=5 Safwan=3 Rahim=3 Tahmid=3 "
        "Ishaq=3 Adnan=3 Mahir=3 Sami=3 Arif=2 Nabil=3 Sabbir=2 Ayan=3 Zakariya=3 Hamza=4",
        "Fatima=8 Ayesha=6 Tasnim=4 Sumaiya=4 Nusrat=3 Jannat=4 Sadia=4 Raisa=3 Tahmina=3 Mariam=4 Safiya=3 "
        "Nafisa=3 Ruqayyah=3 Humaira=3 Anisa=3 Aleena=3 Maliha=3 Zara=3 Inaya=3",
        "Begum=6 Miah=10 Uddin=10 Rahman=10 Islam=8 Ahmed=9 Hussain=6 Ali=7 Choudhury=6 Hoque=5 Haque=4 Alam=5 "
        "Chowdhury=5 Hossain=5 Karim=4 Ullah=5 Kabir=3 Amin=3 Khan=4 Sultan=2",
        "ABAN=95 NOBT=5",
        "Bengali=45 English=40 Sylheti=15",
        naming="bangladeshi",
        middle_rate=0.3,
        countries=("Bangladesh",),
    ),
    "indian": _culture(
        "indian",
        "Arjun=8 Aarav=7 Reyansh=4 Vihaan=5 Aryan=5 Krish=5 Rohan=5 Dev=4 Ishaan=5 Kabir=4 Arav=3 Shiv=3 Veer=3 "
        "Jai=3 Aditya=4 Rahul=3 Arnav=4 Advik=3 Ayush=3 Neel=3 Rishi=3 Sai=3 Samar=2 Dhruv=3 Yash=3",
        "Anaya=6 Aanya=5 Priya=4 Diya=5 Saanvi=5 Myra=4 Ishani=3 Riya=5 Meera=4 Tara=3 Anika=4 Kavya=4 Avni=3 "
        "Ananya=5 Isha=4 Prisha=3 Sia=3 Nisha=2 Neha=2 Pooja=2 Mahi=2 Aadhya=3 Navya=3",
        "Patel=30 Sharma=8 Kumar=8 Mistry=5 Shah=6 Parmar=5 Gupta=5 Joshi=4 Mehta=4 Desai=4 Reddy=4 Nair=4 "
        "Pillai=3 Iyer=3 Chauhan=3 Chopra=3 Kapoor=3 Malhotra=3 Verma=3 Rao=3 Menon=3 Pandya=2 Bhatt=2 Solanki=2",
        "AIND=95 NOBT=5",
        "English=45 Gujarati=20 Tamil=8 Hindi=10 Malayalam=7 Telugu=5 Marathi=5",
        middle_rate=0.3,
        countries=("India",),
    ),
    "sikh": _culture(
        "sikh",
        "Harjot=4 Gurveer=4 Jaskaran=4 Manveer=4 Arjun=5 Jasveer=3 Harvir=3 Kabir=3 Ekam=3 Fateh=3 Tegbir=2 "
        "Sukhraj=2 Amar=3 Ranveer=3 Arjan=3 Jovan=3 Harry=2 Reuben=1 Yuvraj=3 Taran=2",
        "Simran=5 Jasleen=4 Harleen=4 Navreet=3 Kirandeep=2 Amrit=3 Jaspreet=3 Gurleen=3 Harnoor=4 Mehar=4 "
        "Japji=2 Sehaj=3 Amara=2 Anaya=3 Jasmine=2 Nimrat=3 Prabhleen=2 Sukhmani=3 Kiran=3",
        "Gill=10 Sandhu=8 Sidhu=6 Dhillon=6 Bains=5 Sohal=4 Grewal=5 Johal=5 Sahota=4 Atwal=3 Bassi=3 Chahal=3 "
        "Dhaliwal=4 Kang=4 Mann=4 Rai=3 Virdee=3 Singh=8 Kaur=3 Bhogal=2 Matharu=2",
        "AIND=93 NOBT=7",
        "Punjabi=45 English=55",
        naming="sikh",
        middle_rate=0.9,
        countries=("India",),
    ),
    "west_african": _culture(
        "west_african",
        "David=6 Daniel=6 Samuel=6 Joshua=5 Emmanuel=5 Michael=4 Jayden=4 Tobi=3 Oluwaseun=3 Chidi=2 Ayomide=3 "
        "Tobiloba=2 Kwame=3 Kofi=3 Kwabena=2 Nathaniel=4 Ethan=4 Elijah=5 Caleb=4 Joel=3 Jeremiah=3 Israel=3 "
        "Chinedu=2 Ifeanyi=2 Femi=2 Jesse=3 Adrian=2 Kayden=2 Josiah=3 Gideon=2 Timilehin=2",
        "Grace=5 Esther=4 Precious=3 Blessing=3 Favour=3 Deborah=3 Adaeze=2 Chioma=2 Ifeoma=2 Tolani=2 "
        "Temitope=3 Ama=2 Akosua=2 Abena=2 Adwoa=2 Zara=3 Maya=3 Ruth=3 Hannah=3 Mercy=2 Joy=3 Praise=2 "
        "Princess=2 Eniola=2 Oluwatobi=2 Anuoluwapo=2 Jasmine=2 Nia=3 Olivia=3 Amara=3 Kemi=2 Ivana=2",
        "Okafor=4 Adeyemi=4 Okonkwo=3 Adebayo=4 Ogunleye=3 Babatunde=3 Eze=3 Nwosu=3 Obi=3 Olawale=3 "
        "Ogundipe=2 Mensah=5 Asante=4 Owusu=5 Boateng=4 Osei=4 Appiah=3 Agyeman=3 Danso=3 Adjei=3 Ofori=3 "
        "Akande=3 Balogun=3 Olatunji=3 Afolabi=3 Nwachukwu=2 Chukwu=2 Ibekwe=2 Oni=2 Oyelaran=2",
        "BAFR=95 NOBT=5",
        "English=70 Yoruba=12 Igbo=8 Twi=8 French=2",
        middle_rate=0.8,
        countries=("Nigeria", "Ghana"),
    ),
    "somali": _culture(
        "somali",
        "Mohamed=14 Abdirahman=6 Abdullahi=6 Ahmed=6 Yusuf=5 Ayanle=3 Khalid=3 Hamza=4 Ibrahim=5 Mustafe=3 "
        "Zakariye=3 Ilyas=3 Bilal=3 Sacad=2 Abdiqani=2 Liban=3 Abdikarim=2 Mahad=3 Omar=4 Hassan=3",
        "Hodan=4 Ayan=4 Fadumo=3 Hibo=3 Ifrah=4 Nasra=3 Sagal=3 Hamdi=3 Ikran=3 Sumaya=3 Maryan=3 Amina=4 "
        "Khadra=3 Hafsa=4 Yasmin=3 Najma=3 Ladan=3 Sahra=3 Deeqa=3 Hani=2 Iman=3",
        "Abdi=8 Ahmed=8 Ali=8 Hassan=8 Hussein=6 Mohamed=10 Omar=7 Osman=6 Farah=6 Warsame=4 Jama=5 Ismail=5 "
        "Yusuf=5 Abdullahi=5 Aden=5 Nur=4 Dahir=3 Egal=3 Elmi=3 Gedi=3 Guled=3 Hersi=3",
        "BAFR=93 NOBT=7",
        "Somali=85 English=10 Arabic=5",
        naming="patronymic",
        middle_rate=0.2,
        countries=("Somalia",),
    ),
    "eritrean": _culture(
        "eritrean",
        "Yonas=5 Dawit=5 Samuel=5 Filmon=4 Merhawi=3 Robel=4 Natnael=4 Daniel=4 Henok=3 Biniam=3 Yohannes=3",
        "Selam=5 Helen=4 Ruth=4 Semhar=4 Luwam=4 Hiwet=3 Eden=4 Saron=4 Bethlehem=3 Feven=3 Winta=3",
        "Tesfay=5 Gebremedhin=4 Haile=5 Berhe=5 Tekle=4 Kidane=4 Habte=4 Ghebremariam=3 Yohannes=4 Mehari=4 "
        "Tesfamariam=3 Woldu=3 Negash=3 Asmerom=3",
        "BAFR=92 NOBT=8",
        "Tigrinya=85 English=5 Arabic=10",
        naming="patronymic",
        middle_rate=0.1,
        countries=("Eritrea", "Sudan", "Ethiopia"),
    ),
    "arabic": _culture(
        "arabic",
        "Mohammad=10 Muhammad=5 Mohamed=5 Ahmad=7 Omar=7 Yousef=5 Youssef=3 Yusef=2 Adam=5 Ali=5 Hamza=4 "
        "Khaled=4 Karim=4 Zaid=4 Yahya=3 Abdulrahman=4 Mustafa=4 Hussein=3 Ibrahim=4 Amir=3 Majd=2 Bilal=3 "
        "Tareq=2 Anas=3",
        "Maryam=6 Fatima=6 Aya=5 Layan=4 Sara=5 Nour=5 Noor=2 Jana=4 Lina=4 Hala=3 Rahaf=3 Reem=3 Salma=4 "
        "Rana=3 Dana=3 Joud=3 Lujain=2 Sham=2 Malak=3 Tala=3 Yasmin=3 Yasmeen=1",
        "Al-Hassan=4 Al-Ahmad=3 Haddad=4 Mansour=4 Khalil=4 Ibrahim=4 Hamdan=3 Nasser=3 Saleh=4 Al-Masri=3 "
        "Darwish=3 Hijazi=2 Abboud=3 Awad=3 Kassem=3 Al-Khatib=3 Al-Sayed=3 Othman=3 Yassin=3 Jaber=3 "
        "Al-Najjar=2 Suleiman=3 Hussein=4 Abdallah=3 Mahmoud=4 Osman=3 Idris=2",
        "OOTH=80 AOTH=5 BAFR=10 NOBT=5",
        "Arabic=90 English=10",
        middle_rate=0.25,
        countries=("Syria", "Iraq", "Sudan", "Egypt", "Yemen", "Libya"),
    ),
    "afghan": _culture(
        "afghan",
        "Ahmad=8 Mohammad=8 Mustafa=6 Ali=6 Omid=4 Sami=4 Farhad=3 Hamid=4 Jawad=3 Navid=3 Wahid=3 "
        "Zabihullah=2 Sohail=3 Elyas=3 Bilal=3 Yasin=3",
        "Fatima=6 Maryam=6 Zahra=5 Mahsa=3 Parisa=3 Sahar=4 Nargis=3 Mursal=3 Shabnam=3 Marwa=4 Hadia=3 Sana=4 "
        "Setayesh=3 Madina=3",
        "Ahmadi=8 Rahimi=6 Hashimi=5 Karimi=6 Noori=5 Popal=3 Sultani=3 Safi=4 Stanikzai=3 Wardak=3 Haidari=4 "
        "Sadat=4 Jalali=3 Azizi=5 Habibi=4 Mohammadi=6",
        "AOTH=85 OOTH=10 NOBT=5",
        "Dari=55 Pashto=40 English=5",
        middle_rate=0.1,
        countries=("Afghanistan",),
    ),
    "ukrainian": _culture(
        "ukrainian",
        "Artem=8 Maksym=7 Oleksandr=7 Dmytro=6 Mykhailo=5 Matviy=4 Andriy=5 Ivan=5 Danylo=5 Bohdan=4 Nazar=4 "
        "Yaroslav=3 Denys=4 Kyrylo=4 Tymofiy=3 Mark=3 Illia=3",
        "Sofiia=8 Anastasiia=7 Anna=6 Mariia=6 Viktoriia=5 Polina=5 Daria=5 Yeva=4 Zlata=4 Veronika=4 "
        "Kateryna=4 Solomiia=3 Alina=4 Diana=3 Oleksandra=3 Milana=3 Varvara=3",
        "Kovalenko=6 Bondarenko=6 Tkachenko=5 Shevchenko=6 Kravchenko=5 Boyko=5 Melnyk=6 Oliynyk=4 Koval=4 "
        "Moroz=3 Lysenko=4 Marchenko=4 Rudenko=3 Savchenko=4 Petrenko=4 Kovalchuk=4 Polishchuk=3 Hnatiuk=2 "
        "Ivanova=2 Shevchuk=3",
        "WOTH=95 NOBT=5",
        "Ukrainian=70 Russian=25 English=5",
        middle_rate=0.0,
        countries=("Ukraine",),
    ),
    "chinese": _culture(
        "chinese",
        "Yuxuan=4 Haoran=4 Zihan=3 Yichen=4 Junhao=3 Zhiyuan=3 Hao=3 Jun=3 Wei=3 Ming=3 Kai=3 Zhenyu=3 Tianyu=3 "
        "Jiaming=3 Ruiqi=2 Chun_Yin=2 Ho_Yin=2 Ka_Ho=2 Lucas=3 Ethan=3 Jayden=2",
        "Yutong=4 Zixuan=4 Xinyi=4 Ziyi=3 Yiting=3 Mei=3 Xiaoyu=3 Jiayi=3 Ruoxi=3 Yuxi=3 Wenjing=2 Siyu=3 "
        "Yuqi=3 Kexin=3 Shiyu=3 Hoi_Yan=2 Wing_Yan=2 Chloe=3 Emily=3 Olivia=2",
        "Wang=8 Li=8 Zhang=7 Liu=6 Chen=7 Yang=5 Huang=5 Zhao=4 Wu=4 Zhou=4 Xu=4 Sun=3 Ma=3 Zhu=3 Hu=3 Guo=3 "
        "He=3 Lin=4 Luo=3 Gao=3 Wong=6 Chan=7 Cheung=5 Lee=5 Lau=4 Ng=4 Leung=4 Tang=3 Yip=3 Ho=4",
        "CHNE=93 NOBT=7",
        "Chinese_(Mandarin)=45 Chinese_(Cantonese)=30 English=25",
        middle_rate=0.05,
        english_name_rate=0.45,
        countries=("China", "Hong Kong"),
    ),
    "caribbean": _culture(
        "caribbean",
        "Jaylen=4 Jermaine=2 Tyrese=3 Kai=4 Malachi=5 Isaiah=5 Zion=3 Jahmal=2 Kyrie=3 Jaheim=2 Joshua=4 "
        "Daniel=3 Tyler=3 Nathan=3 Elijah=4 Jayden=4 Reuben=3 Marley=3 Micah=3",
        "Aaliyah=5 Nia=5 Shanice=2 Jada=4 Imani=4 Kiara=4 Tianna=3 Maliyah=3 Amara=4 Zuri=3 Destiny=3 "
        "Chantelle=2 Keziah=3 Naomi=3 Grace=3 Jasmine=3 Leah=3 Aliyah=2",
        "Campbell=6 Brown=6 Williams=6 Thomas=4 Johnson=5 Richards=4 Francis=4 Grant=5 Clarke=5 Reid=5 Morgan=4 "
        "Henry=4 Lewis=4 Robinson=4 Walker=4 Edwards=4 Bailey=4 Gordon=4 Powell=4 Bennett=4 Samuels=3 "
        "Spencer=3 Forbes=3 Gayle=3 McKenzie=4 Stewart=4 Anderson=3 Blake=3 Wright=3 Palmer=3",
        "BCRB=85 MWBC=10 NOBT=5",
        "English=95 Patois=5",
        middle_rate=0.7,
        countries=("Jamaica", "Trinidad and Tobago"),
    ),
}

#: Share of households by culture among families long settled in the county (Oxfordshire-like mix).
SETTLED_CULTURES: Final[Weighted[str]] = Weighted(
    [
        ("british", 74.0),
        ("irish", 1.2),
        ("traveller", 0.45),
        ("polish", 3.2),
        ("romanian", 2.0),
        ("european", 2.6),
        ("portuguese", 1.0),
        ("pakistani", 3.6),
        ("bangladeshi", 0.9),
        ("indian", 1.8),
        ("sikh", 0.9),
        ("west_african", 2.2),
        ("somali", 0.6),
        ("eritrean", 0.2),
        ("arabic", 1.0),
        ("afghan", 0.3),
        ("chinese", 1.0),
        ("caribbean", 1.2),
        ("ukrainian", 0.3),
    ]
)

#: Culture mix of families newly arrived from abroad (2024-2026: Ukraine, Afghanistan, Hong Kong...).
MIGRANT_CULTURES: Final[Weighted[str]] = Weighted(
    [
        ("ukrainian", 22.0),
        ("afghan", 13.0),
        ("chinese", 14.0),
        ("arabic", 13.0),
        ("eritrean", 6.0),
        ("romanian", 8.0),
        ("polish", 3.0),
        ("european", 4.0),
        ("indian", 6.0),
        ("pakistani", 4.0),
        ("west_african", 5.0),
        ("portuguese", 2.0),
    ]
)

_COHORT_FIRST, _COHORT_LAST = 2008, 2023


@lru_cache(maxsize=4096)
def forenames(culture: str, sex: str, birth_year: int) -> Weighted[str]:
    """Given names for a child of this culture and sex born in ``birth_year``."""
    entries = CULTURES[culture].boys if sex == "M" else CULTURES[culture].girls
    t = min(1.0, max(0.0, (birth_year - _COHORT_FIRST) / (_COHORT_LAST - _COHORT_FIRST)))
    return Weighted((name, old * (1 - t) + new * t) for name, old, new in entries)


# --------------------------------------------------------------------------------------------------
# Variants and nicknames (public: reused by the linkage engine)
# --------------------------------------------------------------------------------------------------

#: Spellings and transliterations of *one* name. Kept conservative: names that parents give in their own
#: right (Anna and Hannah, Amelia and Emilia, John and Jonathan) are not grouped, because the linkage
#: engine merges these groups and a wrong group gives two siblings the same name.
_VARIANT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Mohammed", "Muhammad", "Mohamed", "Mohammad", "Mohamad", "Muhammed", "Mohammod"),
    ("Ahmed", "Ahmad", "Ahmet"),
    ("Yusuf", "Yousef", "Youssef", "Yusef", "Yousuf"),
    ("Ibrahim", "Ebrahim"),
    ("Hussain", "Hussein", "Husain", "Hossain"),
    ("Aisha", "Ayesha", "Aysha", "Aishah"),
    ("Fatima", "Fatimah", "Fatma"),
    ("Zainab", "Zaynab", "Zeynab"),
    ("Maryam", "Mariam", "Mariyam"),
    ("Noor", "Nour", "Nur"),
    ("Yasmin", "Yasmeen", "Yasmine"),
    ("Jasmine", "Jasmin"),
    ("Zakariya", "Zakaria", "Zakariye", "Zakariyya"),
    ("Isa", "Eesa", "Issa"),
    ("Inaya", "Inaaya"),
    ("Abdirahman", "Abdulrahman", "Abdurrahman"),
    ("Abdullahi", "Abdullah", "Abdallah"),
    ("Mustafe", "Mustafa", "Mostafa"),
    ("Katie", "Katy", "Katie-Mae", "Katey"),
    ("Jayden", "Jaden", "Jaiden", "Jaydon", "Jadon"),
    ("Sophie", "Sophia", "Sofia", "Sofiia", "Sofiya"),
    ("Aleksandra", "Alexandra", "Oleksandra"),
    ("Aleksander", "Alexander", "Aleksandr", "Oleksandr"),
    ("Isabelle", "Isabel", "Isobel", "Isabella", "Izabela", "Isabela"),
    ("Aidan", "Aiden", "Ayden", "Aydan"),
    ("Layla", "Laila", "Leila", "Lailah", "Leyla"),
    ("Lily", "Lilly", "Lillie", "Lili", "Lilli"),
    ("Leah", "Lea", "Leia"),
    ("Hannah", "Hanna", "Hana"),
    ("Evie", "Evey"),
    ("Freya", "Freja", "Freyja"),
    ("Eleanor", "Elinor", "Eleanore", "Elenor"),
    ("Stephen", "Steven"),
    ("Stefan", "Ștefan"),
    ("Philip", "Phillip"),
    ("Matthew", "Mathew"),
    ("Nicholas", "Nicolas", "Nikolas"),
    ("Zachary", "Zachery", "Zackary"),
    ("Rhys", "Reece", "Reese"),
    ("Kieran", "Keiran", "Ciaran", "Kieron"),
    ("Callum", "Calum", "Kallum"),
    ("Connor", "Conor", "Konnor"),
    ("Sean", "Shaun", "Shawn"),
    ("Louis", "Louie", "Luis"),
    ("Ellie", "Elly", "Ellie-May", "Ellie-Mae"),
    ("Millie", "Milly", "Millie-Mae"),
    ("Maisie", "Maisy", "Maisey"),
    ("Mollie", "Molly"),
    ("Catherine", "Katherine", "Kathryn", "Katharine"),
    ("Caitlin", "Kaitlyn", "Katelyn", "Caitlyn"),
    ("Amelie", "Amélie"),
    ("Chloe", "Chloé", "Khloe"),
    ("Rebecca", "Rebekah", "Rebeca"),
    ("Sarah", "Sara"),
    ("Macy", "Macey", "Maci", "Macie"),
    ("Madison", "Maddison", "Madisyn"),
    ("Lacey", "Lacie", "Lacey-Mae"),
    ("Keira", "Kiera"),
    ("Zoe", "Zoë", "Zoey"),
    ("Elliot", "Elliott", "Eliot"),
    ("Freddie", "Freddy"),
    ("Jacob", "Jakob", "Jakub", "Yakub"),
    ("Zuzanna", "Zuzana"),
    ("Maria", "Mariia", "Mariya"),
    ("Anastasiia", "Anastasia", "Anastasiya"),
    ("Viktoriia", "Viktoria", "Victoria", "Wiktoria"),
    ("Dmytro", "Dmitry", "Dmitri", "Dmitrii"),
    ("Andriy", "Andrii", "Andrey"),
    ("Mykhailo", "Mikhail", "Mykhaylo"),
    ("Illia", "Ilya", "Ilia"),
    ("Daria", "Dariia", "Dariya"),
    ("Ioana", "Joana"),
    ("Gabriela", "Gabriella", "Gabrielle"),
    ("Oliwia", "Olivia"),
    ("Emilia", "Emília"),
    ("Mia", "Miya", "Mya"),
    ("Tomás", "Tomas"),
    ("Gonçalo", "Goncalo"),
    ("Inês", "Ines"),
    ("Rareș", "Rares"),
    ("Răzvan", "Razvan"),
    ("Ionuț", "Ionut"),
    ("Mălina", "Malina"),
    ("Łukasz", "Lukasz"),
    ("Paweł", "Pawel"),
    ("Michał", "Michal"),
    ("Małgorzata", "Malgorzata"),
    ("Stanisław", "Stanislaw"),
    ("Mikołaj", "Mikolaj"),
)


def _symmetric(groups: tuple[tuple[str, ...], ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for group in groups:
        for name in group:
            others = out.setdefault(name, [])
            for other in group:
                if other != name and other not in others:
                    others.append(other)
    return out


#: Spelling variants and transliterations: each name -> the other members of its group(s).
NAME_VARIANTS: Final[dict[str, list[str]]] = _symmetric(_VARIANT_GROUPS)

#: Formal given name -> the short or familiar forms people are known by.
NICKNAMES: Final[dict[str, list[str]]] = {
    "William": ["Will", "Billy", "Bill", "Wills"],
    "Elizabeth": ["Lizzie", "Beth", "Eliza", "Libby", "Liz", "Betsy"],
    "Alexander": ["Alex", "Xander", "Sandy", "Zander"],
    "Alexandra": ["Alex", "Lexi", "Sasha", "Ally"],
    "Oliver": ["Ollie", "Olly", "Ol"],
    "Thomas": ["Tom", "Tommy"],
    "James": ["Jim", "Jamie", "Jimmy", "Jay"],
    "Robert": ["Rob", "Bobby", "Robbie", "Bob"],
    "Charles": ["Charlie", "Chas"],
    "Charlotte": ["Lottie", "Charlie", "Lotte"],
    "Edward": ["Ed", "Eddie", "Ted", "Teddy", "Ned"],
    "Henry": ["Harry", "Hal", "Hank"],
    "Benjamin": ["Ben", "Benji", "Benny"],
    "Samuel": ["Sam", "Sammy"],
    "Joseph": ["Joe", "Joey"],
    "Daniel": ["Dan", "Danny"],
    "Matthew": ["Matt", "Matty"],
    "Joshua": ["Josh"],
    "Nicholas": ["Nick", "Nicky"],
    "Christopher": ["Chris", "Kit"],
    "Jonathan": ["Jon", "Jonny"],
    "Michael": ["Mike", "Mikey", "Mick"],
    "Frederick": ["Fred", "Freddie", "Freddy"],
    "Alfred": ["Alfie", "Alf"],
    "Archibald": ["Archie"],
    "Theodore": ["Theo", "Teddy", "Ted"],
    "Zachary": ["Zac", "Zach", "Zak"],
    "Nathaniel": ["Nate", "Nat"],
    "Nathan": ["Nate"],
    "Jacob": ["Jake"],
    "Sebastian": ["Seb", "Bash"],
    "Maximilian": ["Max"],
    "Maksymilian": ["Max", "Maks"],
    "Reginald": ["Reggie"],
    "Ronald": ["Ronnie"],
    "Albert": ["Albie", "Bertie", "Al"],
    "Arthur": ["Artie", "Art"],
    "Stanley": ["Stan"],
    "Leonardo": ["Leo"],
    "Leonard": ["Leo", "Lenny"],
    "Gabriel": ["Gabe"],
    "Dominic": ["Dom"],
    "Timothy": ["Tim", "Timmy"],
    "Anthony": ["Tony", "Ant"],
    "Andrew": ["Andy", "Drew"],
    "Francis": ["Frankie", "Frank"],
    "Patrick": ["Paddy", "Pat"],
    "Harrison": ["Harry", "Harri"],
    "Tobias": ["Toby"],
    "Frankie": ["Frank"],
    "Katherine": ["Katie", "Kate", "Kat", "Kathy"],
    "Catherine": ["Katie", "Kate", "Cathy", "Cat"],
    "Kathryn": ["Katie", "Kate", "Kath"],
    "Rebecca": ["Becky", "Becca", "Bex"],
    "Jessica": ["Jess", "Jessie"],
    "Abigail": ["Abbie", "Abby", "Abi"],
    "Eleanor": ["Ellie", "Nell", "Nellie", "Elle"],
    "Isabella": ["Izzy", "Bella", "Issy", "Isa"],
    "Isabelle": ["Izzy", "Belle", "Issy"],
    "Isabel": ["Izzy", "Issy"],
    "Isobel": ["Izzy", "Issy"],
    "Margaret": ["Maggie", "Meg", "Peggy"],
    "Victoria": ["Tori", "Vicky", "Toria"],
    "Amelia": ["Millie", "Melia"],
    "Florence": ["Flo", "Flossie", "Florrie"],
    "Matilda": ["Tilly", "Tillie", "Tilda"],
    "Penelope": ["Penny", "Pen"],
    "Georgina": ["Georgie", "Gina"],
    "Georgia": ["Georgie"],
    "Jennifer": ["Jen", "Jenny"],
    "Samantha": ["Sam", "Sammy"],
    "Gabriella": ["Gabby"],
    "Olivia": ["Liv", "Livvy", "Livia"],
    "Harriet": ["Hattie", "Harri"],
    "Josephine": ["Josie", "Jo"],
    "Imogen": ["Immy", "Imi"],
    "Evelyn": ["Evie"],
    "Annabelle": ["Annie", "Bella"],
    "Annabel": ["Annie", "Bel"],
    "Natalie": ["Nat"],
    "Sarah": ["Sally", "Sadie"],
    "Madison": ["Maddie", "Maddy"],
    "Maddison": ["Maddie", "Maddy"],
    "Arabella": ["Bella", "Bel"],
    "Beatrice": ["Bea", "Trixie"],
    "Penny": ["Pen"],
    "Aleksandra": ["Ola", "Ala", "Alex"],
    "Aleksander": ["Olek", "Alek", "Alex"],
    "Katarzyna": ["Kasia", "Kate"],
    "Małgorzata": ["Gosia", "Małgosia"],
    "Zuzanna": ["Zuzia", "Zuza", "Susie"],
    "Jakub": ["Kuba", "Jake"],
    "Wojciech": ["Wojtek", "Voytek"],
    "Mateusz": ["Mati", "Matt"],
    "Oleksandr": ["Sasha", "Olek"],
    "Oleksandra": ["Sasha", "Lesia"],
    "Mariia": ["Masha", "Maria"],
    "Anastasiia": ["Nastia", "Nastya", "Stacy"],
    "Dmytro": ["Dima"],
    "Mykhailo": ["Misha"],
    "Kateryna": ["Katya", "Kate"],
    "Viktoriia": ["Vika"],
    "Sofiia": ["Sonia"],
    "Abdirahman": ["Abdi"],
    "Abdulrahman": ["Abdul"],
    "Abdullahi": ["Abdi"],
    "Mohamed": ["Mo"],
    "Mohammed": ["Mo"],
    "Muhammad": ["Mo"],
    "Mohammad": ["Mo"],
    "Ibrahim": ["Ibby", "Ibi"],
    "Oluwaseun": ["Seun", "Shaun"],
    "Oluwatobi": ["Tobi"],
    "Tobiloba": ["Tobi"],
    "Anuoluwapo": ["Anu"],
    "Temitope": ["Temi", "Tope"],
    "Ayomide": ["Ayo"],
    "Eniola": ["Eni"],
    "Chinedu": ["Chidi", "Ned"],
    "Ifeanyi": ["Ife"],
    "Alexandru": ["Alex"],
    "Ștefan": ["Stefan"],
    "Ioana": ["Jo"],
    "Gonçalo": ["Gonçi"],
    "Francisco": ["Chico", "Francis"],
    "Santiago": ["Santi"],
    "Valentina": ["Vale", "Tina"],
}


def variants_of(name: str) -> list[str]:
    """Other spellings of ``name`` (empty list if none known)."""
    return NAME_VARIANTS.get(name, [])


def nickname_of(name: str) -> list[str]:
    """Nicknames for ``name`` (empty list if none known)."""
    return NICKNAMES.get(name, [])


_ENGLISH_NAMES_BOYS = _weighted(
    "Kevin=3 Eric=4 Jason=3 Daniel=3 Leo=4 Max=4 Ryan=3 Ethan=4 Lucas=4 Oscar=3 Tony=2 Alan=2 Marcus=2 Henry=3"
)
_ENGLISH_NAMES_GIRLS = _weighted(
    "Emily=4 Lucy=4 Grace=4 Amy=4 Cindy=2 Lily=4 Chloe=4 Angela=2 Vicky=2 Alice=4 Joyce=2 Ivy=3 Sophie=3 Fiona=2"
)


def english_names(sex: str) -> Weighted[str]:
    """English given names used as preferred names by children with Chinese given names."""
    return _ENGLISH_NAMES_BOYS if sex == "M" else _ENGLISH_NAMES_GIRLS


_FOLD = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "đ": "d", "Đ": "D", "ı": "i"}


def ascii_fold(text: str) -> str:
    """Strip accents the way many partner systems store names ("Wiśniewska" -> "Wisniewska")."""
    if text.isascii():
        return text
    text = "".join(_FOLD.get(ch, ch) for ch in text)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def feminine_surname(surname: str) -> str:
    """Polish feminine form: -ski/-cki/-dzki -> -ska/-cka/-dzka; other names are unchanged."""
    for masculine, feminine in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + feminine
    return surname
