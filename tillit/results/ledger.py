"""What a campaign's publications are made on, and what they have published.

At launch the campaign's setup is frozen: each unit's parent as the tree stands then, the
thresholds and the disclosure mode (`freeze_setup`, on the surveys app's `campaign_launched`
signal). Every publication of the campaign is made on that setup, so a reorganisation, a
changed mode or changed thresholds never republish the same answers cut another way
(ANONYMITY.md, "One campaign, many publications"). Each publication's epoch – the answers it
added and the decisions made for them – is kept in the ledger (`Publication`), and the audit
log (`DisclosureEvent`) says when and why.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import timezone

from tillit.org.models import Unit
from tillit.results.disclosure import Thresholds
from tillit.results.models import DisclosureEvent, Publication, ResultSettings, ResultSnapshot
from tillit.surveys.models import Campaign, Invitation, Response


def log_event(
    campaign: Campaign, kind: str, detail: str = "", by=None, facts: dict | None = None
) -> None:
    """Write one line of the disclosure audit log (`facts`: its content as data, shown in the
    reader's language)."""
    DisclosureEvent.objects.create(
        organisation_id=campaign.organisation_id,
        campaign=campaign,
        kind=kind,
        detail=detail[:500],
        facts=facts or {},
        by=by,
    )


def current_mode(campaign: Campaign) -> str:
    """The organisation's disclosure mode today (move-up unless it chose complementary)."""
    found = ResultSettings.objects.filter(organisation_id=campaign.organisation_id).first()
    return found.mode if found else ResultSettings.Mode.MOVE_UP


def _tree_now(campaign: Campaign) -> dict[str, int | None]:
    """{unit pk: parent pk} of the campaign's target subtree and of every unit with
    invitations or responses (with its chain to the organisation's root when it lies outside
    the subtree), the target unit at the top."""
    target = campaign.target_unit
    units = dict(Unit.objects.subtree(target).values_list("pk", "parent_id"))
    with_people = set(
        Invitation.objects.filter(campaign=campaign).values_list("unit_id", flat=True).distinct()
    ) | set(Response.objects.filter(campaign=campaign).values_list("unit_id", flat=True).distinct())
    outside = with_people - set(units)
    if outside:
        wanted: set[int] = set()
        for path in Unit.objects.filter(pk__in=outside).values_list("path", flat=True):
            wanted.update(int(p) for p in path.strip("/").split("/") if p)
        wanted |= {int(p) for p in target.path.strip("/").split("/") if p}
        units.update(Unit.objects.filter(pk__in=wanted).values_list("pk", "parent_id"))
    else:
        units[target.pk] = None
    return {str(pk): (parent if parent in units else None) for pk, parent in units.items()}


@transaction.atomic
def freeze_setup(campaign: Campaign, by=None) -> ResultSnapshot:
    """Freeze the campaign's tree, thresholds and mode, once (at launch; a campaign created
    closed, by an import or the demo, at its first publication)."""
    snapshot, _created = ResultSnapshot.objects.select_for_update().get_or_create(campaign=campaign)
    if snapshot.frozen_at is not None:
        return snapshot
    thresholds = Thresholds(campaign.k, campaign.k_dist, campaign.k_text, campaign.k_sensitive)
    snapshot.tree = _tree_now(campaign)
    snapshot.thresholds = {
        "k": thresholds.k,
        "k_dist": thresholds.k_dist,
        "k_text": thresholds.k_text,
        "k_sensitive": thresholds.k_sensitive,
    }
    snapshot.mode = current_mode(campaign)
    snapshot.frozen_at = timezone.now()
    snapshot.save(update_fields=["tree", "thresholds", "mode", "frozen_at"])
    log_event(
        campaign,
        DisclosureEvent.Kind.FROZEN,
        f"{len(snapshot.tree)} units, mode {snapshot.mode}, k {thresholds.k}",
        by,
        facts={"units": len(snapshot.tree), "mode": snapshot.mode, "k": thresholds.k},
    )
    return snapshot


@dataclass(frozen=True)
class Setup:
    """A campaign's frozen setup, as publications use it."""

    parents: dict[int, int | None]
    thresholds: Thresholds
    mode: str


def frozen_setup(campaign: Campaign) -> Setup:
    """The campaign's frozen setup (frozen now if it never was). Settings changed since the
    freeze are logged once each, and ignored."""
    snapshot = ResultSnapshot.objects.filter(campaign=campaign).first()
    if snapshot is None or snapshot.frozen_at is None:
        snapshot = freeze_setup(campaign)
    t = snapshot.thresholds
    setup = Setup(
        parents={int(pk): parent for pk, parent in snapshot.tree.items()},
        thresholds=Thresholds(t["k"], t["k_dist"], t["k_text"], t["k_sensitive"]),
        mode=snapshot.mode,
    )
    now = {"k": campaign.k, "k_dist": campaign.k_dist, "k_text": campaign.k_text}
    now["k_sensitive"] = campaign.k_sensitive
    changes = [[name, t[name], value] for name, value in now.items() if t[name] != value]
    mode = current_mode(campaign)
    if mode != setup.mode:
        changes.append(["mode", setup.mode, mode])
    if changes:
        # The detail is the entry's key: each change is logged once.
        detail = "; ".join(f"{name} {old} → {new}" for name, old, new in changes)
        if not DisclosureEvent.objects.filter(
            campaign=campaign, kind=DisclosureEvent.Kind.SETTING_IGNORED, detail=detail
        ).exists():
            log_event(
                campaign, DisclosureEvent.Kind.SETTING_IGNORED, detail, facts={"changes": changes}
            )
    return setup


@transaction.atomic  # the snapshot row is locked while its tree grows
def extend_tree(campaign: Campaign, parents: dict[int, int | None], known: dict) -> None:
    """Freeze the place of units first seen after the launch (made since, with answers from
    a poster code): where they hang the first time is where they stay."""
    added = {str(pk): parent for pk, parent in parents.items() if pk not in known}
    if not added:
        return
    snapshot = ResultSnapshot.objects.select_for_update().get(campaign=campaign)
    snapshot.tree = {**added, **snapshot.tree}
    snapshot.save(update_fields=["tree"])


# The ledger's epochs ----------------------------------------------------------------------------


@dataclass
class Epoch:
    """What one publication added: direct counts of the answers that arrived since the one
    before (all answers, for the first) by unit pk, and the decisions made for them."""

    unit_pks: np.ndarray  # [U]
    n_direct: np.ndarray  # [U]
    unit_absorbs: np.ndarray  # [U]
    item_ids: list[str]
    hists: dict[str, np.ndarray] = field(default_factory=dict)  # item → [U, V]
    item_absorbs: np.ndarray | None = None  # [U, I]
    text_ids: list[str] = field(default_factory=list)
    text_counts: np.ndarray | None = None  # [U, T]
    text_absorbs: np.ndarray | None = None  # [U, T]
    text_hashes: list[str] = field(default_factory=list)  # "text id\x00unit pk\x00hash"
    n_seen: np.ndarray | None = None  # [U] every answer at the time, left-out ones included

    def to_bytes(self) -> bytes:
        """Compressed arrays (no pickle: the ledger must never execute what it reads)."""
        arrays = {
            "unit_pks": self.unit_pks,
            "n_direct": self.n_direct,
            "unit_absorbs": self.unit_absorbs,
            "item_ids": np.array(self.item_ids, dtype=str),
            "text_ids": np.array(self.text_ids, dtype=str),
            "text_hashes": np.array(self.text_hashes, dtype=str),
        }
        for name in ("item_absorbs", "text_counts", "text_absorbs", "n_seen"):
            if getattr(self, name) is not None:
                arrays[name] = getattr(self, name)
        for n, item in enumerate(self.item_ids):
            arrays[f"hist{n}"] = self.hists[item]
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, content: bytes) -> Epoch:
        """The epoch stored by `to_bytes`."""
        with np.load(io.BytesIO(bytes(content)), allow_pickle=False) as found:
            item_ids = found["item_ids"].tolist()
            return cls(
                unit_pks=found["unit_pks"],
                n_direct=found["n_direct"],
                unit_absorbs=found["unit_absorbs"],
                item_ids=item_ids,
                hists={item: found[f"hist{n}"] for n, item in enumerate(item_ids)},
                item_absorbs=found.get("item_absorbs", None),
                text_ids=found["text_ids"].tolist(),
                text_counts=found.get("text_counts", None),
                text_absorbs=found.get("text_absorbs", None),
                text_hashes=found["text_hashes"].tolist(),
                n_seen=found.get("n_seen", None),
            )


def epochs_of(campaign: Campaign) -> list[Epoch]:
    """The campaign's published epochs, oldest first."""
    return [
        Epoch.from_bytes(content)
        for content in Publication.objects.filter(campaign=campaign)
        .order_by("number")
        .values_list("epoch", flat=True)
    ]


def record_publication(campaign: Campaign, epoch: Epoch, n_responses: int) -> Publication:
    """Add a publication to the ledger and the audit log."""
    number = Publication.objects.filter(campaign=campaign).count() + 1
    publication = Publication.objects.create(
        campaign=campaign, number=number, n_responses=n_responses, epoch=epoch.to_bytes()
    )
    kind = DisclosureEvent.Kind.PUBLISHED if number == 1 else DisclosureEvent.Kind.REPUBLISHED
    log_event(
        campaign,
        kind,
        f"publication {number}: {n_responses} answers",
        facts={"number": number, "answers": n_responses},
    )
    return publication
