"""The materialised path keeps subtree and ancestor queries right through moves."""

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
