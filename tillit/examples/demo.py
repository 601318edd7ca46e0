"""Demo library (the `tillit demo` hook): fifteen good examples in Tillby (Swedish) and
Fjordby (Danish) with evidence, two adoptions at different stages, one example shared between
the two organisations and adapted in Tillby.

Tillby collects with a Goda exempel programme: two units' stories and the lessons from the
follow-up interviews become drafts; one is published, one waits in review. Fjordby's examples
point to its review board's measured decision and its experiment's before/after figures.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from tillit.examples import actions
from tillit.examples.evidence import index_changes
from tillit.examples.models import Adoption, ExamplesRole, GoodExample
from tillit.org.demo import FJORDBY, FJORDBY_LEADER, TILLBY, TILLBY_OWNER
from tillit.org.models import Organisation, Unit
from tillit.programmes import actions as programme_actions
from tillit.programmes.models import Artefact, ProgrammeTemplate
from tillit.results.refreshing import get_snapshot
from tillit.steering.models import Signal

# (title, problem, what changed, areas, principles, effort, preconditions, barriers)
TILLBY_EXAMPLES = [
    (
        "Färre mål – tre som alla kan",
        "Enheten hade 23 mål från fyra nivåer. Ingen kunde räkna upp dem och uppföljningen blev "
        "en pappersövning.",
        "Arbetsgruppen valde tillsammans med chefen ut tre mål som säger något om brukarens "
        "vardag. De andra redovisas en gång om året i stället för varje månad.",
        ["steering"],
        ["helhetssyn", "tillit"],
        "Två arbetsplatsträffar och ett samtal med förvaltningens controller.",
        "En förvaltningschef som accepterar att inte alla mål följs upp månadsvis.",
        "Rädsla att tappa kontrollen; systemet visade alla mål som röda tills det ändrades.",
    ),
    (
        "Kollegial handledning varannan vecka",
        "Nya medarbetare stod ensamma med svåra beslut, och erfarna lärde inte av varandra.",
        "En timme varannan vecka tar gruppen upp ett verkligt ärende utan chefen i rummet. "
        "Lärdomarna skrivs på en sida som alla läser.",
        ["leadership", "culture"],
        ["kunskap", "stod"],
        "En timme varannan vecka; en kollega leder samtalet i tur och ordning.",
        "Schemat måste ha tiden inlagd, annars äter den dagliga driften upp den.",
        "Vikarier och långa avstånd mellan arbetsställena.",
    ),
    (
        "Delegerad budget för små inköp",
        "Varje inköp under 2 000 kronor krävde chefens attest och tog i snitt elva dagar.",
        "Arbetsgrupperna har en egen pott och bestämmer själva; de redovisar en gång per kvartal "
        "vad pengarna gick till.",
        ["steering", "work_organisation"],
        ["handlingsutrymme", "tillit"],
        "En ändring i delegationsordningen och en kvart per kvartal.",
        "Ekonomienheten ställer upp med en enkel redovisningsmall.",
        "Internkontrollen ville först ha stickprov varje månad.",
    ),
    (
        "Brukarens röst på varje APT",
        "Arbetsplatsträffarna handlade om scheman och lokaler, sällan om dem vi är till för.",
        "Varje APT börjar med en berättelse från en brukare eller anhörig, och gruppen frågar sig "
        "vad den säger om hur vi arbetar.",
        ["culture"],
        ["medborgarfokus", "oppenhet"],
        "Tio minuter per APT och någon som samlar berättelserna.",
        "Samtycke från brukarna att berättelsen används.",
        "Det var svårt att få berättelser i början.",
    ),
    (
        "Rätt att säga nej till en rapport",
        "Medarbetarna lade tid på rapporter som ingen läste, utan att våga fråga varför.",
        "Alla får ställa frågan 'vem läser detta och vad beslutas på det?'. Svaret går till "
        "styrsignalregistret; två rapporter är borta.",
        ["steering", "culture"],
        ["oppenhet", "handlingsutrymme"],
        "Ett beslut i ledningsgruppen och en kanal för frågorna.",
        "Att ledningen svarar inom en månad, annars dör frågorna.",
        "Somliga rapporter kräver lagen; de blev kvar men förklarades.",
    ),
    (
        "Morgonmöte på femton minuter",
        "Dagens planering skedde i korridoren och informationen nådde inte alla.",
        "Ett stående möte klockan 7.45 med tavla: vad händer i dag, vem behöver hjälp, vad lärde "
        "vi oss i går.",
        ["work_organisation", "leadership"],
        ["helhetssyn", "stod"],
        "Femton minuter om dagen och en whiteboard.",
        "Att chefen är med de första veckorna och sedan lämnar över.",
        "Deltidsanställda som börjar senare missar mötet.",
    ),
    (
        "Chefen frågar: vad behöver du av mig?",
        "Medarbetarsamtalen handlade om mål som chefen satt upp, och gav lite tillbaka.",
        "Samtalen börjar nu med medarbetarens fråga om vad den behöver av chefen, och slutar "
        "med vad chefen lovar.",
        ["leadership"],
        ["tillit", "stod"],
        "Ingen extra tid; en ny samtalsmall.",
        "Chefer som orkar höra svaren.",
        "Mallen från HR var låst i systemet ett år till.",
    ),
]
FJORDBY_EXAMPLES = [
    (
        "Afkrydsning i stedet for fritekst ved rutinebesøg",
        "Medarbejderne i hjemmeplejen skrev fritekst efter hvert rutinebesøg, også når intet "
        "var ændret. Det tog 39 minutter om dagen.",
        "Ved rutinebesøg uden ændringer krydser medarbejderen af; fritekst kun ved ændringer. "
        "Afprøvet på rute 3 i seks uger.",
        ["steering", "work_organisation"],
        ["tillit", "handlingsutrymme"],
        "Seks ugers forsøg, en logbog i to uger før og efter.",
        "Accept fra ledelsen af at fritekst ikke er et krav ved uændrede besøg.",
        "Bekymring for tilsynet; løst ved at vise logbogen.",
    ),
    (
        "Fravær registreres kun ét sted",
        "Fravær blev registreret både i Aula og i lønsystemet – 20 minutter om dagen for "
        "koordinatoren.",
        "Review-boardet forenklede kravet: lønsystemet henter fraværet fra vagtplanen.",
        ["steering"],
        ["helhetssyn"],
        "Et møde i review-boardet og en opsætning i lønsystemet.",
        "En leverandør der kunne lave integrationen.",
        "Integrationen tog tre måneder.",
    ),
    (
        "Kvalitetsrapporten ingen læste",
        "En kvartalsvis kvalitetsrapport tog en dag at lave og blev ikke brugt til beslutninger.",
        "Rapporten er fjernet; i stedet taler ledelsen med hver enhed om to nøgletal.",
        ["steering", "leadership"],
        ["tillit", "kunskap"],
        "Et beslut i direktionen.",
        "At nogen spørger: hvilken beslutning fodrer rapporten?",
        "Frygt for at miste overblikket.",
    ),
    (
        "Fælles sprog om styring med dialogkort",
        "Ledere og medarbejdere mente noget forskelligt med 'styring' og talte forbi hinanden.",
        "Dialogkortene blev brugt på et MED-møde; gruppen skrev en ordliste, som nu bruges i "
        "alle møder.",
        ["culture"],
        ["oppenhet", "kunskap"],
        "Et MED-møde på to timer.",
        "En procesleder der kender kortene.",
        "Ingen særlige.",
    ),
    (
        "Teamet planlægger selv ruterne",
        "Ruterne blev lagt centralt og passede ikke til borgernes behov eller kollegernes "
        "kompetencer.",
        "Dagholdet planlægger selv ruterne hver uge inden for en fast ramme.",
        ["work_organisation"],
        ["handlingsutrymme", "medborgarfokus"],
        "En time om ugen for to medarbejdere.",
        "Adgang til planlægningssystemet for teamet.",
        "Planlæggerne skulle finde en ny rolle.",
    ),
    (
        "Skolens bøvljagt",
        "Lærerne brugte tid på registreringer, som ingen kunne forklare formålet med.",
        "På to workshops fandt lærerne 48 eksempler på bøvl; fem blev fjernet med det samme.",
        ["steering", "culture"],
        ["oppenhet", "tillit"],
        "To workshops á to timer.",
        "En skoleleder der tager resultatet med til forvaltningen.",
        "Nogle krav ligger hos staten.",
    ),
]

# The Goda exempel programme's stories and lessons in Tillby.
STORIES = [
    (
        "Hemtjänsten som slutade jaga minuter",
        "Vi mätte allt i minuter och ingen mådde bra av det. Nu planerar grupperna själva "
        "besöken utifrån vad brukaren behöver, och vi följer upp det brukarna säger.",
    ),
    (
        "Förskolan där alla får leda ett möte",
        "Hos oss leder varje pedagog ett personalmöte per termin. Det har gjort att fler tar "
        "ansvar för helheten och att chefen lyssnar mer än hon pratar.",
    ),
]
LESSONS = [
    (
        "leadership",
        "Hur arbetar ni med återkoppling?",
        "Chefen frågar varje vecka vad som gick "
        "bra och vad som skaver; kollegorna ger varandra återkoppling efter svåra besök.",
    ),
    (
        "steering",
        "Hur hanterar ni mängden mål?",
        "Vi har tre mål som gruppen själv formulerat "
        "utifrån nämndens; resten följs upp en gång per år.",
    ),
    (
        "culture",
        "Hur stärks tilliten i gruppen?",
        "Vi säger vad vi förväntar oss av varandra och går igenom det på varje APT.",
    ),
]


def _publish(example: GoodExample) -> GoodExample:
    actions.do_submit_for_review(example)
    actions.do_publish(example, None)
    example.refresh_from_db()
    return example


def _publish_results(organisation: Organisation) -> None:
    """Publish the closed surveys, as the first reader of the results page would: the
    evidence reads only stored publications. (Read through the app registry: examples sit
    below surveys in DESIGN.md's order and import nothing of it.)"""
    campaign = apps.get_model("surveys", "Campaign")
    for found in campaign.objects.filter(organisation=organisation, status="closed"):
        get_snapshot(found)


def _units(organisation: Organisation) -> tuple[list[Unit], list[Unit]]:
    """Units with a published change between the two surveys, and the others."""
    units = list(
        Unit.objects.filter(organisation=organisation, depth__gte=2).open().order_by("path")
    )
    measured = [u for u in units if index_changes(u)]
    return measured, [u for u in units if u not in measured]


def _examples(organisation, rows, language, units, author_email) -> list[GoodExample]:
    made = []
    for i, (title, problem, changed, areas, principles, effort, pre, barriers) in enumerate(rows):
        unit = units[i % len(units)]
        example = actions.do_create_example(
            organisation,
            {
                "title": title,
                "problem": problem,
                "what_changed": changed,
                "areas": areas,
                "principles": principles,
                "effort": effort,
                "preconditions": pre,
                "barriers": barriers,
                "language": language,
                "languages": [language],
                "inventory": [
                    {"area": area, "question": "", "answer": changed} for area in areas[:1]
                ],
            },
            [unit],
            None,
        )
        if unit.manager_email:
            actions.do_add_contact(
                example,
                unit,
                unit.manager_email.split("@")[0].replace(".", " ").title(),
                unit.manager_email,
                "",
                consent=i % 3 != 2,
            )
        made.append(example)
    return made


def _goda_exempel(organisation: Organisation, units: list[Unit]) -> list[GoodExample]:
    template = ProgrammeTemplate.objects.get(slug="goda-exempel").latest()
    programme = programme_actions.do_start_programme(
        organisation=organisation,
        template_version=template,
        title="Goda exempel 2026",
        language="sv",
        units=units[:2],
        created_by=None,
    )
    for title, text in STORIES:
        programme_actions.do_create_artefact(
            programme, "invitation", "story", {"title": title, "teller": "", "text": text}, None
        )
    for area, question, answer in LESSONS:
        programme_actions.do_create_artefact(
            programme,
            "follow-up",
            "lesson",
            {"title": question, "area": area, "detail": answer},
            None,
        )
    return actions.do_draft_from_programme(programme, None)


def build_library(tillby: Organisation, fjordby: Organisation) -> dict[str, int]:
    """The demo library across both organisations."""
    for organisation in (tillby, fjordby):
        _publish_results(organisation)
    ExamplesRole.objects.get_or_create(organisation=tillby, email=TILLBY_OWNER)
    ExamplesRole.objects.get_or_create(organisation=fjordby, email=FJORDBY_LEADER)

    # Fjordby: its measured decision and experiment are the evidence of the first two.
    f_measured, f_other = _units(fjordby)
    f_examples = _examples(fjordby, FJORDBY_EXAMPLES, "da", f_measured or f_other, FJORDBY_LEADER)
    experiment = (
        Artefact.objects.filter(organisation=fjordby, kind="action")
        .exclude(measurements=[])
        .first()
    )
    if experiment:
        units = [experiment.unit] if experiment.unit else None
        actions.do_update_example(f_examples[0], {"artefacts": [experiment]}, units, None)
    signal = Signal.objects.filter(organisation=fjordby, measurements__isnull=False).first()
    if signal:
        actions.do_update_example(f_examples[1], {"signals": [signal]}, None, None)
    for example in f_examples:
        _publish(example)
    shared = f_examples[0]
    actions.do_set_shared(shared, True)

    # Tillby: stories from its Goda exempel programme, then examples of the short form.
    t_measured, t_other = _units(tillby)
    units = t_measured or t_other
    drafts = _goda_exempel(tillby, units)
    _publish(drafts[0])
    actions.do_submit_for_review(drafts[1])
    t_examples = _examples(tillby, TILLBY_EXAMPLES, "sv", units, TILLBY_OWNER)
    for example in t_examples:
        _publish(example)
    # An adaptation of Fjordby's shared example, and the adoptions.
    johan = Unit.objects.filter(organisation=tillby, manager_email="johan.berg@tillby.se").first()
    home = johan or units[0]
    adapted = actions.do_create_example(
        tillby,
        {
            "title": "Bocka av i stället för fritext vid rutinbesök",
            "problem": "Vi skrev fritext efter varje rutinbesök i hemtjänsten, även när inget "
            "hade ändrats.",
            "what_changed": "Efter Fjordbys försök bockar vi av vid oförändrade besök och skriver "
            "bara när något har hänt. Vi lade till en fråga om brukarens mående.",
            "areas": ["steering", "work_organisation"],
            "principles": ["tillit", "handlingsutrymme"],
            "kind": GoodExample.Kind.ADAPTED,
            "origin": shared,
            "language": "sv",
        },
        [home],
        None,
    )
    _publish(adapted)
    today = timezone.localdate()
    implemented = actions.do_adopt(
        shared,
        home,
        {
            "stage": Adoption.Stage.TESTING,
            "adapted": "En fråga om brukarens mående lades till.",
            "follow_up_months": 3,
        },
        None,
        today=today - dt.timedelta(days=120),
    )
    actions.do_answer_follow_up(
        implemented,
        "yes",
        "Dokumentationstiden sjönk med en kvart per dag och ingen vill tillbaka.",
        None,
    )
    considering = actions.do_adopt(
        t_examples[0],
        units[-1],
        {"stage": Adoption.Stage.CONSIDERING, "follow_up_months": 2},
        None,
        today=today - dt.timedelta(days=70),
    )
    return {
        "examples": GoodExample.objects.filter(organisation__in=[tillby, fjordby]).count(),
        "adoptions": 2 if considering else 1,
    }


@transaction.atomic
def extend_demo(result) -> None:
    """`tillit demo` hook (see tillit/org/demo.py): the library, when both demo organisations
    were made in this run (the shared example and the adaptation span them)."""
    if TILLBY in result.created and FJORDBY in result.created:
        counts = build_library(result.organisations[TILLBY], result.organisations[FJORDBY])
        result.notes.append(
            f"Good examples: {counts['examples']} in Tillby and Fjordby, one shared and adapted, "
            f"{counts['adoptions']} adoptions (one implemented, one being considered)."
        )
