"""What a programme template may name: tool types (with their facilitator guides), artefact kinds.

A tool type says which configuration keys it takes and how each is shaped, so the template
validator can check a file without knowing the tools themselves. The live workshop tools (a later
issue) read the same configuration. Each type has a short guide for the facilitator – what it is
for, how to run it, how long it takes – translated like the rest of the interface; a template may
replace it per tool with its own `guide`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Shapes a configuration value can have (checked in validation.py).
TEXTS = "texts"  # a list of texts per language
CARDS = "cards"  # a list of {text: {lang: str}}
DILEMMAS = "dilemmas"  # a list of {left: {lang}, right: {lang}}
INTEGER = "integer"  # a whole number >= 1
KIND = "kind"  # an artefact kind
SLUG = "slug"  # an identifier, e.g. an instrument's short name


@dataclass(frozen=True)
class ToolType:
    """A kind of workshop tool a step can use."""

    name: str
    label: object
    purpose: object
    how: object
    minutes: int
    config: dict[str, str]


TOOL_TYPES: dict[str, ToolType] = {
    tool.name: tool
    for tool in (
        ToolType(
            "dialogue_cards",
            _("Dialogue cards"),
            _("Open a shared conversation and build a common language, one question at a time."),
            _(
                "Groups of 3–5 draw a card, read it aloud and let everyone answer before "
                "discussing. Note words and examples the group wants to keep."
            ),
            45,
            {"cards": CARDS},
        ),
        ToolType(
            "brainstorm",
            _("Brainstorm"),
            _("Collect many ideas quickly before judging any of them."),
            _(
                "State the question, give everyone a few minutes alone to write ideas, then "
                "share them one at a time without criticism and group similar ones."
            ),
            30,
            {"prompts": TEXTS, "produces": KIND},
        ),
        ToolType(
            "dot_voting",
            _("Dot voting"),
            _("Prioritise together and make the group's priorities visible."),
            _(
                "Show the candidates, give everyone the same number of dots and let them place "
                "them. Talk about the result before deciding."
            ),
            15,
            {"dots": INTEGER, "of": KIND},
        ),
        ToolType(
            "dilemma_line",
            _("Dilemma line"),
            _("Explore a dilemma instead of solving it too early."),
            _(
                "Read the two poles. Everyone places themselves on the line between them and "
                "says why. Look for what each pole protects before agreeing on a way forward."
            ),
            30,
            {"dilemmas": DILEMMAS},
        ),
        ToolType(
            "swot",
            _("SWOT analysis"),
            _("Sum up strengths, weaknesses, opportunities and threats in one picture."),
            _(
                "Fill the four squares one at a time, first alone, then together. Finish by "
                "choosing what to build on and what to guard against."
            ),
            60,
            {"prompts": TEXTS},
        ),
        ToolType(
            "glossary",
            _("Shared glossary"),
            _("Agree what the important words mean here, so everyone talks about the same thing."),
            _(
                "Collect the words that caused confusion, write a short definition of each with "
                "an example from your own work, and keep the list open for later changes."
            ),
            20,
            {"terms": CARDS},
        ),
        ToolType(
            "game_rules",
            _("Game rules"),
            _("Agree how the group works together and hold each other to it."),
            _(
                "Ask what good and bad meetings have looked like, turn the answers into a few "
                "rules in plain words, and agree how you will remind each other."
            ),
            60,
            {"prompts": TEXTS},
        ),
        ToolType(
            "retro",
            _("Retrospective"),
            _("Look back together and learn before moving on."),
            _(
                "Ask what worked, what did not, and what you will do differently. Let everyone "
                "speak, then agree on a few lessons and who carries them on."
            ),
            45,
            {"questions": TEXTS},
        ),
        ToolType(
            "interviews",
            _("Interviews"),
            _("Hear each person's view in depth, with the same questions to all."),
            _(
                "Ask every interviewee the same questions, take notes in their words and sum up "
                "patterns, never single quotes that reveal who said what."
            ),
            45,
            {"questions": TEXTS},
        ),
        ToolType(
            "checklist",
            _("Checklist"),
            _("Make sure nothing essential is forgotten."),
            _("Go through the points together and note who does what for any point not done."),
            10,
            {"items": TEXTS},
        ),
        ToolType(
            "survey",
            _("Survey"),
            _("Measure how many share an experience, before and after a change."),
            _(
                "Run a short Tillit survey for the unit. Read the results together above the "
                "anonymity threshold and ask what lies behind them."
            ),
            20,
            {"instrument": SLUG},
        ),
        ToolType(
            "form",
            _("Form"),
            _("Record the step's results in a structured way."),
            _(
                "Fill in the form together on a shared screen, or let one person write and "
                "everyone read along."
            ),
            15,
            {"kind": KIND},
        ),
        ToolType(
            "reflection",
            _("Reflection questions"),
            _("Make sense of results or experiences together before deciding anything."),
            _(
                "Take the questions one by one. Let people think alone for a minute, talk in "
                "pairs, then share in the whole group."
            ),
            40,
            {"questions": TEXTS},
        ),
        ToolType(
            "results",
            _("Results"),
            _("Look at the unit's results together."),
            _(
                "Show the unit's published results. Start with what stands out as strong, then "
                "what is weakest, and ask what lies behind the figures."
            ),
            20,
            {"instrument": SLUG},
        ),
        ToolType(
            "measurement",
            _("Before and after measurement"),
            _("Judge a change by simple evidence instead of impressions."),
            _(
                "Choose one thing to count (e.g. minutes of documentation per day), measure it "
                "for 1–2 weeks before and after the change, and write down how you measured."
            ),
            20,
            {"methods": TEXTS},
        ),
    )
}


@dataclass(frozen=True)
class Field:
    """One field of an artefact kind. `column` fields live on the model, the rest in `data`."""

    name: str
    label: object
    type: str = "text"  # text | textarea | choice | date | email | person | ref
    required: bool = False
    choices: tuple[tuple[str, object], ...] = ()
    ref: str = ""  # for type ref: the artefact kind it points to
    column: bool = False


PRIORITIES = (("high", _("High")), ("medium", _("Medium")), ("low", _("Low")))
ACTION_STATUSES = (
    ("planned", _("Planned")),
    ("running", _("In progress")),
    ("done", _("Done")),
    ("stopped", _("Stopped")),
)
SWOT = (
    ("strength", _("Strength")),
    ("weakness", _("Weakness")),
    ("opportunity", _("Opportunity")),
    ("threat", _("Threat")),
)
LESSON_AREAS = (
    ("method", _("The method")),
    ("results", _("Results")),
    ("roles", _("Roles")),
    ("leadership", _("Leadership")),
    ("steering", _("Steering")),
    ("culture", _("Culture")),
    ("other", _("Other")),
)


@dataclass(frozen=True)
class ArtefactKind:
    """A kind of artefact and its small schema. The first field is always `title`."""

    name: str
    label: object
    plural: object
    fields: tuple[Field, ...]


ARTEFACT_KINDS: dict[str, ArtefactKind] = {
    kind.name: kind
    for kind in (
        ArtefactKind(
            "challenge",
            _("Challenge"),
            _("Challenges"),
            (
                Field("title", _("Challenge"), required=True, column=True),
                Field("steering", _("Which steering (rule, goal, demand)"), "textarea", True),
                Field("hindrance", _("How it hinders the core task"), "textarea", True),
                Field("evidence", _("What we know (evidence)"), "textarea"),
                Field("stakeholders", _("Stakeholders to involve"), "textarea"),
                Field("priority", _("Priority"), "choice", choices=PRIORITIES),
            ),
        ),
        ArtefactKind(
            "solution",
            _("Solution"),
            _("Solutions"),
            (
                Field("title", _("Solution"), required=True, column=True),
                Field("challenge", _("Challenge it answers"), "ref", ref="challenge"),
                Field("wanted_effect", _("Wanted effect"), "textarea", True),
                Field("assessment", _("Does it give that effect?"), "textarea"),
                Field("indicator", _("How we will know (indicator)"), "textarea"),
            ),
        ),
        ArtefactKind(
            "action",
            _("Action / experiment"),
            _("Actions and experiments"),
            (
                Field("title", _("Action"), required=True, column=True),
                Field("owner_email", _("Owner"), "person", True, column=True),
                Field("due_date", _("Follow up by"), "date", True, column=True),
                Field("status", _("Status"), "choice", True, ACTION_STATUSES, column=True),
                Field("solution", _("Solution it tests"), "ref", ref="solution"),
                Field("what_changes", _("Who does what differently"), "textarea"),
                Field("from_when", _("From when"), "date"),
                Field("test_scope", _("Test scope (where, how long)"), "textarea"),
                Field("barriers", _("Barriers (culture, law, technology, competence)"), "textarea"),
                Field("effects", _("Expected effects (citizens, efficiency, work)"), "textarea"),
            ),
        ),
        ArtefactKind(
            "glossary_term",
            _("Glossary term"),
            _("Glossary"),
            (
                Field("title", _("Term"), required=True, column=True),
                Field("definition", _("What we mean by it"), "textarea", True),
            ),
        ),
        ArtefactKind(
            "game_rule",
            _("Game rule"),
            _("Game rules"),
            (
                Field("title", _("Rule"), required=True, column=True),
                Field("why", _("Why it matters"), "textarea"),
            ),
        ),
        ArtefactKind(
            "swot_item",
            _("SWOT item"),
            _("SWOT"),
            (
                Field("title", _("Item"), required=True, column=True),
                Field("quadrant", _("Quadrant"), "choice", True, SWOT),
                Field("note", _("Note"), "textarea"),
            ),
        ),
        ArtefactKind(
            "decision",
            _("Decision"),
            _("Decisions"),
            (
                Field("title", _("Decision"), required=True, column=True),
                Field("reason", _("Why"), "textarea"),
            ),
        ),
        ArtefactKind(
            "lesson",
            _("Lesson"),
            _("Lessons"),
            (
                Field("title", _("Lesson"), required=True, column=True),
                Field("area", _("Area"), "choice", True, LESSON_AREAS),
                Field("detail", _("What we learned"), "textarea"),
            ),
        ),
        ArtefactKind(
            "story",
            _("Story"),
            _("Stories"),
            (
                Field("title", _("Story"), required=True, column=True),
                Field("teller", _("Told by (unit or person)"), "text"),
                Field("text", _("The story"), "textarea", True),
            ),
        ),
    )
}


def kind_label(name: str) -> str:
    """The translated label of an artefact kind (the raw name if unknown)."""
    kind = ARTEFACT_KINDS.get(name)
    return str(kind.label) if kind else name
