"""Demo comments that read like real ones: varied themes, length and tone, now and then a typo.

A comment is one or two sentences from a bank per language and question (what helps, what
hinders), sometimes with an opening or a closing remark, sometimes written in a hurry (lower
case, no full stop, two letters swapped). Everything comes from the caller's random generator,
so the demo stays the same from run to run.
"""

from __future__ import annotations

import random

BANK: dict[str, dict[str, list[str]]] = {
    "sv": {
        "hjalper": [
            "Att vi får planera arbetet själva i arbetsgruppen.",
            "Kollegor som ställer upp när det är mycket.",
            "Chefen lyssnar och ger oss förtroende.",
            "Korta beslutsvägar när något behöver lösas snabbt.",
            "Att vi träffar brukarna och ser att det vi gör spelar roll.",
            "Min närmaste chef finns på plats och går att prata med.",
            "Vi har ett bra samarbete med hemsjukvården.",
            "Handledningen en gång i månaden gör stor skillnad.",
            "Stämningen i gruppen är god och vi skrattar mycket tillsammans.",
            "Vi får ta egna beslut om hur dagen ska läggas upp.",
            "Det nya schemaverktyget har faktiskt gjort det enklare.",
            "Bra introduktion när man är ny.",
            "Kompetensutvecklingen vi fick i våras var riktigt bra.",
            "Att chefen ger återkoppling och beröm när det går bra.",
            "Tydliga mål för vad vi ska uppnå med eleverna.",
            "Fina lokaler med ljus och plats för samtal.",
            "Att få tid med varje brukare och inte bara springa.",
            "Vi hjälper varandra över enhetsgränserna.",
            "Föräldrarna är engagerade och ger oss stöd.",
            "Förtroende från ledningen att lösa saker på plats.",
            "Mötet med invånarna, att se att vi gör nytta.",
            "Enkla rutiner och lite administration på vårt boende.",
            "Att IT-supporten numera svarar samma dag.",
            "Kollegorna! Utan dem hade jag slutat.",
            "Flexibla arbetstider så att livet går ihop.",
            "Arbetsplatsträffarna där vi faktiskt får påverka.",
        ],
        "hindrar": [
            "För mycket dokumentation som ingen läser.",
            "Nya system som införs utan att vi blir tillfrågade.",
            "Ständiga omorganisationer.",
            "Vi hinner inte med det viktiga för alla möten.",
            "Detaljstyrning uppifrån och många uppföljningar.",
            "Journalsystemet krånglar och är långsamt.",
            "Vi är för få på kvällarna och vikarier saknas.",
            "Samma uppgifter ska registreras i tre olika system.",
            "Ventilationen på kontoret är dålig och det är för varmt på sommaren.",
            "Ingen återkoppling från chefen på det vi gör.",
            "Samarbetet med andra förvaltningar fungerar inte, alla sitter i sina stuprör.",
            "Datorerna är gamla och inloggningen tar evigheter.",
            "Brukarna får vänta för länge på beslut.",
            "Stressen gör att man inte orkar vara den kollega man vill vara.",
            "Blanketter och rapporter som tar tid från eleverna.",
            "Trångt i personalrummet, vi får äta i omgångar.",
            "Chefen har för många medarbetare och syns aldrig.",
            "Sjukskrivningar som ingen ersätter, vi andra får ta allt.",
            "Kontorslandskapet är för högljutt för samtal med klienter.",
            "Krångliga regler för inköp, det krävs flera attester för minsta sak.",
            "Ärendemängden har ökat men inte personalen.",
            "Vi får inte bestämma något själva, allt ska upp till förvaltningen.",
            "Överlämningarna mellan dag och kväll brister.",
            "Skrivaren fungerar aldrig och wifi försvinner hela tiden.",
            "Föräldrar som mejlar sent på kvällarna och förväntar sig svar direkt.",
            "Uppföljningar som bara mäter det som går att räkna.",
            "Lokalerna är slitna och det finns mögel i källaren.",
            "Konflikter i arbetsgruppen som ingen tar tag i.",
            "Ledningen fattar beslut utan att förstå vår vardag.",
            "Dubbeldokumentation i verksamhetssystemet och på papper.",
        ],
        "openers": [
            "Ärligt talat:",
            "Framför allt",
            "Som det är nu:",
            "Det största problemet är nog att",
            "Jag tycker att",
            "Svårt att välja, men",
            "Samma som förra året.",
            "Kort sagt:",
        ],
        "closers": [
            "Det har blivit sämre senaste året.",
            "Det har blivit bättre sedan i våras.",
            "Hoppas någon läser det här.",
            "Har tagit upp det på APT flera gånger.",
            "Gäller hela arbetslaget.",
            "Annars trivs jag bra.",
            "Det tär på oss alla.",
            "Tack för att ni frågar!",
            "Det borde gå att lösa.",
            "Vet att fler känner likadant.",
        ],
    },
    "da": {
        "hjalper": [
            "At vi selv kan planlægge arbejdet i teamet.",
            "Kolleger, der hjælper, når der er travlt.",
            "Lederen lytter og viser os tillid.",
            "Korte beslutningsveje, når noget skal løses hurtigt.",
            "At møde borgerne og se, at det vi gør, gør en forskel.",
            "Min nærmeste leder er til stede og til at snakke med.",
            "Godt samarbejde med hjemmesygeplejen.",
            "Supervision en gang om måneden gør en stor forskel.",
            "God stemning i gruppen, vi griner meget sammen.",
            "Vi må selv bestemme, hvordan dagen skal tilrettelægges.",
            "Det nye vagtplansværktøj har faktisk gjort det nemmere.",
            "God introduktion, når man er ny.",
            "Kompetenceudviklingen i foråret var rigtig god.",
            "At lederen giver feedback og ros, når det går godt.",
            "Tydelige mål for, hvad vi skal nå med eleverne.",
            "Gode lokaler med lys og plads til samtaler.",
            "At have tid til hver borger og ikke bare løbe.",
            "Vi hjælper hinanden på tværs af afdelingerne.",
            "Engagerede forældre, der bakker op.",
            "Tillid fra ledelsen til at løse tingene på stedet.",
            "Mødet med borgerne, at se at vi gør gavn.",
            "Enkle procedurer og lidt administration på vores plejecenter.",
            "At IT-supporten nu svarer samme dag.",
            "Kollegerne! Uden dem var jeg stoppet.",
            "Fleksible arbejdstider, så livet hænger sammen.",
            "Personalemøder, hvor vi faktisk får indflydelse.",
        ],
        "hindrar": [
            "For meget dokumentation, som ingen læser.",
            "Nye systemer, som indføres uden at vi bliver spurgt.",
            "Detailstyring og mange opfølgninger.",
            "Konstante omorganiseringer.",
            "Vi når ikke det vigtige på grund af alle møderne.",
            "Omsorgssystemet driller og er langsomt.",
            "Vi er for få om aftenen, og der mangler vikarer.",
            "De samme oplysninger skal registreres i tre forskellige systemer.",
            "Ventilationen på kontoret er dårlig, og det er for varmt om sommeren.",
            "Ingen tilbagemelding fra lederen på det, vi laver.",
            "Samarbejdet med andre forvaltninger fungerer ikke, alle sidder i hver sin silo.",
            "Computerne er gamle, og det tager evigheder at logge ind.",
            "Borgerne venter for længe på afgørelser.",
            "Stressen gør, at man ikke orker at være den kollega, man gerne vil være.",
            "Skemaer og indberetninger, der tager tid fra eleverne.",
            "Der er trangt i frokoststuen, vi må spise på skift.",
            "Lederen har for mange medarbejdere og ses aldrig.",
            "Sygemeldinger, som ingen dækker, så vi andre tager det hele.",
            "Storrumskontoret er for larmende til samtaler med borgere.",
            "Bøvlede regler for indkøb, der skal flere godkendelser til den mindste ting.",
            "Sagsmængden er steget, men ikke antallet af medarbejdere.",
            "Vi må ikke selv bestemme noget, alt skal op i forvaltningen.",
            "Overleveringerne mellem dag- og aftenvagt halter.",
            "Printeren virker aldrig, og wifi forsvinder hele tiden.",
            "Forældre, der skriver sent om aftenen og forventer svar med det samme.",
            "Opfølgninger, der kun måler det, der kan tælles.",
            "Lokalerne er slidte, og der er skimmel i kælderen.",
            "Konflikter i teamet, som ingen tager fat i.",
            "Ledelsen træffer beslutninger uden at kende vores hverdag.",
            "Dobbeltdokumentation i fagsystemet og på papir.",
        ],
        "openers": [
            "Helt ærligt:",
            "Først og fremmest",
            "Som det er nu:",
            "Det største problem er nok, at",
            "Jeg synes, at",
            "Svært at vælge, men",
            "Det samme som sidste år.",
            "Kort sagt:",
        ],
        "closers": [
            "Det er blevet værre det seneste år.",
            "Det er blevet bedre siden foråret.",
            "Håber nogen læser det her.",
            "Har taget det op på personalemøder flere gange.",
            "Det gælder hele teamet.",
            "Ellers er jeg glad for mit arbejde.",
            "Det slider på os alle.",
            "Tak fordi I spørger!",
            "Det burde kunne løses.",
            "Ved at flere har det på samme måde.",
        ],
    },
    "nb": {
        "hjalper": [
            "At vi får planlegge arbeidet selv i teamet.",
            "Kolleger som stiller opp når det er travelt.",
            "Lederen lytter og viser oss tillit.",
            "Godt samarbeid med hjemmesykepleien.",
            "At vi får tid til hver bruker.",
            "God opplæring når man er ny.",
            "Lederen gir tilbakemelding og ros.",
            "Gode lokaler med mye lys.",
        ],
        "hindrar": [
            "For mye dokumentasjon som ingen leser.",
            "Fagsystemet er tregt og krasjer ofte.",
            "Vi er for få på kveldsvaktene.",
            "Detaljstyring og mange rapporteringer.",
            "Lederen er sjelden til stede.",
            "Støy i kontorlandskapet.",
            "Samarbeidet mellom avdelingene er dårlig.",
            "Brukerne venter for lenge på vedtak.",
        ],
        "openers": ["Ærlig talt:", "Først og fremst", "Jeg synes at"],
        "closers": [
            "Det har blitt verre i år.",
            "Ellers trives jeg godt.",
            "Takk for at dere spør!",
        ],
    },
    "en": {
        "hjalper": [
            "Colleagues who step in when it gets busy.",
            "My manager listens and trusts us.",
            "Being able to plan our own work as a team.",
            "Good cooperation with the district nurses.",
            "Having time for each resident.",
            "A proper induction when I started.",
            "Feedback and praise from my manager.",
            "Bright premises with room to talk.",
        ],
        "hindrar": [
            "Too much documentation that nobody reads.",
            "The care records system is slow and crashes.",
            "We are too few on the evening shifts.",
            "Micromanagement and endless reporting.",
            "Our manager is rarely around.",
            "The open plan office is too noisy.",
            "Departments do not work together.",
            "Residents wait too long for decisions.",
        ],
        "openers": ["Honestly,", "Above all", "I think"],
        "closers": [
            "It has got worse this year.",
            "Otherwise I like my job.",
            "Thanks for asking!",
        ],
    },
}

# Now and then a comment in another language (a Danish colleague in Tillby, a Norwegian in Fjordby).
OTHER_LANGUAGES = {"sv": ("en", "da"), "da": ("nb", "en"), "nb": ("da", "en"), "en": ("sv",)}


def _typo(rng: random.Random, text: str) -> str:
    """Two neighbouring letters swapped, or one dropped, somewhere in a longer word."""
    spots = [i for i in range(1, len(text) - 2) if text[i].isalpha() and text[i + 1].isalpha()]
    if not spots:
        return text
    i = rng.choice(spots)
    if rng.random() < 0.5:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def demo_comment(rng: random.Random, language: str, item: str) -> str | None:
    """One respondent's comment to `item` ("hjalper"/"hindrar"), mostly in `language`."""
    if language not in BANK:
        language = "sv"
    if rng.random() < 0.04:
        language = rng.choice(OTHER_LANGUAGES[language])
    bank = BANK[language]
    if item not in bank:
        return None
    text = rng.choice(bank[item])
    roll = rng.random()
    if roll < 0.2:
        opener = rng.choice(bank["openers"])
        text = f"{opener} {_lower_first(text) if not opener.endswith('.') else text}"
    elif roll < 0.35:
        second = rng.choice(bank[item])
        if second != text:
            text = f"{text} {second}"
    if rng.random() < 0.3:
        text = f"{text} {rng.choice(bank['closers'])}"
    if rng.random() < 0.25:  # written in a hurry
        text = _lower_first(text).rstrip(".")
    if rng.random() < 0.15:
        text = _typo(rng, text)
    return text
