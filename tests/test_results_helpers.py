"""Builders shared by the results tests (no tests here): campaigns with real answer rows."""

from __future__ import annotations

import datetime as dt
import itertools

from tillit.instruments.shipped import install_shipped
from tillit.org.models import Organisation, Unit
from tillit.surveys.models import Campaign, CampaignInstrument, Invitation, hash_token
from tillit.surveys.storing import bulk_store_responses

# An instrument with one 0–10 item, beside HME's 1–5 scales.
ELEVEN = b"""
id: elva
version: 1
languages: [sv]
title: {sv: Elva}
scales:
  s11: {min: 0, max: 10, labels: {sv: [a, b, c, d, e, f, g, h, i, j, k]}}
sections:
  - id: s
    title: {sv: S}
    items:
      - {id: nps, type: scale, scale: s11, text: {sv: Rekommendera}}
"""

HME_ITEMS = ("mot1", "mot2", "mot3", "led1", "led2", "led3", "sty1", "sty2", "sty3")
_tokens = itertools.count()


def versions():
    installed = {v.instrument.slug: v for v, _new in install_shipped()}
    return [installed["hme"], installed["tillitsindex"]]


def make_campaign(
    org: Organisation, target: Unit, name: str = "Enkät 2026", year: int = 2026, **fields
) -> Campaign:
    """A closed campaign of HME + Tillitsindex sent to `target`'s subtree."""
    campaign = Campaign.objects.create(
        organisation=org,
        name=name,
        target_unit=target,
        opens_on=dt.date(year, 3, 1),
        closes_on=dt.date(year, 3, 21),
        status=fields.pop("status", Campaign.Status.CLOSED),
        **fields,
    )
    for order, version in enumerate(versions()):
        CampaignInstrument.objects.create(campaign=campaign, version=version, order=order)
    return campaign


def answer(
    campaign: Campaign, unit: Unit, values: list[int], comments=(), invited=None, bands=()
) -> None:
    """One response per value (every HME and Tillitsindex scale item gets that value); the
    first len(comments) respondents write a comment to "hjalper", the first len(bands) carry
    those background bands. Invitations too."""
    definitions = {v.definition["id"]: v.definition for v in campaign.versions()}
    ti_items = [
        i["id"]
        for s in definitions["tillitsindex"]["sections"]
        for i in s["items"]
        if i["type"] == "scale"
    ]
    rows = []
    for n, value in enumerate(values):
        ti = dict.fromkeys(ti_items, value)
        if n < len(comments):
            ti["hjalper"] = comments[n]
        background = bands[n] if n < len(bands) else {}
        rows.append(
            (unit.pk, background, {"hme": dict.fromkeys(HME_ITEMS, value), "tillitsindex": ti})
        )
    bulk_store_responses(campaign.pk, rows, definitions, campaign.closes_on)
    total = len(values) if invited is None else invited
    Invitation.objects.bulk_create(
        Invitation(
            campaign=campaign,
            unit=unit,
            token_hash=hash_token(f"t{next(_tokens)}"),
            responded=n < len(values),
        )
        for n in range(total)
    )


def add_unit(org: Organisation, external_id: str, parent: Unit, **fields) -> Unit:
    return Unit.objects.create(
        organisation=org,
        external_id=external_id,
        name=fields.pop("name", external_id),
        parent=parent,
        **fields,
    )
