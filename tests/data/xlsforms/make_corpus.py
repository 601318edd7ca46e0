"""Writes the XLSForm corpus (`python tests/data/xlsforms/make_corpus.py`): forms written the way
the field writes them – ODK/KoboToolbox habits, the XLSForm spec's examples, Nordic surveys – so
that the import is tested on more than our own test fixtures. The .xlsx files are committed."""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
AGREE_SV = [
    "Instämmer inte alls",
    "Instämmer delvis inte",
    "Varken eller",
    "Instämmer delvis",
    "Instämmer helt",
]
AGREE_EN = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
AGREE_DA = ["Helt uenig", "Delvis uenig", "Hverken eller", "Delvis enig", "Helt enig"]
AGREE_NB = ["Helt uenig", "Delvis uenig", "Verken eller", "Delvis enig", "Helt enig"]


def agree(name, *label_lists):
    return [[name, str(v + 1), *(labels[v] for labels in label_lists)] for v in range(5)]


YES_NO_EN = [["yes_no", "yes", "Yes"], ["yes_no", "no", "No"]]

FORMS = {
    # 1. The Swedish workplace survey, as a municipality's HR writes it.
    "arbetsmiljo_sv": {
        "survey": [
            ["type", "name", "label::Svenska (sv)", "required", "appearance"],
            ["note", "intro", "Enkäten är anonym och tar fem minuter.", "", ""],
            ["begin_group", "arbetet", "Arbetet", "", "field-list"],
            [
                "select_one agree",
                "meningsfullt",
                "Mitt arbete känns meningsfullt.",
                "yes",
                "likert",
            ],
            ["select_one agree", "lara", "Jag lär mig nytt i arbetet.", "yes", "likert"],
            ["end_group", "", "", "", ""],
            ["begin_group", "ledning", "Ledningen", "", ""],
            ["select_one agree", "fortroende", "Jag har förtroende för min chef.", "yes", "likert"],
            ["end_group", "", "", "", ""],
            ["text", "ovrigt", "Något mer du vill säga?", "", ""],
        ],
        "choices": [["list_name", "name", "label::Svenska (sv)"], *agree("agree", AGREE_SV)],
        "settings": [
            ["form_id", "form_title", "version", "default_language"],
            ["arbetsmiljo_2026", "Arbetsmiljöenkät 2026", "2026011501", "Svenska (sv)"],
        ],
    },
    # 2. Danish trivselsmåling, label::Dansk (da).
    "trivsel_da": {
        "survey": [
            ["type", "name", "label::Dansk (da)", "required"],
            ["select_one enig", "trivsel", "Jeg trives på min arbejdsplads.", "yes"],
            ["select_one enig", "indflydelse", "Jeg har indflydelse på mit arbejde.", "yes"],
            ["select_one enig", "bovl", "Jeg bruger tid på unødigt bøvl.", "no"],
            ["text", "kommentar", "Kommentar", ""],
        ],
        "choices": [["list_name", "name", "label::Dansk (da)"], *agree("enig", AGREE_DA)],
        "settings": [["form_id", "form_title"], ["trivsel_2026", "Trivselsmåling"]],
    },
    # 3. Norwegian bokmål and English side by side.
    "medarbeider_nb_en": {
        "survey": [
            ["type", "name", "label::Norsk bokmål (nb)", "label::English (en)", "required"],
            [
                "select_one enig",
                "mestring",
                "Jeg mestrer arbeidet mitt.",
                "I master my work.",
                "yes",
            ],
            [
                "select_one enig",
                "stotte",
                "Jeg får støtte fra kolleger.",
                "I get support from colleagues.",
                "yes",
            ],
        ],
        "choices": [
            ["list_name", "name", "label::Norsk bokmål (nb)", "label::English (en)"],
            *agree("enig", AGREE_NB, AGREE_EN),
        ],
        "settings": [["form_id", "default_language"], ["medarbeider", "Norsk bokmål (nb)"]],
    },
    # 4. No settings sheet, plain `label`: the id and title come from the file name.
    "no_settings_plain_label": {
        "survey": [
            ["type", "name", "label", "required"],
            ["select_one agree", "workload", "Min arbetsbörda är rimlig.", "yes"],
            ["integer", "years", "Hur många år har du arbetat här?", "no"],
        ],
        "choices": [["list_name", "name", "label"], *agree("agree", AGREE_SV)],
    },
    # 5. `label::English` and `label::Svenska` without codes, as Kobo's UI writes them.
    "label_language_names": {
        "survey": [
            ["type", "name", "label::English", "label::Svenska"],
            ["select_one yes_no", "remote", "Do you work remotely?", "Arbetar du på distans?"],
            ["decimal", "hours", "Hours a week on site", "Timmar i veckan på plats"],
        ],
        "choices": [
            ["list_name", "name", "label::English", "label::Svenska"],
            ["yes_no", "yes", "Yes", "Ja"],
            ["yes_no", "no", "No", "Nej"],
        ],
    },
    # 6. The older single-colon `label:english` of early ODK forms.
    "label_single_colon": {
        "survey": [
            ["type", "name", "label:english", "label:danish"],
            ["select_one agree", "clear_goals", "Our goals are clear.", "Vores mål er klare."],
        ],
        "choices": [
            ["list_name", "name", "label:english", "label:danish"],
            *agree("agree", AGREE_EN, AGREE_DA),
        ],
        "settings": [["form_id"], ["clear_goals"]],
    },
    # 7. select_one / select_multiple with choices, relevant on a choice.
    "select_with_choices": {
        "survey": [
            ["type", "name", "label::English (en)", "relevant"],
            ["select_one role", "role", "Your role", ""],
            ["select_multiple channels", "channels", "How do you hear news at work?", ""],
            ["text", "other_channel", "Which other channel?", "selected(${channels}, 'other')"],
            ["integer", "reports", "How many people report to you?", "${role} = 'manager'"],
        ],
        "choices": [
            ["list_name", "name", "label::English (en)"],
            ["role", "staff", "Staff"],
            ["role", "manager", "Manager"],
            ["channels", "intranet", "Intranet"],
            ["channels", "meetings", "Meetings"],
            ["channels", "other", "Other"],
        ],
        "settings": [
            ["form_id", "form_title", "default_language"],
            ["news", "Internal news", "English (en)"],
        ],
    },
    # 8. A 0–10 likert list becomes a 0–10 scale.
    "likert_zero_to_ten": {
        "survey": [
            ["type", "name", "label::English (en)", "appearance", "required"],
            [
                "select_one nps",
                "recommend",
                "How likely are you to recommend us as an employer?",
                "likert",
                "yes",
            ],
        ],
        "choices": [
            ["list_name", "name", "label::English (en)"],
            *[["nps", str(v), str(v)] for v in range(11)],
        ],
        "settings": [["form_id"], ["enps"]],
    },
    # 9. Constraints Tillit can hold: number bounds and text length.
    "constraints_supported": {
        "survey": [
            [
                "type",
                "name",
                "label::Svenska (sv)",
                "constraint",
                "constraint_message::Svenska (sv)",
            ],
            ["integer", "age", "Ålder", ". >= 16 and . <= 75", "Mellan 16 och 75"],
            ["text", "idea", "Din bästa idé", "string-length(.) <= 500", "Högst 500 tecken"],
        ],
        "settings": [["form_id"], ["ideas"]],
    },
    # 10. The spec's basic example: metadata + questions (metadata is not recorded by Tillit).
    "spec_metadata": {
        "survey": [
            ["type", "name", "label"],
            ["start", "start", ""],
            ["end", "end", ""],
            ["today", "today", ""],
            ["deviceid", "deviceid", ""],
            ["integer", "age", "How old are you?"],
            ["select_one yes_no", "likes_pizza", "Do you like pizza?"],
        ],
        "choices": [["list_name", "name", "label"], *YES_NO_EN],
        "settings": [
            ["form_title", "form_id", "default_language"],
            ["Pizza", "pizza_survey", "English (en)"],
        ],
    },
    # 11. `begin group` with a space, required as TRUE (Excel's boolean).
    "group_spaces_true": {
        "survey": [
            ["type", "name", "label::Dansk (da)", "required"],
            ["begin group", "samarbejde", "Samarbejde", ""],
            ["select_one enig", "hjaelp", "Jeg kan få hjælp af mine kolleger.", True],
            ["end group", "", "", ""],
        ],
        "choices": [["list_name", "name", "label::Dansk (da)"], *agree("enig", AGREE_DA)],
        "settings": [["form_id"], ["samarbejde"]],
    },
    # 12. Four languages at once.
    "four_languages": {
        "survey": [
            [
                "type",
                "name",
                "label::Svenska (sv)",
                "label::Dansk (da)",
                "label::Norsk bokmål (nb)",
                "label::English (en)",
            ],
            [
                "select_one agree",
                "trust",
                "Jag litar på ledningen.",
                "Jeg har tillid til ledelsen.",
                "Jeg stoler på ledelsen.",
                "I trust management.",
            ],
        ],
        "choices": [
            [
                "list_name",
                "name",
                "label::Svenska (sv)",
                "label::Dansk (da)",
                "label::Norsk bokmål (nb)",
                "label::English (en)",
            ],
            *agree("agree", AGREE_SV, AGREE_DA, AGREE_NB, AGREE_EN),
        ],
        "settings": [["form_id"], ["trust_four"]],
    },
    # --- forms Tillit refuses, each for a feature it cannot run ---
    # 13. The spec's multiple-language example: English and French.
    "spec_french_english": {
        "survey": [
            ["type", "name", "label::English (en)", "label::French (fr)"],
            ["integer", "age", "How old are you?", "Quel âge avez-vous?"],
        ],
        "settings": [["form_id"], ["age_fr"]],
    },
    # 14. A household roster: repeats.
    "repeat_household": {
        "survey": [
            ["type", "name", "label"],
            ["begin repeat", "member", "Household member"],
            ["text", "member_name", "Name"],
            ["end repeat", "", ""],
        ],
        "settings": [["form_id"], ["household"]],
    },
    # 15. A calculation (BMI).
    "calculate_bmi": {
        "survey": [
            ["type", "name", "label", "calculation"],
            ["decimal", "weight", "Weight (kg)", ""],
            ["decimal", "height", "Height (m)", ""],
            ["calculate", "bmi", "", "${weight} div (${height} * ${height})"],
        ],
        "settings": [["form_id"], ["bmi"]],
    },
    # 16. Media: an image in a label.
    "media_image": {
        "survey": [
            ["type", "name", "label", "media::image"],
            ["select_one yes_no", "logo", "Do you recognise this logo?", "logo.png"],
        ],
        "choices": [["list_name", "name", "label"], *YES_NO_EN],
        "settings": [["form_id"], ["logo"]],
    },
    # 17. Location and a date.
    "geopoint_date": {
        "survey": [
            ["type", "name", "label"],
            ["geopoint", "where", "Where are you?"],
            ["date", "when", "When did it happen?"],
        ],
        "settings": [["form_id"], ["incident"]],
    },
    # 18. Hints (Tillit shows no help text under a question yet).
    "hints": {
        "survey": [
            ["type", "name", "label::English (en)", "hint::English (en)"],
            ["integer", "sick_days", "Sick days last year", "Count whole days"],
        ],
        "settings": [["form_id"], ["sick_days"]],
    },
    # 19. Compound relevant.
    "relevant_compound": {
        "survey": [
            ["type", "name", "label", "relevant"],
            ["integer", "age", "Age", ""],
            ["select_one yes_no", "manager", "Are you a manager?", ""],
            ["integer", "team", "Team size", "${manager} = 'yes' and ${age} > 25"],
        ],
        "choices": [["list_name", "name", "label"], *YES_NO_EN],
        "settings": [["form_id"], ["team_size"]],
    },
    # 20. Cascading selects (choice_filter).
    "cascading_select": {
        "survey": [
            ["type", "name", "label", "choice_filter"],
            ["select_one region", "region", "Region", ""],
            ["select_one town", "town", "Town", "region=${region}"],
        ],
        "choices": [
            ["list_name", "name", "label", "region"],
            ["region", "north", "North", ""],
            ["region", "south", "South", ""],
            ["town", "lulea", "Luleå", "north"],
            ["town", "malmo", "Malmö", "south"],
        ],
        "settings": [["form_id"], ["towns"]],
    },
    # 21. Nested groups.
    "nested_groups": {
        "survey": [
            ["type", "name", "label"],
            ["begin group", "outer", "Outer"],
            ["begin group", "inner", "Inner"],
            ["integer", "q", "Question"],
            ["end group", "", ""],
            ["end group", "", ""],
        ],
        "settings": [["form_id"], ["nested"]],
    },
    # 22. or_other.
    "select_or_other": {
        "survey": [
            ["type", "name", "label"],
            ["select_one dept or_other", "dept", "Department"],
        ],
        "choices": [["list_name", "name", "label"], ["dept", "hr", "HR"], ["dept", "it", "IT"]],
        "settings": [["form_id"], ["dept"]],
    },
    # 23. A typo pyxform itself refuses: a list that is not on the choices sheet.
    "missing_list": {
        "survey": [
            ["type", "name", "label"],
            ["select_one yesno", "ok", "Is it OK?"],
        ],
        "choices": [["list_name", "name", "label"], *YES_NO_EN],
        "settings": [["form_id"], ["missing_list"]],
    },
    # 24. A note after questions (a "thank you" page).
    "note_at_end": {
        "survey": [
            ["type", "name", "label"],
            ["select_one yes_no", "ok", "Is the workload OK?"],
            ["note", "thanks", "Thank you!"],
        ],
        "choices": [["list_name", "name", "label"], *YES_NO_EN],
        "settings": [["form_id"], ["workload"]],
    },
    # 25. A default value.
    "default_value": {
        "survey": [
            ["type", "name", "label", "default"],
            ["integer", "hours", "Contracted hours a week", "37"],
        ],
        "settings": [["form_id"], ["hours"]],
    },
}


def write(name: str, sheets: dict) -> None:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(HERE / f"{name}.xlsx")


if __name__ == "__main__":
    for name, sheets in FORMS.items():
        write(name, sheets)
    print(f"wrote {len(FORMS)} forms to {HERE}")
