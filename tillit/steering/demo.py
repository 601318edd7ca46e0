"""Demo registers: Fjordby's bøvl and decisions, Tillby's ~120 signals (the `tillit demo` hook).

Fjordby tells the story of the seeds: an employee reports the double registration of absence
and a quality report nobody reads; the secretariat triages, the board simplifies one and
removes the other, and a before/after measurement shows the hours freed. Tillby has a
register large enough for the heatmap to say something: the council's goals and their Kolada
indicators, the monthly and yearly reporting every förvaltning does, documentation demands
in elderly care and school.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tillit.core.models import User
from tillit.org.demo import FJORDBY, FJORDBY_LEADER, TILLBY, TILLBY_OWNER, DemoLogin, ensure_logins
from tillit.org.models import Organisation, Person, RoleGrant, Unit
from tillit.steering import actions
from tillit.steering.models import BovlReport, Signal, SteeringRole

# (title, kind, issuer level, times per year, minutes, people per unit or "NN%", self-imposed)
EVERY_FORVALTNING = [
    ("Månadsuppföljning av ekonomin", "report", "administration", 12, 90, "1", False),
    ("Tertialrapport till nämnden", "report", "committee", 3, 240, "1", False),
    ("Verksamhetsberättelse", "report", "council", 1, 480, "1", False),
    ("Internkontrollplan – stickprov", "rule", "council", 4, 60, "1", False),
    ("Arbetsplatsträff (APT)", "meeting", "unit", 11, 60, "100%", True),
    ("Tidrapportering i lönesystemet", "time", "administration", 220, 4, "100%", True),
    ("Riskbedömning vid förändring", "rule", "state", 2, 90, "1", False),
    ("Skyddsrond", "rule", "state", 1, 120, "2", False),
    ("Budgetunderlag", "report", "committee", 1, 600, "1", False),
    ("Ledningsgruppsmöte – protokoll", "meeting", "administration", 40, 30, "1", True),
    ("Medarbetarsamtal – dokumentation", "report", "administration", 1, 30, "100%", True),
]
SPECIFIC = {
    "Vård- och omsorgsförvaltningen": [
        ("Genomförandeplan – dokumentation", "report", "state", 220, 12, "60%", False),
        ("Avvikelserapportering", "report", "state", 24, 20, "1", False),
        ("Senior alert – registrering", "indicator", "agency", 12, 30, "1", False),
        ("Signering av läkemedel i två system", "time", "unit", 220, 8, "40%", True),
        ("Kontinuitetsmätning i hemtjänsten", "indicator", "committee", 12, 60, "1", True),
        ("Besöksregistrering i mobilen", "time", "committee", 220, 15, "80%", True),
        ("Öppna jämförelser – enkätsvar", "report", "agency", 1, 180, "1", False),
        ("Värdighetsgarantier – uppföljning", "report", "council", 2, 120, "1", True),
        ("Kvalitetsregister BPSD", "indicator", "agency", 12, 45, "1", False),
        ("Daglig bemanningsrapport", "report", "administration", 220, 10, "1", True),
    ],
    "Socialförvaltningen": [
        ("BBIC-dokumentation", "report", "agency", 220, 20, "50%", False),
        ("Individstatistik till Socialstyrelsen", "report", "state", 12, 60, "1", False),
        ("Orosanmälningar – registrering i två system", "time", "unit", 150, 10, "30%", True),
        ("Handläggningstid ekonomiskt bistånd (Kolada)", "indicator", "agency", 12, 40, "1", False),
        ("Veckorapport om placeringar", "report", "administration", 46, 30, "1", True),
    ],
    "Barn- och utbildningsförvaltningen": [
        ("Betygsstatistik till Skolverket", "report", "agency", 2, 120, "1", False),
        ("Extra anpassningar – dokumentation", "report", "state", 40, 15, "50%", False),
        ("Närvaro i två system", "time", "unit", 190, 5, "70%", True),
        ("Kränkningsanmälan", "report", "state", 20, 30, "1", False),
        ("Systematiskt kvalitetsarbete – rapport", "report", "state", 1, 300, "1", False),
        ("Statsbidrag Likvärdig skola – redovisning", "grant", "state", 1, 480, "1", False),
        ("Lågstadiesatsningen – redovisning", "grant", "state", 1, 240, "1", False),
        ("Kolada: behörighet till gymnasiet", "indicator", "agency", 1, 60, "1", False),
    ],
    "Kultur- och fritidsförvaltningen": [
        ("Besöksstatistik", "indicator", "committee", 12, 30, "1", True),
        ("Föreningsbidrag – redovisning", "report", "committee", 2, 120, "1", False),
    ],
    "Samhällsbyggnadsförvaltningen": [
        ("Miljörapport", "report", "agency", 1, 480, "1", False),
        ("Tillsynsplan – uppföljning", "report", "state", 4, 120, "1", False),
        ("Kostdataregistrering", "time", "unit", 220, 10, "1", True),
    ],
    "Kommunledningsförvaltningen": [
        ("Anmälan av delegationsbeslut", "report", "council", 12, 45, "1", False),
        ("Kolada: Kommunens kvalitet i korthet", "report", "agency", 1, 600, "1", False),
        ("Lönekartläggning", "report", "state", 1, 240, "2", False),
    ],
}
# Indicators from the council's goal document (mål- och budgetdokumentet), most from Kolada.
GOAL_INDICATORS = [
    ("Brukarbedömning hemtjänst, helhetssyn (Kolada)", "Vård- och omsorgsförvaltningen"),
    ("Brukarbedömning särskilt boende (Kolada)", "Vård- och omsorgsförvaltningen"),
    ("Antal personal som besöker en hemtjänsttagare (Kolada)", "Vård- och omsorgsförvaltningen"),
    ("Väntetid till särskilt boende (Kolada)", "Vård- och omsorgsförvaltningen"),
    ("Andel elever med godkända betyg i alla ämnen (Kolada)", "Barn- och utbildningsförvaltningen"),
    ("Elevenkät: trygghet i skolan", "Barn- och utbildningsförvaltningen"),
    ("Barn per årsarbetare i förskolan (Kolada)", "Barn- och utbildningsförvaltningen"),
    ("HME-index (Kolada)", None),
    ("Sjukfrånvaro per förvaltning", None),
    ("Personalomsättning", None),
    ("Budgetavvikelse per månad", None),
    ("Andel ärenden med beslut inom lagstadgad tid", "Socialförvaltningen"),
    ("Andel återaktualiserade ärenden (Kolada)", "Socialförvaltningen"),
    ("Nöjd kund-index bygglov (Kolada)", "Samhällsbyggnadsförvaltningen"),
    ("Besök per invånare i biblioteken (Kolada)", "Kultur- och fritidsförvaltningen"),
    ("Insamlat hushållsavfall per invånare (Kolada)", "Samhällsbyggnadsförvaltningen"),
    ("Andel ekologiska livsmedel (Kolada)", "Samhällsbyggnadsförvaltningen"),
    ("Kostnad per invånare, administration (Kolada)", "Kommunledningsförvaltningen"),
    ("Andel heltidsanställda", None),
    ("Handläggningstid för försörjningsstöd (Kolada)", "Socialförvaltningen"),
]
GOALS = [
    ("Mål: Nöjda brukare i äldreomsorgen", "Vård- och omsorgsförvaltningen"),
    ("Mål: Alla elever når kunskapskraven", "Barn- och utbildningsförvaltningen"),
    ("Mål: Attraktiv arbetsgivare", None),
    ("Mål: Ekonomi i balans", None),
]


def _values(title, kind, level, freq, minutes, performers, self_imposed, rng) -> dict:
    share = performers.endswith("%")
    today = timezone.localdate()
    return {
        "title": title,
        "kind": kind,
        "issuer_level": level,
        "frequency": Decimal(freq),
        "minutes": Decimal(minutes),
        "performers_kind": "share" if share else "people",
        "performers": Decimal(performers.rstrip("%")),
        "self_imposed": self_imposed,
        "irritation": rng.randint(1, 5),
        "last_used": None if rng.random() < 0.2 else today - dt.timedelta(days=rng.randint(5, 700)),
        "review_date": today + dt.timedelta(days=rng.randint(-200, 700)),
        "start_date": today - dt.timedelta(days=rng.randint(300, 3000)),
        "status": Signal.Status.ACTIVE,
    }


def build_tillby_register(organisation: Organisation, rng: random.Random) -> int:
    """About 120 signals across Tillby's förvaltningar; some under review, a few decided."""
    Organisation.objects.filter(pk=organisation.pk).update(hourly_cost=Decimal(420), currency="SEK")
    SteeringRole.objects.get_or_create(
        organisation=organisation, email=TILLBY_OWNER, role=SteeringRole.Role.SECRETARIAT
    )
    for grant in RoleGrant.objects.filter(organisation=organisation, role=RoleGrant.Role.MED)[:1]:
        SteeringRole.objects.get_or_create(
            organisation=organisation, email=grant.email, role=SteeringRole.Role.BOARD
        )
    head = Unit.objects.filter(organisation=organisation, name="Vård- och omsorgsförvaltningen")
    for unit in head.exclude(manager_email=""):
        SteeringRole.objects.get_or_create(
            organisation=organisation, email=unit.manager_email, role=SteeringRole.Role.BOARD
        )
    root = Unit.objects.get(organisation=organisation, parent__isnull=True)
    forvaltningar = {u.name: u for u in Unit.objects.filter(parent=root)}
    made: list[Signal] = []
    goals = {}
    for title, forv in GOALS:
        hit = [forvaltningar[forv]] if forv in forvaltningar else [root]
        values = _values(title, "goal", "council", "1", "60", "1", False, rng)
        goals[forv] = actions.do_create_signal(organisation, values, hit, None, source="demo")
        made.append(goals[forv])
    for title, forv in GOAL_INDICATORS:
        hit = [forvaltningar[forv]] if forv in forvaltningar else list(forvaltningar.values())
        values = _values(title, "indicator", "council", "4", "45", "1", False, rng)
        values["serves"] = goals.get(forv) or goals[None]
        values["output_users"] = "Kommunstyrelsen"
        values["decision_fed"] = "Mål- och budgetdokumentet"
        made.append(actions.do_create_signal(organisation, values, hit, None, source="demo"))
    for name, unit in forvaltningar.items():
        rows = EVERY_FORVALTNING + SPECIFIC.get(name, [])
        for title, kind, level, freq, minutes, performers, self_imposed in rows:
            values = _values(
                title, kind, level, str(freq), str(minutes), performers, self_imposed, rng
            )
            if title in {t for t, *_ in EVERY_FORVALTNING}:
                values["title"] = f"{title} – {name.replace('förvaltningen', '')}".strip()
            values["owner_email"] = unit.manager_email
            if kind == "indicator" and name in goals:
                values["serves"] = goals[name]
            made.append(actions.do_create_signal(organisation, values, [unit], None, source="demo"))
    # A few reviewed: the board's work shows in the log and in "hours freed".
    for signal in rng.sample(made[4:], 6):
        Signal.objects.filter(pk=signal.pk).update(status=Signal.Status.UNDER_REVIEW)
    reviewed = Signal.objects.filter(organisation=organisation, status="under_review")
    outcomes = [
        ("remove", "Ingen har använt rapporten sedan 2024; uppgifterna finns i lönesystemet."),
        ("simplify", "Görs kvartalsvis i stället för varje månad."),
        ("keep", "Krävs enligt lag; vi förenklar mallen i stället."),
    ]
    for signal, (outcome, reason) in zip(reviewed[:3], outcomes, strict=False):
        actions.do_decide(signal, outcome, reason, None)
    return len(made)


def _fjordby_unit(organisation: Organisation, name: str) -> Unit:
    return Unit.objects.get(organisation=organisation, name=name)


def build_fjordby_register(organisation: Organisation) -> DemoLogin:
    """Fjordby's bøvl reports, triage, decisions and one before/after measurement."""
    Organisation.objects.filter(pk=organisation.pk).update(hourly_cost=Decimal(380), currency="DKK")
    for role in SteeringRole.Role.values:
        SteeringRole.objects.get_or_create(
            organisation=organisation, email=FJORDBY_LEADER, role=role
        )
    leader = User.objects.get(email=FJORDBY_LEADER)
    school = _fjordby_unit(organisation, "Fjordby Skole")
    care = _fjordby_unit(organisation, "Hjemmeplejen Nord")
    # A work-group member who manages nothing: the named reporter (and a demo login).
    managers = Unit.objects.filter(organisation=organisation).values("manager_email")
    person = (
        Person.objects.filter(organisation=organisation, unit__parent=care)
        .exclude(email__in=managers)
        .order_by("pk")
        .first()
    )
    login = DemoLogin(
        person.email, person.name, "Medarbejder i Hjemmeplejen Nord", (FJORDBY,), "da"
    )
    ensure_logins([login])
    employee = User.objects.get(email=person.email)
    today = timezone.localdate()

    def signal(title, kind, level, freq, minutes, kind_of_performers, performers, units, **more):
        values = {
            "title": title,
            "kind": kind,
            "issuer_level": level,
            "frequency": Decimal(freq),
            "minutes": Decimal(minutes),
            "performers_kind": kind_of_performers,
            "performers": Decimal(performers),
            "status": Signal.Status.ACTIVE,
            "review_date": today + dt.timedelta(days=180),
            **more,
        }
        return actions.do_create_signal(organisation, values, units, leader, source="demo")

    absence = signal(
        "Fraværsregistrering i både Aula og lønsystemet",
        "time",
        "administration",
        200,
        12,
        "share",
        100,
        [school],
        self_imposed=True,
        owner_email=FJORDBY_LEADER,
        output_users="Lønkontoret",
        decision_fed="Lønudbetaling",
        irritation=5,
    )
    quality = signal(
        "Kvartalsvis kvalitetsrapport om hjemmeplejen",
        "report",
        "committee",
        4,
        240,
        "people",
        1,
        [care],
        output_users="Social- og Sundhedsudvalget",
        decision_fed="Ingen kendt",
        last_used=today - dt.timedelta(days=540),
        irritation=4,
    )
    signal(
        "Dokumentation i omsorgsjournalen efter hvert besøg",
        "report",
        "state",
        220,
        6,
        "share",
        80,
        [care],
        legal_basis="Serviceloven § 83; journalføringspligt",
        irritation=2,
    )
    pool = signal(
        "Afrapportering af puljemidler til bedre bemanding",
        "grant",
        "state",
        2,
        480,
        "people",
        1,
        [care],
        legal_basis="Finansloven, puljebekendtgørelse",
        irritation=4,
    )
    signal(
        "Ugentligt tavlemøde",
        "meeting",
        "unit",
        46,
        20,
        "share",
        100,
        [care, school],
        self_imposed=True,
    )
    signal("Nationale test", "indicator", "state", 1, 120, "people", 2, [school])
    signal(
        "Månedlig økonomiopfølgning",
        "report",
        "administration",
        12,
        60,
        "people",
        1,
        [_fjordby_unit(organisation, "Fjordby Kommune")],
    )

    def report(what, unit, minutes, hinders, idea, reporter, days_ago):
        item, _code = actions.do_report_bovl(
            organisation,
            what=what,
            unit=unit,
            minutes_per_week=minutes,
            hinders=hinders,
            idea=idea,
            reporter=reporter,
        )
        BovlReport.objects.filter(pk=item.pk).update(
            submitted_on=today - dt.timedelta(days=days_ago)
        )
        return BovlReport.objects.get(pk=item.pk)

    double = report(
        "Dobbeltregistrering af fravær: først i Aula, så igen i lønsystemet.",
        school,
        60,
        "Tid til forberedelse og til eleverne",
        "Lad lønsystemet hente fraværet fra Aula",
        None,
        60,
    )
    again = report(
        "Vi skriver elevernes fravær to steder hver morgen.",
        school,
        45,
        "Morgensamlingen",
        "",
        None,
        55,
    )
    unread = report(
        "Kvalitetsrapporten hvert kvartal – jeg har aldrig hørt, at nogen har læst den.",
        care,
        90,
        "Tid hos borgerne",
        "Drop den, eller lad os vide, hvad den bruges til",
        employee,
        40,
    )
    report(
        "Journalnotat efter hvert eneste besøg, også de korte.",
        care,
        120,
        "Kørsel og besøg",
        "Kortere skabelon",
        None,
        20,
    )
    actions.do_triage(double, remit="own", signal=absence, user=leader)
    actions.do_triage(again, remit="own", duplicate_of=double, user=leader)
    actions.do_triage(
        unread,
        remit="own",
        signal=quality,
        user=leader,
        answer="Tak! Nævnet tager rapporten op på næste møde.",
    )
    actions.do_decide(
        Signal.objects.get(pk=absence.pk),
        "simplify",
        "Fraværet registreres kun i Aula; lønsystemet henter det automatisk.",
        leader,
    )
    actions.do_decide(
        Signal.objects.get(pk=quality.pk),
        "remove",
        "Ingen bruger rapporten; udvalget får nøgletal fra fagsystemet i stedet.",
        leader,
    )
    Signal.objects.filter(pk=pool.pk).update(status=Signal.Status.UNDER_REVIEW)
    actions.do_decide(
        Signal.objects.get(pk=pool.pk),
        "escalate",
        "Afrapporteringen kræver mere end puljen sparer; det skal ændres nationalt.",
        leader,
        escalate_to="KL – Kommunernes Landsforening",
    )
    actions.do_add_measurement(
        absence,
        {
            "label": "Minutter om dagen til fraværsregistrering (logbog, 2 uger før og efter)",
            "minutes_before": Decimal(12),
            "minutes_after": Decimal(3),
            "people": 15,
            "days_per_year": 200,
        },
        leader,
    )
    actions.do_propose_signal(
        organisation,
        {
            "title": "Ny KPI: ventetid på hjælpemidler",
            "kind": "indicator",
            "issuer_level": "committee",
            "purpose": "Følge om borgerne venter for længe",
            "decision_fed": "Udvalgets prioritering af hjælpemiddelbudgettet",
            "output_users": "Social- og Sundhedsudvalget",
            "frequency": Decimal(12),
            "minutes": Decimal(30),
            "performers_kind": "people",
            "performers": Decimal(1),
            "review_date": today + dt.timedelta(days=365),
        },
        [care],
        leader,
    )
    return login


@transaction.atomic
def extend_demo(result) -> None:
    """`tillit demo` hook (see tillit/org/demo.py): registers for new demo organisations."""
    if TILLBY in result.created:
        count = build_tillby_register(result.organisations[TILLBY], random.Random(result.seed))
        result.notes.append(f"Tillby: a register of {count} steering signals.")
    if FJORDBY in result.created:
        login = build_fjordby_register(result.organisations[FJORDBY])
        # A note, not one more printed login: the list of logins is the org demo's.
        result.notes.append(
            "Fjordby: bøvl reports, the review board's decisions, a before/after measurement; "
            f"the named reporter {login.email} reads the answer under My reports."
        )
