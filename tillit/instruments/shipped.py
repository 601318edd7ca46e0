"""The instruments that ship with Tillit (HME, Tillitsindex, Goda exempel)."""

from pathlib import Path

from django.db import transaction

from tillit.instruments.loading import install, load_yaml
from tillit.instruments.models import InstrumentVersion

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_FILES = ("hme.yaml", "tillitsindex.yaml", "goda_exempel.yaml")


def install_shipped() -> list[tuple[InstrumentVersion, bool]]:
    """Install every shipped instrument as a global one; idempotent (unchanged adds nothing)."""
    definitions = [load_yaml((DATA_DIR / name).read_bytes()) for name in SHIPPED_FILES]
    with transaction.atomic():
        return [install(definition) for definition in definitions]
