"""Programme templates as data: validation with paths, installing by checksum, the shipped ones."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tillit.programmes.catalogue import ARTEFACT_KINDS, TOOL_TYPES
from tillit.programmes.loading import (
    DATA_DIR,
    SHIPPED_FILES,
    TemplateFileError,
    install,
    install_shipped_templates,
    load_yaml,
)
from tillit.programmes.models import ProgrammeTemplate, TemplateVersion

FILES = Path(__file__).resolve().parent / "data" / "templates"
LANGUAGES = ("sv", "da", "nb", "en")


def errors_of(name: str) -> list[str]:
    with translation.override("en"), pytest.raises(TemplateFileError) as caught:
        load_yaml((FILES / name).read_bytes())
    return caught.value.errors


def test_good_file_is_normalised():
    definition = load_yaml((FILES / "good.yaml").read_bytes())
    assert [s["id"] for s in definition["steps"]] == ["one", "two"]
    tool = definition["steps"][0]["tools"][0]
    assert tool["config"]["cards"][0]["text"]["da"] == "Kort"
    assert definition["steps"][0]["produces"] == ["challenge"]
    assert definition["steps"][1]["checklist"] == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("not_yaml.yaml", "not valid YAML"),
        ("missing_key.yaml", "guide: missing required key"),
        ("unknown_tool.yaml", "steps[1].tools[1].type: unknown tool 'cardz'"),
        ("missing_language.yaml", "steps[0].title.nb: missing text in 'nb'"),
        ("duplicate_step.yaml", "steps[1].id: duplicate step id 'one' (first at steps[0])"),
        ("unknown_kind.yaml", "steps[1].produces[1]: unknown artefact kind 'poem'"),
    ],
)
def test_bad_file_reports_path_and_installs_nothing(db, name, expected):
    errors = errors_of(name)
    assert any(e.startswith(expected) or expected in e for e in errors), errors
    with pytest.raises(CommandError) as caught:
        call_command("import_template", str(FILES / name))
    assert caught.value.returncode == 1
    assert not ProgrammeTemplate.objects.exists()
    assert not TemplateVersion.objects.exists()


def test_every_error_is_reported_at_once():
    raw = (FILES / "good.yaml").read_text()
    raw = raw.replace("type: brainstorm", "type: cardz").replace(
        "produces: [challenge]", "produces: [poem]"
    )
    with translation.override("en"), pytest.raises(TemplateFileError) as caught:
        load_yaml(raw)
    joined = "\n".join(caught.value.errors)
    assert "steps[1].tools[1].type: unknown tool 'cardz'" in joined
    assert "steps[0].produces[0]: unknown artefact kind 'poem'" in joined


def test_tool_config_is_checked_against_its_type():
    raw = (
        (FILES / "good.yaml")
        .read_text()
        .replace("{dots: 3, of: challenge}", "{dots: 0, colour: red}")
    )
    with translation.override("en"), pytest.raises(TemplateFileError) as caught:
        load_yaml(raw)
    joined = "\n".join(caught.value.errors)
    assert "steps[0].tools[1].config.colour: unknown key" in joined
    assert "steps[0].tools[1].config.dots: expected a whole number of at least 1" in joined


def test_import_command_installs_and_changed_file_is_a_new_version(db, tmp_path, capsys):
    call_command("import_template", str(FILES / "good.yaml"))
    call_command("import_template", str(FILES / "good.yaml"))
    assert "unchanged: test-template version 1" in capsys.readouterr().out
    changed = tmp_path / "changed.yaml"
    changed.write_text((FILES / "good.yaml").read_text().replace("Så här.", "Så här gör du."))
    call_command("import_template", str(changed))
    template = ProgrammeTemplate.objects.get(slug="test-template")
    assert list(template.versions.values_list("number", flat=True)) == [1, 2]
    assert template.latest().definition["guide"]["sv"] == "Så här gör du."


def test_shipped_templates_validate_and_install_in_all_languages(db):
    results = install_shipped_templates()
    assert [created for _v, created in results] == [True] * len(SHIPPED_FILES)
    assert {v.template.slug for v, _c in results} == {
        "samskabt-styring",
        "ledningsgruppsutveckling",
        "resultatdialog",
        "styringsdialog",
        "goda-exempel",
    }
    for version, _created in results:
        definition = version.definition
        for key in ("title", "description", "guide"):
            assert set(definition[key]) == set(LANGUAGES)
        for step in definition["steps"]:
            for key in ("title", "purpose", "content", "how_to"):
                assert set(step[key]) == set(LANGUAGES), (version, step["id"], key)
            assert all(t["type"] in TOOL_TYPES for t in step["tools"])
            assert all(k in ARTEFACT_KINDS for k in step["produces"])
    # Idempotent: a second install adds nothing.
    assert not any(created for _v, created in install_shipped_templates())
    assert TemplateVersion.objects.count() == len(SHIPPED_FILES)


def test_samskabt_styring_has_the_six_trin_in_danish():
    definition = load_yaml((DATA_DIR / "samskabt_styring.yaml").read_bytes())
    titles = [s["title"]["da"] for s in definition["steps"]]
    assert titles[0] == "1. Intro og fælles sprog"
    assert titles[3] == "4. Afprøve og implementere"
    assert len(titles) == 6
    tools = {t["type"] for s in definition["steps"] for t in s["tools"]}
    assert {"dialogue_cards", "glossary", "dot_voting", "survey", "measurement", "retro"} <= tools


def test_install_command(db, capsys):
    call_command("install_templates")
    assert "installed samskabt-styring version 1" in capsys.readouterr().out
    version, created = install(load_yaml((DATA_DIR / "resultatdialog.yaml").read_bytes()))
    assert not created and version.number == 1
