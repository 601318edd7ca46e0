"""The demo library tells its story across Tillby and Fjordby."""

import pytest

from tillit.examples.evidence import evidence_for
from tillit.examples.models import Adoption, GoodExample
from tillit.org.demo import build_demo

pytestmark = pytest.mark.django_db


def test_demo_library(db):
    build_demo("small")
    examples = GoodExample.objects.all()
    assert 14 <= examples.count() <= 17
    assert {e.organisation.slug for e in examples} == {"tillby", "fjordby"}
    assert set(examples.values_list("status", flat=True)) == {"published", "review"}
    published = examples.filter(status="published")
    assert all(evidence_for(e).any for e in published)
    shared = examples.get(shared=True)
    assert shared.organisation.slug == "fjordby"
    adapted = examples.get(origin=shared)
    assert adapted.organisation.slug == "tillby" and adapted.kind == "adapted"
    stages = set(Adoption.objects.values_list("stage", flat=True))
    assert stages == {"implemented", "considering"}
    assert examples.filter(source_programme__isnull=False).count() == 2  # Goda exempel stories
