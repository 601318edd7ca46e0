"""The demo organisations: Tillby kommun (Swedish, any size) and Fjordby Kommune (Danish, small).

Everything is drawn from one `random.Random(seed)`, so a seed gives the same organisation
every time. Units are written level by level with `bulk_create` and their materialised
paths filled in once the primary keys are known, so even the 50,000-person size takes
seconds. Every person, name and e-mail is fictitious.

Other apps add to the demo (a survey campaign, a programme …) by defining
`extend_demo(result: DemoResult) -> None` in their own `demo` module (`tillit/<app>/demo.py`);
`build_demo` calls each of them, in INSTALLED_APPS order, right after it has created the
organisations, inside the same transaction. They run only on creation, so they need not be
idempotent (`tillit demo --reset` rebuilds everything). An extender may append `DemoLogin`s to
`result.logins` and lines to `result.notes`; `tillit demo` prints both. Draw randomness from
`result.rng` so the demo stays the same for a seed.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tillit.core.models import User
from tillit.org import demo_names
from tillit.org.demo_names import words
from tillit.org.models import Organisation, Person, RoleGrant, Unit, UnitChange
from tillit.org.operating import delete_organisation_rows

# Demo only: printed by `tillit demo`, known to everyone who reads the README. Never use it
# (or a demo organisation) on a server that holds real data.
DEMO_PASSWORD = "tillit-demo-2026"  # noqa: S105
DEFAULT_SEED = 2026
SIZES = ("small", "medium", "large")
TILLBY, FJORDBY = "tillby", "fjordby"
TILLBY_OWNER = "processagare@tillby.se"
TILLBY_EMPLOYEE = "sofia.nilsson@tillby.se"
FJORDBY_LEADER = "procesleder@fjordby.dk"
# The day the demo's start dates are drawn up to: fixed, so a seed gives the same data on any day.
REFERENCE_DATE = date(2026, 10, 1)


# ---------------------------------------------------------------------------------------------
# What the generator produces, before anything is written.


@dataclass
class PersonSpec:
    first: str
    last: str
    gender: str
    email: str = ""
    language: str = "sv"
    birth_year: int | None = None
    start_date: date | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Node:
    """One unit of the tree to be written."""

    name: str
    unit_type: str
    external_id: str = ""
    cost_centre: str = ""
    children: list[Node] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)
    manager: PersonSpec | None = None
    unit: Unit | None = None  # set when written

    def add(self, child: Node) -> Node:
        self.children.append(child)
        return child

    def walk(self):
        """This node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class DemoLogin:
    """An account printed by `tillit demo`."""

    email: str
    name: str
    role: str
    organisations: tuple[str, ...]
    language: str = "sv"


@dataclass
class DemoResult:
    """What `build_demo` made; extenders may add logins and notes to be printed."""

    size: str
    seed: int
    organisations: dict[str, Organisation]
    created: list[str]  # slugs of the organisations made in this run
    logins: list[DemoLogin]
    rng: random.Random
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Names and e-mail addresses.

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "ı": "i", "đ": "d", "ł": "l"})


def ascii_fold(text: str) -> str:
    """Lower-case ASCII for an e-mail local part: "Åsa Öberg-Çelik" -> "asa oberg-celik"."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return (
        "".join(c for c in text if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    )


def _weights(names: list[str]) -> list[float]:
    # Roughly Zipf: the first names on the lists are far more common, as in the population.
    return list(accumulate(1 / (i + 8) for i in range(len(names))))


class People:
    """Draws fictitious people with unique e-mail addresses in one domain."""

    def __init__(
        self,
        rng: random.Random,
        domain: str,
        women: list[str],
        men: list[str],
        surnames: list[str],
        languages: tuple[tuple[str, float], ...],
    ) -> None:
        self.rng, self.domain = rng, domain
        self.women, self.men, self.surnames = women, men, surnames
        self._cum = {id(n): _weights(n) for n in (women, men, surnames)}
        self.languages = [code for code, _ in languages]
        self._lang_cum = list(accumulate(w for _, w in languages))
        self.used: set[str] = set()

    def _pick(self, names: list[str]) -> str:
        return self.rng.choices(names, cum_weights=self._cum[id(names)])[0]

    def email_for(self, first: str, last: str) -> str:
        """firstname.lastname@domain, ASCII-folded, numbered when taken."""
        base = re.sub(r"[^a-z0-9.-]+", "-", f"{ascii_fold(first)}.{ascii_fold(last)}").strip("-")
        email, n = f"{base}@{self.domain}", 1
        while email in self.used:
            n += 1
            email = f"{base}{n}@{self.domain}"
        self.used.add(email)
        return email

    def reserve(self, email: str) -> None:
        self.used.add(email)

    def person(self, female_share: float = 0.75, min_birth: int = 1960) -> PersonSpec:
        """A random person; birth year 1960–2004 (not before `min_birth`), hired after 18."""
        female = self.rng.random() < female_share
        first = self._pick(self.women if female else self.men)
        last = self._pick(self.surnames)
        spec = PersonSpec(first, last, "female" if female else "male", self.email_for(first, last))
        return self._details(spec, min_birth)

    def named(self, first: str, last: str, gender: str, email: str = "", **fields) -> PersonSpec:
        """A fixed persona (a demo login), with its own e-mail or firstname.lastname."""
        if email:
            self.reserve(email)
        spec = PersonSpec(first, last, gender, email or self.email_for(first, last))
        self._details(spec, min_birth=1965)
        for key, value in fields.items():
            setattr(spec, key, value)
        return spec

    def _details(self, spec: PersonSpec, min_birth: int) -> PersonSpec:
        rng = self.rng
        spec.birth_year = rng.randint(min_birth, 2004)
        earliest = date(max(spec.birth_year + 18, 1985), 1, 1)
        spec.start_date = earliest + timedelta(days=rng.randrange((REFERENCE_DATE - earliest).days))
        spec.language = rng.choices(self.languages, cum_weights=self._lang_cum)[0]
        return spec


# ---------------------------------------------------------------------------------------------
# Tillby kommun's blueprint.

PLACES = words(
    """
Ekeby Åsby Bäckby Kvarnby Vallby Haga Näsby Sörby Berga Hällby Forsby Nyby Ängby Tallåsen
Björkvik Lillån Strandby Skogsby Lunden Mossen Backa Rönnby Dalby Hedby Sjöby Viby Torpa Hov
Kärrby Fallet Udden Norrby Ekhagen Vreta Älvby Bruket Granby Sandvik Lövsta Bergsäng
"""
)
DISTRICTS = ["Norr", "Söder", "Öster", "Väster", "Centrum", *PLACES]
FLOWERS = words(
    """
Solrosen Blåklockan Prästkragen Vitsippan Smörblomman Maskrosen Linnean Tussilagon Kabbelekan
Gullvivan Liljekonvaljen Klövern Vallmon Tulpanen Nyponrosen Violen Kastanjen Rönnbäret
Lingonet Blåbäret Hallonet Smultronet Trollsländan Regnbågen Stjärnan Vildrosen Kaprifolen
Ängsviolen Hästhoven Näckrosen
"""
)
ANIMALS = words(
    """
Humlan Myran Nyckelpigan Fjärilen Igelkotten Ekorren Räven Ugglan Björnen Haren Grodan Sparven
Snigeln Bävern Älgen Lodjuret Grävlingen Musen
"""
)
TREES = words(
    """
Björk Ek Lind Asp Alm Lönn Rönn Tall Gran Hassel Ask Sälg Idegran Al Oxel Hägg
"""
)
HOMES = words(
    """
Ekbacken Solgården Lindgården Björkhagen Tallbacken Rosengården Ängsgården Sjöliden Ekgården
Furuhem Hagalund Strandgården Lärkbacken Kastanjegården Almgården Vårdkasen Solhem Fridhem
Lugnet Tallgården
"""
)
BIRDS = words(
    """
Lärkan Svalan Trasten Domherren Talgoxen Blåmesen Koltrasten Näktergalen Steglitsan Rödhaken
Sädesärlan Gärdsmygen Hägern Tranan Svanen Tärnan Ejdern Vipan Göken Kråkan
"""
)
WORKSHOPS = ["Verkstan", "Ateljén", "Caféet", "Trädgården", "Snickeriet", "Tvätteriet", "Butiken"]
# Areas into which the large size splits each service, as a big city does.
AREAS = ["Norr", "Söder", "Öster", "Väster", "Centrum", "Nordost", "Sydväst", "Hamnen", "Dalen",
         "Höjden", "Sjöstaden"]  # fmt: skip


@dataclass(frozen=True)
class Kind:
    """A kind of enhet: how it is named, what work groups it has, how many work in it."""

    names: tuple[str, ...]  # patterns; {district} {flower} {tree} {place} {home} {bird} {workshop}
    groups: tuple[tuple[str, int, int], ...] = ()  # (name pattern, min, max people)
    n_groups: tuple[int, int] = (0, 0)
    own: tuple[int, int] = (0, 0)  # people placed in the enhet itself, beside its manager
    female_share: float = 0.75


KINDS: dict[str, Kind] = {
    "admin": Kind(names=(), own=(5, 16), female_share=0.65),
    "hemtjanst": Kind(
        names=("Hemtjänst {district}",),
        groups=(
            ("Dagpatrullen", 14, 26),
            ("Kvällsgruppen", 8, 15),
            ("Nattpatrullen", 3, 7),
            ("Planeringen", 2, 4),
        ),
        n_groups=(2, 4),
        own=(0, 1),
        female_share=0.85,
    ),
    "sabo": Kind(
        names=("{home}s särskilda boende", "{home}s äldreboende"),
        groups=(
            ("Avdelning {bird}", 12, 22),
            ("Avdelning {bird}", 12, 22),
            ("Demensavdelningen", 10, 18),
            ("Nattgruppen", 3, 8),
        ),
        n_groups=(2, 4),
        own=(0, 2),
        female_share=0.85,
    ),
    "halsa": Kind(
        names=("Hemsjukvård {district}", "Rehabilitering {district}"),
        groups=(("Sjuksköterskor", 8, 18), ("Arbetsterapeuter", 4, 9), ("Fysioterapeuter", 3, 8)),
        n_groups=(0, 3),
        own=(2, 6),
        female_share=0.8,
    ),
    "gruppbostad": Kind(
        names=("Gruppbostad {bird}", "Servicebostad {bird}"), own=(4, 12), female_share=0.7
    ),
    "daglig": Kind(
        names=("Daglig verksamhet {workshop}",),
        groups=(("Arbetsgrupp {bird}", 4, 9), ("Arbetsgrupp {bird}", 4, 9)),
        n_groups=(0, 2),
        own=(2, 5),
        female_share=0.65,
    ),
    "assistans": Kind(
        names=("Personlig assistans {district}",),
        groups=(("Assistansgrupp {n}", 6, 16),) * 4,
        n_groups=(2, 4),
        female_share=0.7,
    ),
    "forskola": Kind(
        names=("{flower}s förskola", "Förskolan {flower}"),
        groups=(("Avdelning {animal}", 4, 9),) * 5,
        n_groups=(3, 5),
        own=(0, 1),
        female_share=0.93,
    ),
    "grundskola": Kind(
        names=("{tree}skolan", "{place}skolan"),
        groups=(
            ("Arbetslag F–3", 12, 22),
            ("Arbetslag 4–6", 10, 20),
            ("Arbetslag 7–9", 12, 24),
            ("Fritidshemmet", 6, 14),
            ("Elevhälsan", 3, 7),
        ),
        n_groups=(3, 5),
        own=(1, 3),
        female_share=0.75,
    ),
    "gymnasium": Kind(
        names=("Tillbygymnasiet", "Vuxenutbildningen", "{place}gymnasiet"),
        groups=(
            ("Naturvetenskap och teknik", 12, 22),
            ("Samhälle och ekonomi", 12, 22),
            ("Yrkesprogrammen", 15, 30),
            ("Språkintroduktion", 4, 8),
            ("Elevhälsan", 3, 6),
        ),
        n_groups=(3, 5),
        own=(2, 4),
        female_share=0.6,
    ),
    "kultur": Kind(
        names=("Biblioteket {district}", "Fritidsgården {place}", "Kulturhuset {place}"),
        own=(4, 12),
        female_share=0.6,
    ),
    "kulturskola": Kind(
        names=("Kulturskolan",),
        groups=(("Musik", 10, 20), ("Dans och teater", 4, 9), ("Bild och form", 3, 6)),
        n_groups=(3, 3),
        own=(0, 1),
        female_share=0.6,
    ),
    "drift": Kind(
        names=("Driftområde {district}",),
        groups=(("Driftlag {district}", 8, 18), ("Parkgruppen", 6, 14), ("Vinterberedskap", 3, 7)),
        n_groups=(1, 3),
        own=(0, 1),
        female_share=0.25,
    ),
    "kok": Kind(
        names=("Tillagningskök {place}", "Mottagningskök {place}"), own=(3, 12), female_share=0.8
    ),
    "lokalvard": Kind(
        names=("Lokalvård {district}",),
        groups=(("Städlag {n}", 7, 15),) * 3,
        n_groups=(2, 3),
        female_share=0.7,
    ),
}

# Förvaltningar > avdelningar > (kind, how many enheter at the medium size, fixed names).
# `True` marks the parts that make up the small demo.
BLUEPRINT: list[tuple[str, list[tuple[str, list[tuple[str, int, tuple[str, ...]]], bool]]]] = [
    (
        "Kommunledningsförvaltningen",
        [
            (
                "Kansli- och utvecklingsavdelningen",
                [
                    (
                        "admin",
                        4,
                        (
                            "Utveckling och strategi",
                            "Kansliet",
                            "Kommunikation",
                            "Digitalisering och IT",
                        ),
                    )
                ],
                True,
            ),
            (
                "Ekonomiavdelningen",
                [("admin", 3, ("Redovisning", "Budget och analys", "Upphandling"))],
                False,
            ),
            (
                "HR-avdelningen",
                [("admin", 3, ("Lön och pension", "HR-stöd", "Arbetsmiljö och hälsa"))],
                False,
            ),
        ],
    ),
    (
        "Vård- och omsorgsförvaltningen",
        [
            ("Äldreomsorg", [("hemtjanst", 6, ()), ("sabo", 6, ())], True),
            ("Hälso- och sjukvård", [("halsa", 3, ())], False),
            (
                "Funktionsstöd",
                [("gruppbostad", 6, ()), ("daglig", 2, ()), ("assistans", 1, ())],
                False,
            ),
        ],
    ),
    (
        "Socialförvaltningen",
        [
            (
                "Individ- och familjeomsorg",
                [
                    (
                        "admin",
                        5,
                        (
                            "Mottagning och utredning barn och unga",
                            "Familjebehandling",
                            "Vuxen och beroende",
                            "Ekonomiskt bistånd",
                            "Familjehem",
                        ),
                    )
                ],
                False,
            ),
            (
                "Arbetsmarknad och integration",
                [("admin", 3, ("Jobbcenter", "Etableringsenheten", "Praktik och feriejobb"))],
                False,
            ),
            (
                "Boende och stöd",
                [("admin", 3, ("Stödboendet Linden", "HVB Tallbacken", "Boendestöd"))],
                False,
            ),
        ],
    ),
    (
        "Barn- och utbildningsförvaltningen",
        [
            ("Förskola", [("forskola", 12, ())], False),
            ("Grundskola", [("grundskola", 8, ())], False),
            ("Gymnasium och vuxenutbildning", [("gymnasium", 2, ())], False),
            (
                "Elevhälsa och stöd",
                [
                    (
                        "admin",
                        3,
                        (
                            "Centrala elevhälsan",
                            "Resursskolan Kompassen",
                            "Modersmål och studiehandledning",
                        ),
                    )
                ],
                False,
            ),
        ],
    ),
    (
        "Kultur- och fritidsförvaltningen",
        [
            ("Kultur och bibliotek", [("kultur", 3, ()), ("kulturskola", 1, ())], False),
            (
                "Fritid och idrott",
                [
                    ("admin", 3, ("Tillbybadet", "Idrottsanläggningar", "Föreningsstöd")),
                    ("kultur", 2, ()),
                ],
                False,
            ),
        ],
    ),
    (
        "Samhällsbyggnadsförvaltningen",
        [
            ("Gata och park", [("drift", 3, ())], False),
            (
                "Plan, bygg och miljö",
                [
                    (
                        "admin",
                        4,
                        ("Bygglov", "Planenheten", "Miljö- och hälsoskydd", "Lantmäteri och GIS"),
                    )
                ],
                False,
            ),
            ("Måltid och lokalvård", [("kok", 5, ()), ("lokalvard", 2, ())], False),
            ("Vatten och avfall", [("admin", 2, ("VA-enheten", "Avfall och återvinning"))], False),
        ],
    ),
]

# Per size: (areas each service avdelning is split into, growth of the upper bound of unit sizes).
SCALE = {"small": (1, 1.0), "medium": (1, 1.55), "large": (11, 3.3)}


class _Namer:
    """Fills name patterns from the word lists, never giving the same unit name twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def fill(self, pattern: str, n: int = 1, **fixed: str) -> str:
        rng = self.rng
        words = {
            "district": rng.choice(DISTRICTS),
            "place": rng.choice(PLACES),
            "flower": rng.choice(FLOWERS),
            "animal": rng.choice(ANIMALS),
            "tree": rng.choice(TREES),
            "home": rng.choice(HOMES),
            "bird": rng.choice(BIRDS),
            "workshop": rng.choice(WORKSHOPS),
            "n": str(n),
        }
        words.update(fixed)
        return pattern.format(**words)

    def unique(self, patterns: tuple[str, ...], scope: set[str] | None = None, **fixed) -> str:
        """A name from the patterns not yet in `scope` (the whole organisation by default)."""
        scope = self.used if scope is None else scope
        name = ""
        for _attempt in range(30):
            name = self.fill(self.rng.choice(patterns), **fixed)
            if name not in scope:
                break
        base, n = name, 1
        while name in scope:
            n += 1
            name = f"{base} {n}"
        scope.add(name)
        return name


def _size_range(rng: random.Random, lo: int, hi: int, factor: float) -> int:
    # Only the upper bound grows with the size, so small groups stay (anonymity needs them).
    return rng.randint(lo, max(lo, round(hi * factor)))


def tillby_tree(size: str, rng: random.Random, people: People) -> Node:
    """Tillby kommun's unit tree with its staff (nothing written yet; managers come later)."""
    namer = _Namer(rng)
    n_areas, factor = SCALE[size]
    small = size == "small"
    root = Node("Tillby kommun", "kommun")
    root.people += [people.person(0.6) for _ in range(0 if small else 6)]
    for f_name, avdelningar in BLUEPRINT:
        if small and not any(in_small for _, _, in_small in avdelningar):
            continue
        forv = root.add(Node(f_name, "förvaltning"))
        forv.people += [people.person(0.65) for _ in range(0 if small else rng.randint(12, 30))]
        for a_name, contents, in_small in avdelningar:
            if small and not in_small:
                continue
            repeatable = any(kind != "admin" for kind, _, _ in contents)
            areas = AREAS[:n_areas] if repeatable and n_areas > 1 else [None]
            for area in areas:
                avd = forv.add(Node(f"{a_name} {area}" if area else a_name, "avdelning"))
                avd.people += [people.person(0.7) for _ in range(0 if small else rng.randint(0, 2))]
                for kind_key, count, fixed_names in contents[:1] if small else contents:
                    kind = KINDS[kind_key]
                    n = 1 if small else count
                    for i in range(n):
                        avd.add(
                            _enhet(kind, kind_key, fixed_names, i, area, rng, namer, people, factor)
                        )
                    if small:
                        break
    _number(root)
    return root


def _enhet(
    kind: Kind,
    key: str,
    fixed_names: tuple[str, ...],
    i: int,
    area: str | None,
    rng: random.Random,
    namer: _Namer,
    people: People,
    factor: float,
) -> Node:
    """One enhet with its work groups and staff."""
    if fixed_names:
        name = fixed_names[i % len(fixed_names)]
        if name in namer.used and area:
            name = f"{name} {area}"
        name = namer.unique((name,))
    elif key == "hemtjanst" and "Hemtjänst Norr" not in namer.used:
        name = "Hemtjänst Norr"  # the demo's unit manager leads this one, in every size
        namer.used.add(name)
    elif key == "forskola" and "Solrosens förskola" not in namer.used:
        name = "Solrosens förskola"
        namer.used.add(name)
    else:
        name = namer.unique(kind.names)
    enhet = Node(name, "enhet")
    n_own = _size_range(rng, *kind.own, factor)
    enhet.people += [people.person(kind.female_share) for _ in range(n_own)]
    if name == "Hemtjänst Norr":
        groups = [("Dagpatrullen", 9, 9), ("Kvällsgruppen", 6, 6), ("Nattpatrullen", 4, 4)]
    else:
        k = rng.randint(*kind.n_groups)
        chosen = sorted(rng.sample(range(len(kind.groups)), k)) if k else []
        groups = [kind.groups[j] for j in chosen]
    scope: set[str] = set()
    for g_no, (pattern, lo, hi) in enumerate(groups, start=1):
        group = enhet.add(Node(namer.unique((pattern,), scope=scope, n=str(g_no)), "arbetsgrupp"))
        fixed_size = name == "Hemtjänst Norr"
        n = lo if fixed_size else _size_range(rng, lo, hi, factor)
        group.people += [people.person(kind.female_share) for _ in range(n)]
    if not groups and not enhet.people:
        enhet.people.append(people.person(kind.female_share))
    return enhet


def _number(root: Node) -> None:
    """External ids as paths of sibling numbers ("1.2.3"); cost centres from the top levels."""
    root.external_id, root.cost_centre = "1", "100000"
    for f, forv in enumerate(root.children, start=1):
        forv.external_id, forv.cost_centre = f"1.{f}", f"{f + 1}00000"
        for a, avd in enumerate(forv.children, start=1):
            avd.external_id, avd.cost_centre = f"1.{f}.{a}", f"{f + 1}{a:02d}000"
            for e, enhet in enumerate(avd.children, start=1):
                enhet.external_id = f"1.{f}.{a}.{e}"
                enhet.cost_centre = f"{f + 1}{a:02d}{e:03d}"
                for g, group in enumerate(enhet.children, start=1):
                    # Work groups are booked on their enhet's cost centre.
                    group.external_id, group.cost_centre = (
                        f"{enhet.external_id}.{g}",
                        enhet.cost_centre,
                    )


def assign_managers(root: Node, people: People, personas: dict[str, PersonSpec]) -> None:
    """Give every unit a manager who works in it; a work group is led by its enhet's manager.

    Swedish municipalities put staff responsibility at the enhet (the first-line manager
    leads its work groups), so a work group's manager sits one level up, in the parent.
    """
    for node in root.walk():
        if node.unit_type == "arbetsgrupp":
            continue
        node.manager = personas.get(node.name) or people.person(0.65, min_birth=1962)
        node.people.insert(0, node.manager)
        for group in node.children:
            if group.unit_type == "arbetsgrupp":
                group.manager = node.manager


# ---------------------------------------------------------------------------------------------
# Writing a tree.


def write_tree(organisation: Organisation, root: Node) -> tuple[int, int]:
    """Write units level by level and then the people; returns (units, people)."""
    level = [root]
    parents: dict[int, Node] = {}
    units: list[Unit] = []
    depth = 0
    while level:
        objs = [
            Unit(
                organisation=organisation,
                external_id=node.external_id,
                name=node.name,
                parent=parents[id(node)].unit if depth else None,
                unit_type=node.unit_type,
                cost_centre=node.cost_centre,
                manager_email=node.manager.email if node.manager else "",
                path="",
                depth=depth,
            )
            for node in level
        ]
        Unit.objects.bulk_create(objs, batch_size=500)
        for node, obj in zip(level, objs, strict=True):
            node.unit = obj
            obj.path = (parents[id(node)].unit.path if depth else "/") + f"{obj.pk}/"
        Unit.objects.bulk_update(objs, ["path"], batch_size=500)
        units += objs
        nxt = []
        for node in level:
            for child in node.children:
                parents[id(child)] = node
                nxt.append(child)
        level, depth = nxt, depth + 1
    UnitChange.objects.bulk_create(
        (
            UnitChange(unit=u, kind=UnitChange.Kind.CREATED, new_value=u.name, source="demo")
            for u in units
        ),
        batch_size=2000,
    )
    persons = [
        Person(
            organisation=organisation,
            email=p.email,
            name=p.name,
            unit=node.unit,
            language=p.language,
            birth_year=p.birth_year,
            start_date=p.start_date,
            gender=p.gender,
        )
        for node in root.walk()
        for p in node.people
    ]
    Person.objects.bulk_create(persons, batch_size=2000)
    return len(units), len(persons)


def find(root: Node, name: str) -> Node:
    """The first node of that name (the demo personas' units)."""
    return next(n for n in root.walk() if n.name == name)


# ---------------------------------------------------------------------------------------------
# The two organisations.

TILLBY_LANGUAGES = (("sv", 0.92), ("en", 0.04), ("da", 0.02), ("nb", 0.02))


def build_tillby(size: str = "medium", seed: int = DEFAULT_SEED) -> Organisation:
    """Create Tillby kommun with its people, roles and demo logins."""
    if size not in SIZES:
        raise ValueError(f"Unknown demo size {size!r}; choose one of {', '.join(SIZES)}.")
    rng = random.Random(seed)
    people = People(
        rng,
        "tillby.se",
        demo_names.WOMEN,
        demo_names.MEN,
        demo_names.SURNAMES,
        TILLBY_LANGUAGES,
    )
    owner = people.named("Petra", "Holm", "female", email=TILLBY_OWNER)
    chief = people.named("Eva", "Lindqvist", "female")
    team_manager = people.named("Johan", "Berg", "male")
    med = people.named("Ali", "Hassan", "male")
    employee = people.named("Sofia", "Nilsson", "female")

    root = tillby_tree(size, rng, people)
    assign_managers(
        root,
        people,
        {"Vård- och omsorgsförvaltningen": chief, "Hemtjänst Norr": team_manager},
    )
    find(root, "Utveckling och strategi").people.append(owner)
    norr = find(root, "Hemtjänst Norr")
    norr.children[0].people[0] = employee  # Dagpatrullen
    norr.children[1].people[0] = med  # Kvällsgruppen

    org = Organisation.objects.create(slug=TILLBY, name="Tillby kommun", language="sv")
    write_tree(org, root)
    vof = find(root, "Vård- och omsorgsförvaltningen").unit
    RoleGrant.objects.create(organisation=org, email=owner.email, role=RoleGrant.Role.ADMIN)
    RoleGrant.objects.create(organisation=org, email=med.email, role=RoleGrant.Role.MED, unit=vof)
    return org


def fjordby_tree(rng: random.Random, people: People) -> Node:
    """Fjordby Kommune: a small Danish municipality (about 60 people)."""

    def unit(parent: Node | None, name: str, unit_type: str, staff: int = 0) -> Node:
        node = Node(name, unit_type)
        node.people += [people.person(0.75) for _ in range(staff)]
        return parent.add(node) if parent else node

    root = unit(None, "Fjordby Kommune", "kommune", 1)
    sundhed = unit(root, "Social- og Sundhedsforvaltningen", "forvaltning", 1)
    aeldre = unit(sundhed, "Ældre og Sundhed", "afdeling")
    pleje = unit(aeldre, "Hjemmeplejen Nord", "enhed")
    unit(pleje, "Dagholdet", "arbejdsgruppe", 8)
    unit(pleje, "Aftenholdet", "arbejdsgruppe", 5)
    unit(pleje, "Natholdet", "arbejdsgruppe", 3)
    unit(aeldre, "Plejecenter Solhøj", "enhed", 9)
    born = unit(root, "Børne- og Skoleforvaltningen", "forvaltning", 1)
    dagtilbud = unit(born, "Dagtilbud", "afdeling")
    unit(dagtilbud, "Børnehuset Mælkebøtten", "enhed", 6)
    unit(dagtilbud, "Vuggestuen Myretuen", "enhed", 4)
    skoler = unit(born, "Skoleområdet", "afdeling")
    skole = unit(skoler, "Fjordby Skole", "enhed", 1)
    unit(skole, "Indskolingen", "arbejdsgruppe", 6)
    unit(skole, "Udskolingen", "arbejdsgruppe", 7)
    teknik = unit(root, "Teknik og Miljø", "forvaltning")
    unit(unit(teknik, "Vej og Park", "afdeling"), "Materielgården", "enhed", 5)
    for i, forv in enumerate(root.children, start=1):
        forv.external_id, forv.cost_centre = f"F{i}", f"{i}000"
    root.external_id, root.cost_centre = "FK", "0000"
    for node in root.walk():
        for j, child in enumerate(node.children, start=1):
            if not child.external_id:
                child.external_id = f"{node.external_id}-{j}"
                child.cost_centre = node.cost_centre[: len(node.cost_centre) - 1] + str(j)
    return root


def build_fjordby(seed: int = DEFAULT_SEED) -> Organisation:
    """Create Fjordby Kommune, the Danish second tenant, and its process leader's login."""
    rng = random.Random(seed + 1)
    people = People(
        rng,
        "fjordby.dk",
        demo_names.DANISH_WOMEN,
        demo_names.DANISH_MEN,
        demo_names.DANISH_SURNAMES,
        (("da", 0.95), ("en", 0.03), ("sv", 0.02)),
    )
    leader = people.named("Mette", "Sørensen", "female", email=FJORDBY_LEADER, language="da")
    root = fjordby_tree(rng, people)
    assign_managers(root, people, {})
    root.people.append(leader)
    org = Organisation.objects.create(slug=FJORDBY, name="Fjordby Kommune", language="da")
    write_tree(org, root)
    RoleGrant.objects.create(organisation=org, email=leader.email, role=RoleGrant.Role.ADMIN)
    return org


CONSULTANT = DemoLogin(
    "konsult@example.com",
    "Kim Lindahl",
    _("Consultant, admin in both organisations"),
    (TILLBY, FJORDBY),
    "en",
)


def ensure_logins(logins: list[DemoLogin]) -> None:
    """Create the accounts of the demo logins that do not exist yet (with the demo password)."""
    emails = [login.email for login in logins]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    new = [login for login in logins if login.email not in existing]
    if not new:
        return
    # One Argon2 hash for all: each costs most of a second, and the password is public anyway.
    password = make_password(DEMO_PASSWORD)
    User.objects.bulk_create(
        User(email=login.email, name=login.name, language=login.language, password=password)
        for login in {login.email: login for login in new}.values()
    )


def demo_logins() -> list[DemoLogin]:
    """The logins of the demo organisations that exist, read back from their data."""
    logins: list[DemoLogin] = []

    def add(org_slug: str, email: str | None, role, language: str = "sv") -> None:
        if email:
            person = Person.objects.filter(organisation__slug=org_slug, email=email).first()
            logins.append(
                DemoLogin(email, person.name if person else "", role, (org_slug,), language)
            )

    def manager_of(name: str) -> str | None:
        unit = Unit.objects.filter(organisation__slug=TILLBY, name=name).first()
        return unit.manager_email if unit else None

    if Organisation.objects.filter(slug=TILLBY).exists():
        grants = RoleGrant.objects.filter(organisation__slug=TILLBY)
        med = grants.filter(role=RoleGrant.Role.MED).first()
        add(TILLBY, TILLBY_OWNER, _("Process owner and admin"))
        add(
            TILLBY,
            manager_of("Vård- och omsorgsförvaltningen"),
            _("Head of Vård- och omsorgsförvaltningen"),
        )
        add(
            TILLBY,
            manager_of("Hemtjänst Norr"),
            _("Manager of Hemtjänst Norr, with three work groups"),
        )
        add(TILLBY, med and med.email, _("MED representative for Vård- och omsorgsförvaltningen"))
        add(TILLBY, TILLBY_EMPLOYEE, _("Employee in Hemtjänst Norr"))
    if Organisation.objects.filter(slug=FJORDBY).exists():
        add(FJORDBY, FJORDBY_LEADER, _("Process leader and admin (Danish)"), "da")
    if logins:
        logins.append(CONSULTANT)
    return logins


def delete_demo() -> None:
    """Delete the demo organisations and the demo accounts, and nothing else."""
    emails = {x.email for x in demo_logins()} | {TILLBY_OWNER, FJORDBY_LEADER, CONSULTANT.email}
    with transaction.atomic():
        for org in Organisation.objects.filter(slug__in=[TILLBY, FJORDBY]):
            delete_organisation(org)
        User.objects.filter(email__in=emails).delete()


def delete_organisation(org: Organisation) -> None:
    """Delete a demo organisation with everything in it."""
    delete_organisation_rows(org)


def extenders() -> list[Callable[[DemoResult], None]]:
    """`extend_demo` of every installed app that has a `demo` module, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if module_name == __name__ or importlib.util.find_spec(module_name) is None:
            continue
        extend = getattr(importlib.import_module(module_name), "extend_demo", None)
        if extend is not None:
            found.append(extend)
    return found


def build_demo(size: str = "medium", seed: int = DEFAULT_SEED) -> DemoResult:
    """Create the demo organisations that do not exist yet, their logins, and the apps' extras."""
    created: list[str] = []
    rng = random.Random(seed + 1000)  # the extenders' own stream
    with transaction.atomic():
        if not Organisation.objects.filter(slug=TILLBY).exists():
            build_tillby(size, seed)
            created.append(TILLBY)
        if not Organisation.objects.filter(slug=FJORDBY).exists():
            build_fjordby(seed)
            created.append(FJORDBY)
        organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=[TILLBY, FJORDBY])}
        for org in organisations.values():
            RoleGrant.objects.get_or_create(
                organisation=org, email=CONSULTANT.email, role=RoleGrant.Role.ADMIN, unit=None
            )
        logins = demo_logins()
        ensure_logins(logins)
        result = DemoResult(size, seed, organisations, created, logins, rng)
        if created:
            for extend in extenders():
                extend(result)
            ensure_logins(result.logins)  # accounts for logins the extenders added
    return result
