"""The materialised path keeps subtree and ancestor queries right through moves."""

import pytest

from tillit.org import actions
from tillit.org.models import Unit


def test_paths_follow_the_tree(units):
    assert units["HEM"].path == f"/{units['K'].pk}/{units['SOC'].pk}/{units['HEM'].pk}/"
    assert units["HEM"].depth == 2
    assert [u.external_id for u in units["HEM"].ancestors()] == ["K", "SOC"]
    subtree = set(Unit.objects.subtree(units["SOC"]).values_list("external_id", flat=True))
    assert subtree == {"SOC", "HEM"}


def test_moving_a_unit_moves_its_subtree(units):
    soc = units["SOC"]
    soc.parent = units["BUF"]
    soc.save()
    hem = Unit.objects.get(pk=units["HEM"].pk)
    assert hem.depth == 3
    assert [u.external_id for u in hem.ancestors()] == ["K", "BUF", "SOC"]
    assert set(Unit.objects.subtree(units["BUF"]).values_list("external_id", flat=True)) == {
        "BUF",
        "SOC",
        "HEM",
    }


def test_a_unit_with_open_units_below_cannot_be_closed(units):
    with pytest.raises(actions.TreeError):
        actions.do_close_unit(units["SOC"])
    assert Unit.objects.get(pk=units["SOC"].pk).closed_at is None
    assert actions.do_close_unit(units["HEM"])
    assert actions.do_close_unit(Unit.objects.get(pk=units["SOC"].pk))


def test_a_unit_under_a_closed_unit_cannot_be_reopened(units):
    actions.do_close_unit(units["HEM"])
    actions.do_close_unit(Unit.objects.get(pk=units["SOC"].pk))
    with pytest.raises(actions.TreeError):
        actions.do_reopen_unit(Unit.objects.get(pk=units["HEM"].pk))
    assert actions.do_reopen_unit(Unit.objects.get(pk=units["SOC"].pk))
    assert actions.do_reopen_unit(Unit.objects.get(pk=units["HEM"].pk))
