"""Demo surveys: a closed HME + Tillitsindex campaign with realistic synthetic answers, the
year before it for trends, and an open pulse survey that publishes participation only.

Answers come from a simple model: each unit has an effect (some units clearly better or worse),
each respondent a personal level, each item its own mean; answers are those rounded onto the
1–5 scale. Response rates vary by unit around 75 %, so small units fall below the threshold.
Everything is written with bulk inserts (a few seconds for 3,000 people).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from tillit.instruments.definition import iter_items
from tillit.instruments.models import InstrumentVersion
from tillit.instruments.shipped import install_shipped
from tillit.org.models import Organisation, Person, Unit
from tillit.surveys.demo_comments import BANK, demo_comment
from tillit.surveys.models import (
    Campaign,
    CampaignEvent,
    CampaignInstrument,
    Invitation,
    age_band,
    hash_token,
    new_token,
    tenure_band,
)
from tillit.surveys.signals import campaign_launched
from tillit.surveys.storing import bulk_store_responses


def _versions() -> list[InstrumentVersion]:
    installed = {version.instrument.slug: version for version, _new in install_shipped()}
    return [installed["hme"], installed["tillitsindex"]]


def _campaign(
    organisation: Organisation,
    name: str,
    opens: dt.date,
    closes: dt.date,
    language: str,
    status: str = Campaign.Status.CLOSED,
) -> Campaign:
    root = Unit.objects.filter(organisation=organisation, parent__isnull=True).order_by("pk")
    campaign = Campaign.objects.create(
        organisation=organisation,
        name=name,
        target_unit=root.first(),
        opens_on=opens,
        closes_on=closes,
        languages=[language],
        ask_age=True,
        ask_tenure=True,
        status=status,
    )
    CampaignInstrument.objects.bulk_create(
        CampaignInstrument(campaign=campaign, version=version, order=n)
        for n, version in enumerate(_versions())
    )
    return campaign


def _answers(
    rng: random.Random,
    versions: list[InstrumentVersion],
    level: float,
    item_means: dict[str, float],
    language: str,
) -> dict[str, dict]:
    """One respondent's answers: scale items from the model, now and then a comment."""
    answers: dict[str, dict] = {}
    for version in versions:
        definition = version.definition
        mine: dict = {}
        for _section, item in iter_items(definition):
            key = f"{definition['id']}.{item['id']}"
            if item["type"] == "scale":
                if rng.random() < 0.02:  # an optional item skipped now and then
                    continue
                value = item_means[key] + level + rng.gauss(0, 0.75)
                mine[item["id"]] = min(5, max(1, round(value)))
            # About a third write a comment to each open question, as in real staff surveys.
            elif item["type"] == "text" and rng.random() < 0.3:
                comment = demo_comment(rng, language, item["id"])
                if comment:
                    mine[item["id"]] = comment
        answers[definition["id"]] = mine
    return answers


def _survey(
    organisation: Organisation,
    rng: random.Random,
    *,
    name: str,
    opens: dt.date,
    closes: dt.date,
    unit_effects: dict[int, float],
    base_means: dict[str, float],
    shift: float,
    language: str,
    status: str = Campaign.Status.CLOSED,
    rate_mean: float = 0.75,
) -> Campaign:
    campaign = _campaign(organisation, name, opens, closes, language, status)
    versions = campaign.versions()
    definitions = {v.definition["id"]: v.definition for v in versions}
    item_means = {key: mean + shift for key, mean in base_means.items()}
    people = defaultdict(list)
    for person in Person.objects.filter(organisation=organisation, active=True).only(
        "pk", "unit_id", "birth_year", "start_date"
    ):
        people[person.unit_id].append(person)
    invitations, rows = [], []
    days = (closes - opens).days
    for unit_id, members in people.items():
        rate = min(0.98, max(0.1, rng.gauss(rate_mean, 0.12)))
        effect = unit_effects[unit_id]
        for person in members:
            responded = rng.random() < rate
            invitations.append(
                Invitation(
                    campaign=campaign,
                    person=person,
                    unit_id=unit_id,
                    token_hash=hash_token(new_token()),  # the link was "mailed"; never kept
                    responded=responded,
                    language=language,
                )
            )
            if not responded:
                continue
            bands = {
                "age": age_band(person.birth_year, closes),
                "tenure": tenure_band(person.start_date, closes),
            }
            level = effect + rng.gauss(0, 0.55)
            rows.append(
                (
                    unit_id,
                    {k: v for k, v in bands.items() if v},
                    _answers(rng, versions, level, item_means, language),
                )
            )
    # Rows are not in invitation order: nothing ties a response to an invitation.
    rng.shuffle(rows)
    Invitation.objects.bulk_create(invitations, batch_size=2000)
    if status == Campaign.Status.OPEN:
        # Launched as `do_launch_campaign` launches: its publications' setup is frozen now.
        campaign_launched.send(sender=None, campaign=campaign)
        CampaignEvent.objects.create(campaign=campaign, kind=CampaignEvent.Kind.LAUNCHED)
        days = max(0, (min(closes, timezone.localdate()) - opens).days)
    for n, chunk in enumerate(_chunks(rows, max(1, len(rows) // max(1, days)) + 1)):
        bulk_store_responses(
            campaign.pk, chunk, definitions, opens + dt.timedelta(days=min(n, days))
        )
    if status == Campaign.Status.CLOSED:
        CampaignEvent.objects.create(
            campaign=campaign, kind=CampaignEvent.Kind.CLOSED, detail="demo"
        )
    return campaign


def _chunks(rows: list, size: int):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def build_demo_surveys(organisation: Organisation, seed: int = 2026) -> list[Campaign]:
    """Closed "Medarbetarenkät 2025" and "Medarbetarenkät 2026" (HME + Tillitsindex) with
    synthetic answers for every active person of the organisation."""
    rng = random.Random(seed)
    language = organisation.language if organisation.language in BANK else "sv"
    units = list(Unit.objects.filter(organisation=organisation).values_list("pk", flat=True))
    # A unit's standing is partly lasting (culture, leadership) and partly this year's.
    lasting = {pk: rng.gauss(0, 0.45) for pk in units}
    for pk in rng.sample(units, k=max(1, len(units) // 12)):
        lasting[pk] += rng.choice([-0.9, 0.8])  # some units clearly worse or better
    # Some items are answered higher than others, the same way every year.
    base_means = {
        f"{v.definition['id']}.{item['id']}": 3.55 + rng.uniform(-0.45, 0.35)
        for v in _versions()
        for _s, item in iter_items(v.definition)
    }
    with transaction.atomic():
        earlier = _survey(
            organisation,
            rng,
            name="Medarbetarenkät 2025",
            opens=dt.date(2025, 3, 3),
            closes=dt.date(2025, 3, 23),
            unit_effects={pk: lasting[pk] + rng.gauss(0, 0.25) for pk in units},
            base_means=base_means,
            shift=-0.15,
            language=language,
        )
        latest = _survey(
            organisation,
            rng,
            name="Medarbetarenkät 2026",
            opens=dt.date(2026, 3, 2),
            closes=dt.date(2026, 3, 22),
            unit_effects={pk: lasting[pk] + rng.gauss(0, 0.25) for pk in units},
            base_means=base_means,
            shift=0.0,
            language=language,
        )
        today = timezone.localdate()
        pulse = _survey(
            organisation,
            rng,
            name="Pulsmätning" if language == "sv" else "Pulsmåling",
            opens=today - dt.timedelta(days=5),
            closes=today + dt.timedelta(days=9),
            unit_effects={pk: lasting[pk] + rng.gauss(0, 0.25) for pk in units},
            base_means=base_means,
            shift=0.05,
            language=language,
            status=Campaign.Status.OPEN,
            rate_mean=0.45,
        )
    return [earlier, latest, pulse]


def extend_demo(result) -> None:
    """`tillit demo` hook (see tillit/org/demo.py): surveys for each newly created organisation."""
    for slug in result.created:
        organisation = result.organisations[slug]
        build_demo_surveys(organisation, result.seed)
        result.notes.append(
            f"{organisation.name}: closed surveys “Medarbetarenkät 2025” and “Medarbetarenkät "
            "2026” (HME + Tillitsindex) with synthetic answers, and an open pulse survey "
            "(participation only until it closes)."
        )
