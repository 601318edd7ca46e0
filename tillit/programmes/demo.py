"""Demo programmes for the demo organisations (called by the lead's demo command)."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tillit.org.models import Organisation, Unit
from tillit.programmes import actions
from tillit.programmes.loading import install_shipped_templates
from tillit.programmes.models import Participant, Programme, ProgrammeStep, ProgrammeTemplate


def _version(slug: str):
    return ProgrammeTemplate.objects.get(slug=slug).latest()


def _units(organisation: Organisation) -> list[Unit]:
    """Managed open units first (they make the best demo), deepest last."""
    units = Unit.objects.filter(organisation=organisation).open().order_by("depth", "pk")
    managed = [u for u in units if u.manager_email]
    return managed or list(units)


@transaction.atomic
def build_demo_programmes(organisations: Iterable[Organisation], seed: int = 1) -> list[Programme]:
    """Create the demo programmes; Danish organisation (language da) preferred for samskabt styring.

    - samskabt styring in the Danish organisation (or the Swedish one if none), standing in step
      4 with Danish challenges, solutions and an experiment with before/after measurements;
    - a management-group programme in Swedish in the Swedish organisation;
    - results dialogues with actions, some overdue, in each organisation.
    """
    install_shipped_templates()
    rng = random.Random(seed)
    organisations = list(organisations)
    danish = next((o for o in organisations if o.language == "da"), None)
    swedish = next((o for o in organisations if o.language == "sv"), None) or (
        organisations[0] if organisations else None
    )
    made: list[Programme] = []
    if danish or swedish:
        made.append(_samskabt_styring(danish or swedish, rng))
    if swedish:
        made.append(_management_group(swedish))
    for organisation in organisations:
        made += _results_dialogues(organisation, rng)
    return made


def _start(organisation, slug, title, language, units) -> Programme:
    return actions.do_start_programme(
        organisation=organisation,
        template_version=_version(slug),
        title=title,
        language=language,
        units=units,
        created_by=None,
    )


def _steps(programme: Programme, done: list[str], running: list[str]) -> None:
    for step in programme.steps.all():
        if step.step_id in done:
            actions.do_set_step_status(step, ProgrammeStep.Status.DONE)
            actions.do_set_checklist(step, list(range(len(step.definition.get("checklist", [])))))
        elif step.step_id in running:
            actions.do_set_step_status(step, ProgrammeStep.Status.IN_PROGRESS)


def _people(programme: Programme, unit: Unit, roles: list[str]) -> None:
    if unit.manager_email:
        actions.do_add_participant(programme, unit.manager_email, "", Participant.Role.MANAGER)
    people = list(unit.people.filter(active=True).order_by("pk")[: len(roles)])
    for person, role in zip(people, roles, strict=False):
        actions.do_add_participant(programme, person.email, person.name, role)


def _samskabt_styring(organisation: Organisation, rng: random.Random) -> Programme:
    unit = _units(organisation)[min(1, len(_units(organisation)) - 1)]
    programme = _start(
        organisation, "samskabt-styring", "Mindre bøvl – mere kerneopgave", "da", [unit]
    )
    _people(programme, unit, ["facilitator", "med", "participant", "participant", "participant"])
    _steps(programme, done=["intro", "challenges", "solutions"], running=["test"])
    owner = unit.manager_email or "leder@example.org"
    today = timezone.localdate()
    add = partial(actions.do_create_artefact, notify=False)  # no mail to demo owners
    add(
        programme,
        "intro",
        "glossary_term",
        {
            "title": "Styring",
            "definition": "Alt det, der sætter retning for arbejdet: mål, regler, budgetter, "
            "opfølgning og dokumentationskrav.",
        },
        None,
    )
    add(
        programme,
        "intro",
        "glossary_term",
        {
            "title": "Bøvl",
            "definition": "Opgaver, der tager tid fra kerneopgaven "
            "uden at skabe værdi for borgeren.",
        },
        None,
    )
    add(
        programme,
        "intro",
        "decision",
        {
            "title": "IT-systemer og budget ligger uden for indflydelsesrummet",
            "reason": "Aftalt mellem ledelsen og MED på opstartsmødet.",
        },
        None,
    )
    absence = add(
        programme,
        "challenges",
        "challenge",
        {
            "title": "Dobbeltregistrering af fravær",
            "steering": "Fravær registreres både i vagtplanen og i lønsystemet.",
            "hindrance": "Ca. 20 minutter om dagen for "
            "koordinatoren, som ellers ville være hos borgerne.",
            "evidence": "Registrering i to uger: 14 dobbeltregistreringer om ugen.",
            "stakeholders": "Løn og personale, vagtplanlæggere",
            "priority": "high",
        },
        None,
    )
    visits = add(
        programme,
        "challenges",
        "challenge",
        {
            "title": "Dokumentation af hvert besøg i fritekst",
            "steering": "Krav om fritekstnotat efter hvert besøg, også rutinebesøg.",
            "hindrance": "Medarbejderne skriver det samme igen og "
            "igen; tiden går fra samtalen med borgeren.",
            "evidence": "Observation af to ruter og interview med seks medarbejdere.",
            "stakeholders": "Myndighed, sygeplejen",
            "priority": "high",
        },
        None,
    )
    add(
        programme,
        "challenges",
        "challenge",
        {
            "title": "Tre godkendelser af småindkøb",
            "steering": "Indkøb under 500 kr. skal godkendes af tre personer.",
            "hindrance": "Hjælpemidler kommer for sent ud til borgerne.",
            "priority": "medium",
        },
        None,
    )
    one = add(
        programme,
        "solutions",
        "solution",
        {
            "title": "Fravær registreres ét sted og overføres automatisk",
            "challenge": absence.pk,
            "wanted_effect": "Koordinatoren bruger tiden hos borgerne "
            "i stedet for på registrering.",
            "assessment": "Ja, hvis lønsystemet kan læse vagtplanen – afklaret med IT.",
            "indicator": "Minutter brugt på fraværsregistrering pr. dag.",
        },
        None,
    )
    two = add(
        programme,
        "solutions",
        "solution",
        {
            "title": "Afkrydsning i stedet for fritekst ved rutinebesøg",
            "challenge": visits.pk,
            "wanted_effect": "Mindre dokumentationstid, samme faglige kvalitet.",
            "assessment": "Sandsynligvis – fritekst bevares ved ændringer i borgerens tilstand.",
            "indicator": "Dokumentationstid pr. dag; sygeplejens vurdering af kvaliteten.",
        },
        None,
    )
    experiment = add(
        programme,
        "test",
        "action",
        {
            "title": "Forsøg: afkrydsning ved rutinebesøg på rute 3",
            "owner_email": owner,
            "due_date": today + datetime.timedelta(days=21),
            "status": "running",
            "solution": two.pk,
            "what_changes": "Medarbejderne på rute 3 bruger afkrydsningsskemaet fra 1. i måneden; "
            "fritekst kun ved ændringer.",
            "from_when": today - datetime.timedelta(days=14),
            "test_scope": "Én rute, fire uger",
            "barriers": "Kultur: vane med fritekst. Jura: afklaret med myndighed. Teknik: skema i "
            "omsorgssystemet. Kompetencer: kort introduktion.",
            "effects": "Borgere: mere tid ved besøget. Effektivitet: mindre dokumentationstid. "
            "Arbejdsmiljø: mindre overarbejde.",
        },
        None,
    )
    minutes_before = rng.randint(38, 46)
    actions.do_add_measurement(
        experiment,
        "Dokumentationstid pr. medarbejder",
        str(minutes_before),
        str(minutes_before - rng.randint(10, 16)),
        "min/dag",
        None,
    )
    actions.do_add_log_entry(
        experiment,
        "Første uge: skemaet virker, men to rutiner mangler.",
        None,
        today - datetime.timedelta(days=7),
    )
    add(
        programme,
        "test",
        "action",
        {
            "title": "Fravær registreres kun i vagtplanen",
            "owner_email": owner,
            "due_date": today - datetime.timedelta(days=5),
            "status": "planned",
            "solution": one.pk,
            "what_changes": "Koordinatoren registrerer kun i vagtplanen; løn henter data derfra.",
            "test_scope": "Hele enheden, to måneder",
        },
        None,
    )
    return programme


def _management_group(organisation: Organisation) -> Programme:
    unit = _units(organisation)[0]
    programme = _start(
        organisation,
        "ledningsgruppsutveckling",
        "Ledningsgruppen 2025 – från brandsläckning till helhet",
        "sv",
        [unit],
    )
    _people(programme, unit, ["participant", "participant", "participant"])
    _steps(programme, done=["preparation", "game-rules"], running=["effective-group"])
    add = partial(actions.do_create_artefact, notify=False)  # no mail to demo owners
    for rule, why in (
        ("Vi börjar och slutar i tid", "Respekt för varandras kalendrar."),
        ("Vi tar strategiska frågor först på dagordningen", "Vardagsfrågor tar annars all tid."),
        ("Beslut kommuniceras till medarbetarna inom en vecka", "Öppenhet om vad vi beslutar."),
    ):
        add(programme, "game-rules", "game_rule", {"title": rule, "why": why}, None)
    add(
        programme,
        "preparation",
        "decision",
        {
            "title": "Intervjuerna visade att frågor fastnar mellan verksamhetsområdena",
            "reason": "Sju av åtta medlemmar nämnde stuprör som det största hindret.",
        },
        None,
    )
    add(
        programme,
        "effective-group",
        "decision",
        {
            "title": "Ledningsgruppen äger kompetensförsörjningen gemensamt",
        },
        None,
    )
    return programme


def _results_dialogues(organisation: Organisation, rng: random.Random) -> list[Programme]:
    language = organisation.language
    texts = {
        "sv": (
            "Resultatdialog",
            [
                "Tydliggör vem som beslutar om scheman",
                "Kollegialt lärande varannan vecka",
                "Återkoppling på målen vid APT",
            ],
        ),
        "da": (
            "Resultatdialog",
            [
                "Tydeliggør hvem der beslutter om vagtplaner",
                "Kollegial sparring hver anden uge",
                "Opfølgning på målene på personalemødet",
            ],
        ),
        "nb": (
            "Resultatdialog",
            [
                "Tydeliggjør hvem som bestemmer turnus",
                "Kollegalæring annenhver uke",
                "Tilbakemelding på målene på personalmøtet",
            ],
        ),
        "en": (
            "Results dialogue",
            [
                "Clarify who decides rotas",
                "Peer learning every other week",
                "Feedback on goals at team meetings",
            ],
        ),
    }
    title, titles = texts.get(language, texts["sv"])
    made = []
    today = timezone.localdate()
    for unit in [u for u in _units(organisation) if u.manager_email][:2]:
        programme = _start(
            organisation, "resultatdialog", f"{title} – {unit.name}", language, [unit]
        )
        _people(programme, unit, ["participant", "participant"])
        _steps(programme, done=["results", "reflection"], running=["actions"])
        for index, action_title in enumerate(titles):
            due = today + datetime.timedelta(days=rng.choice([-20, -6, 10, 30]) if index else -12)
            actions.do_create_artefact(
                programme,
                "actions",
                "action",
                {
                    "title": action_title,
                    "owner_email": unit.manager_email,
                    "due_date": due,
                    "status": "done" if index == 2 and due < today else "planned",
                },
                None,
                unit=unit,
                notify=False,
            )
        made.append(programme)
    return made


def extend_demo(result) -> None:
    """`tillit demo` hook (see tillit/org/demo.py): programmes for new demo organisations."""
    created = [result.organisations[slug] for slug in result.created]
    if not created:
        return
    made = build_demo_programmes(created, seed=result.seed)
    result.notes.append(
        gettext("Programmes: %(list)s")
        % {"list": "; ".join(f"{p.title} ({p.organisation.name})" for p in made[:4])}
    )
