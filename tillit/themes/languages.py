"""The language a comment is written in (of four), its words, and the words that carry no theme.

Language identification is stop-word overlap: short comments in Swedish, Danish, Norwegian
bokmål and English are told apart by their function words (Danish "af, meget, nogle, hvad" against
Norwegian "av, mye, noen, hva"), with the letters å/ä/ö/æ/ø breaking ties. No model, nothing to
download; a comment with no telling word gets the organisation's language.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

LANGUAGES = ("sv", "da", "nb", "en")
STEMMER_NAMES = {"sv": "swedish", "da": "danish", "nb": "norwegian", "en": "english"}


def word_set(text: str) -> frozenset[str]:
    """The distinct words of a whitespace-separated list."""
    return frozenset(text.split())


WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)

STOP_WORDS: dict[str, frozenset[str]] = {
    "sv": word_set(
        """
        och i att det som en på är av för med till den har de inte om ett men var jag vi
        så från han hon man kan när ska skall hade dem nu bara eller då än mycket vara blir
        bli blev också alla efter även sig mig oss er ni du dig min mitt mina vår vårt våra
        sin sitt sina hur vad vem vilken vilket vilka där här detta denna dessa sedan utan
        under över mer mest mindre ofta aldrig alltid ju väl nog lite några någon något inget
        ingen inga få får fick göra gör gjorde görs gjort finns fanns kunna kunde måste vill
        ville skulle borde tycker tror känns känner blir väldigt jättemycket ganska helt
        alltså liksom dock eftersom därför både samma andra annat annan varje hela mellan
        emot mot utifrån kring runt igen redan bort hit dit ut upp in ner nästan just sätt
        sådant sådan sådana ens än oftast mm osv typ tex bl a dvs hos inom vid åt ha haft
        kommer kom ta tar tog säga säger sa gå går gick se ser såg många mkt ngn ngt jätte
        """
    ),
    "da": word_set(
        """
        og i at det som en på er af for med til den har de ikke om et men var jeg vi så fra
        han hun man kan når skal havde dem nu kun eller da end meget være bliver blive blev
        også alle efter sig mig os jer du dig min mit mine vores sin sit sine hvordan hvad
        hvem hvilken hvilket hvilke der her dette denne disse siden uden under over mere
        mest mindre ofte aldrig altid jo vel nok lidt nogle nogen noget intet ingen få får
        fik gøre gør gjorde gøres gjort findes fandtes kunne må måtte vil ville skulle burde
        synes tror føles føler rigtig rigtigt ret helt altså ligesom dog fordi derfor både
        samme andre andet anden hver hele mellem mod omkring rundt igen allerede væk ud op
        ind ned næsten bare lige sådan sådant sådanne ens oftest osv fx bl dvs hos inden ved
        have haft kommer kom tage tager tog sige siger sagde gå går gik se ser så mange mht
        """
    ),
    "nb": word_set(
        """
        og i at det som en på er av for med til den har de ikke om et ei men var jeg vi så
        fra han hun man kan når skal hadde dem nå bare eller da enn mye være blir bli ble
        også alle etter seg meg oss dere du deg min mitt mine vår vårt våre sin sitt sine
        hvordan hva hvem hvilken hvilket hvilke der her dette denne disse siden uten under
        over mer mest mindre ofte aldri alltid jo vel nok litt noen noe ingenting ingen få
        får fikk gjøre gjør gjorde gjøres gjort fins finnes fantes kunne må måtte vil ville
        skulle burde synes tror føles føler veldig ganske helt altså liksom dog fordi derfor
        både samme andre annet annen hver hele mellom mot rundt igjen allerede vekk ut opp
        inn ned nesten akkurat slik sånn sånne ens oftest osv f.eks bl dvs hos innen ved ha
        hatt kommer kom ta tar tok si sier sa gå går gikk se ser så mange ikkje
        """
    ),
    "en": word_set(
        """
        a an the and or but if of to in on at by for with from as is are was were be been
        being am do does did doing have has had having i me my we us our you your he him his
        she her it its they them their this that these those there here what which who whom
        how when where why not no nor so too very can could will would shall should may
        might must just only also than then more most less much many some any all each every
        both few other such same own again once about over under between into through during
        before after above below up down out off because while until get gets got getting
        make makes made really quite lot lots thing things way always never often sometimes
        still even feel feels felt think thought know seem seems one ones im dont doesnt cant
        isnt arent wasnt theyre weve ive us
        """
    ),
}

# Words that mark one language against its neighbours (weighted above shared stop words).
MARKERS: dict[str, frozenset[str]] = {
    "sv": word_set(
        "och att inte är jag vi också mycket hur vad någon några efter utan mellan får kan "
        "för ska blir har ibland alltid väldigt chefen arbetet"
    ),
    "da": word_set(
        "af ikke meget nogle hvad hvordan efter uden mellem også jeg hvor vores lidt bliver "
        "lederen arbejdet altid nogen"
    ),
    "nb": word_set(
        "av ikke mye noen hva hvordan etter uten mellom også jeg hvor vår litt blir lederen "
        "arbeidet alltid ikkje nå"
    ),
    "en": word_set("the and is are of to we our not it this that with have too more"),
}


def words(text: str) -> list[str]:
    """The comment's words, lower-cased (letters only; numbers and punctuation dropped)."""
    return [w.replace("’", "'") for w in WORD.findall(text.lower())]


@lru_cache(maxsize=200_000)
def _token_scores(token: str) -> tuple[float, ...]:
    """What one word says for each language (stop word 1, marker 1.5, letters å/ä/ö/æ/ø)."""
    scores = []
    for language in LANGUAGES:
        score = 0.0
        if token in STOP_WORDS[language]:
            score += 1.0
        if token in MARKERS[language]:
            score += 1.5
        scores.append(score)
    if "ä" in token or "ö" in token:
        scores[0] += 2.0
    elif "æ" in token or "ø" in token:
        scores[1] += 1.0
        scores[2] += 1.0
    return tuple(scores)


def detect_language(tokens: list[str], default: str = "sv") -> str:
    """The language of a comment's words: most stop-word and marker hits, letters breaking ties."""
    totals = [0.0] * len(LANGUAGES)
    for token in tokens:
        for i, score in enumerate(_token_scores(token)):
            totals[i] += score
    best = max(totals)
    if best == 0:
        return default
    leaders = [language for language, score in zip(LANGUAGES, totals, strict=True) if score == best]
    return default if default in leaders else leaders[0]


@lru_cache(maxsize=8)
def stemmer(language: str) -> Stemmer.Stemmer:
    """The Snowball stemmer for a language (PyStemmer; the algorithms ship in the wheel)."""
    return Stemmer.Stemmer(STEMMER_NAMES[language])
