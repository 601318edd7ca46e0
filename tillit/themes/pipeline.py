"""Finding the themes of a set of comments, offline, in Swedish, Danish, Norwegian and English.

The steps, per distinct comment: language (`languages.detect_language`), words, stop words of
its language plus the domain's and the organisation's names removed (a name never becomes a
theme word), Snowball stems. Then:

1. Seeded themes. Each comment's stems are matched against the codebook's cue stems (also inside
   compounds); the best theme by summed IDF weight takes the comment. Fixed names, so the usual
   themes read the same across units and years.
2. Learning from the comments themselves. A comment with no cue word joins the seeded theme whose
   TF-IDF centroid it is most like, when it is clearly like one.
3. Emerging themes. What is still unthemed goes to scikit-learn's NMF over TF-IDF; the number of
   themes is the one whose components come back most alike over differently seeded runs
   (stability), and each is named by its top words.

Every step reads only the comments it is given: callers give it published comments, nothing else.
One comment text gets one theme wherever it appears.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tillit.themes.codebook import CODEBOOK
from tillit.themes.languages import (
    LANGUAGES,
    STOP_WORDS,
    detect_language,
    stemmer,
    word_set,
    words,
)

# Words common to staff comments in every theme, in the four languages.
DOMAIN_STOP_WORDS = word_set(
    """
    bra dålig dåligt bättre sämre viktigt jobbet jobb arbete arbetet arbeta arbetar jobba
    jobbar fungerar fungera behöver behov problem gärna önskar önskan saker sak del dag dagar
    vecka år ofta kommun kommunen region verksamhet verksamheten tycker mer
    god godt dårlig dårligt bedre værre vigtigt job jobbet arbejde arbejdet arbejder fungerer
    behøver behov problem gerne ønsker ønske ting del dag dage uge år kommune kommunen
    forvaltning virksomhed
    viktig jobben arbeid arbeidet arbeider jobber fungerer trenger behov ønsker ønske uke
    kommunen virksomheten
    good bad better worse important job work working works need needs problem problems
    wish things thing part day days week year council organisation
    allt ger ge nya ny faktiskt riktigt egna eget egen sista gånger gång hela
    hvor faktisk nye ny sidste gange gang fat hele
    hvor faktisk nye ny siste ganger gang hele
    new last actually
    """
)

MIN_STEM = 2
AFFIX_MIN = 4  # a cue this long also matches at the start or end of a compound
CENTROID_MIN_SIMILARITY = 0.18
EMERGING_MIN_COMMENTS = 30
EMERGING_SAMPLE = 3000
EMERGING_K = (2, 3, 4, 5, 6)
EMERGING_RUNS = 3


@dataclass
class Theme:
    """One theme: a codebook key (seeded) or None (emerging), its names and top words."""

    id: str
    key: str | None
    labels: dict[str, str]
    terms: list[str]
    count: int = 0


@dataclass
class Themes:
    """The themes of a set of comments and each comment's theme (None: no theme)."""

    themes: list[Theme]
    theme_of: dict[str, str | None]
    strength: dict[str, float] = field(default_factory=dict)
    language_of: dict[str, str] = field(default_factory=dict)


@dataclass
class _Doc:
    text: str
    language: str
    stems: list[str]


def _name_words(names: Iterable[str]) -> set[str]:
    """Every word of the organisation's unit and person names, as written and stemmed."""
    found: set[str] = set()
    for name in names:
        for word in words(name):
            if len(word) < 3:
                continue
            found.add(word)
            for language in LANGUAGES:
                found.add(stemmer(language).stemWord(word))
    return found


class _Analyser:
    """Words to stems for one language set, caching each distinct word (comments repeat them)."""

    def __init__(self, names: set[str]):
        self.names = names
        self.cache: dict[tuple[str, str], str | None] = {}
        # How often each stem was written how: themes are named in words, not stems.
        self.surface: dict[str, Counter] = defaultdict(Counter)
        self.stops = {language: STOP_WORDS[language] | DOMAIN_STOP_WORDS for language in LANGUAGES}

    def stems(self, tokens: list[str], language: str) -> list[str]:
        out = []
        for token in tokens:
            key = (language, token)
            if key not in self.cache:
                stem = None
                if token not in self.stops[language] and token not in self.names:
                    stem = stemmer(language).stemWord(token)
                    if len(stem) < MIN_STEM or stem in self.names:
                        stem = None
                self.cache[key] = stem
            stem = self.cache[key]
            if stem is not None:
                out.append(stem)
                self.surface[stem][token] += 1
        return out

    def surface_forms(self) -> dict[str, str]:
        """Each stem's most frequent written word."""
        return {stem: forms.most_common(1)[0][0] for stem, forms in self.surface.items()}


def analyse(
    texts: Iterable[str],
    *,
    names: Iterable[str] = (),
    default_language: str = "sv",
    analyser: _Analyser | None = None,
) -> list[_Doc]:
    """Language and theme-bearing stems of each text."""
    analyser = analyser or _Analyser(_name_words(names))
    docs = []
    for text in texts:
        tokens = words(text)
        language = detect_language(tokens, default_language)
        docs.append(_Doc(text, language, analyser.stems(tokens, language)))
    return docs


@dataclass
class Cues:
    """The codebook as stems: per language, cue stem to the themes it points at."""

    keys: list[str]
    labels: dict[str, dict[str, str]]
    by_language: dict[str, dict[str, set[int]]]

    @classmethod
    def from_codebook(cls, codebook: Mapping[str, dict]) -> Cues:
        keys = list(codebook)
        by_language: dict[str, dict[str, set[int]]] = {lang: defaultdict(set) for lang in LANGUAGES}
        for t, key in enumerate(keys):
            for language, terms in codebook[key]["terms"].items():
                if language not in by_language:
                    continue
                listed = terms.split() if isinstance(terms, str) else list(terms)
                for term in listed:
                    for word in words(term):
                        stem = stemmer(language).stemWord(word)
                        if len(stem) >= 2:
                            by_language[language][stem].add(t)
        labels = {key: dict(codebook[key]["labels"]) for key in keys}
        return cls(keys, labels, {lang: dict(cues) for lang, cues in by_language.items()})

    def themes_of_stem(self, stem: str, language: str, cache: dict) -> set[int]:
        """The themes a stem points at: a cue itself, or a compound starting or ending in one."""
        key = (language, stem)
        if key in cache:
            return cache[key]
        cues = self.by_language[language]
        found = set(cues.get(stem, ()))
        if not found and len(stem) > AFFIX_MIN:
            # The longest cue at either end of a compound ("arbets|belastning", "journal|system").
            for cut in range(1, len(stem) - AFFIX_MIN + 1):
                tail = stem[cut:]
                if tail in cues:
                    found = set(cues[tail])
                    break
            if not found:
                for cut in range(len(stem) - 1, AFFIX_MIN - 1, -1):
                    head = stem[:cut]
                    if head in cues:
                        found = set(cues[head])
                        break
        cache[key] = found
        return found


def _seeded(docs: list[_Doc], cues: Cues, idf: dict[str, float]) -> tuple[list[int], list[float]]:
    """Each document's best codebook theme by summed IDF of its cue stems (-1: no cue)."""
    cache: dict = {}
    labels, strengths = [], []
    for doc in docs:
        scores: Counter = Counter()
        for stem in doc.stems:
            for t in cues.themes_of_stem(stem, doc.language, cache):
                scores[t] += idf.get(stem, 1.0)
        if scores:
            # Ties go to the codebook's order, so the result depends on the texts alone.
            best = max(scores.items(), key=lambda item: (item[1], -item[0]))
            labels.append(best[0])
            strengths.append(float(best[1]))
        else:
            labels.append(-1)
            strengths.append(0.0)
    return labels, strengths


def _stable_seed(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _stability(runs: list[np.ndarray]) -> float:
    """How alike the components of differently seeded NMF runs are (mean matched cosine)."""
    from scipy.optimize import linear_sum_assignment

    normed = [h / (np.linalg.norm(h, axis=1, keepdims=True) + 1e-12) for h in runs]
    scores = []
    for a in range(len(normed)):
        for b in range(a + 1, len(normed)):
            similarity = normed[a] @ normed[b].T
            rows, cols = linear_sum_assignment(-similarity)
            scores.append(float(similarity[rows, cols].mean()))
    return float(np.mean(scores)) if scores else 0.0


def _emerging(matrix, vocabulary: list[str], surface: Mapping[str, str], seed: int):
    """NMF themes of the unthemed documents: the most stable number of components, each named
    by its top words. Returns (components, weights per document)."""
    from sklearn.decomposition import NMF

    n_docs = matrix.shape[0]
    rng = np.random.default_rng(seed)
    sample = matrix
    if n_docs > EMERGING_SAMPLE:
        sample = matrix[np.sort(rng.choice(n_docs, EMERGING_SAMPLE, replace=False))]
    best_k, best_score = None, -1.0
    for k in EMERGING_K:
        if k * 5 > sample.shape[0]:
            break
        runs = [
            NMF(n_components=k, init="random", random_state=seed + run, max_iter=200, tol=1e-3)
            .fit(sample)
            .components_
            for run in range(EMERGING_RUNS)
        ]
        score = _stability(runs)
        if score > best_score + 0.02:  # a larger k must be clearly more stable
            best_k, best_score = k, score
    if best_k is None:
        return [], None
    model = NMF(n_components=best_k, init="nndsvd", max_iter=300, tol=1e-4)
    weights = model.fit_transform(matrix)
    named = []
    for component in model.components_:
        top = np.argsort(component)[::-1][:4]
        named.append([surface.get(vocabulary[i], vocabulary[i]) for i in top if component[i] > 0])
    return named, weights


def find_themes(
    texts: Sequence[str],
    *,
    codebook: Mapping[str, dict] | None = None,
    names: Iterable[str] = (),
    default_language: str = "sv",
    emerging: bool = True,
) -> Themes:
    """The themes of `texts` (distinct comment texts) and each one's theme."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    distinct = sorted(set(texts))
    cues = Cues.from_codebook(codebook if codebook is not None else CODEBOOK)
    analyser = _Analyser(_name_words(names))
    docs = analyse(distinct, default_language=default_language, analyser=analyser)
    theme_of: dict[str, str | None] = dict.fromkeys(distinct)
    strength: dict[str, float] = dict.fromkeys(distinct, 0.0)
    themes = [Theme(id=key, key=key, labels=cues.labels[key], terms=[]) for key in cues.keys]
    if not docs:
        return Themes([], theme_of, strength, {})

    document_frequency: Counter = Counter()
    for doc in docs:
        document_frequency.update(set(doc.stems))
    n = len(docs)
    idf = {stem: math.log((1 + n) / (1 + df)) + 1 for stem, df in document_frequency.items()}
    labels, strengths = _seeded(docs, cues, idf)

    vectoriser = TfidfVectorizer(analyzer=lambda stems: stems, min_df=1, sublinear_tf=True)
    matrix = vectoriser.fit_transform([doc.stems for doc in docs])
    vocabulary = vectoriser.get_feature_names_out().tolist()
    label_array = np.array(labels)

    # Step 2: unthemed comments join the seeded theme whose centroid they are clearly like.
    unthemed = np.flatnonzero(label_array < 0)
    seeded_present = sorted(set(label_array[label_array >= 0].tolist()))
    if len(unthemed) and seeded_present:
        centroids = np.vstack(
            [np.asarray(matrix[label_array == t].mean(axis=0)) for t in seeded_present]
        )
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True) + 1e-12
        similarity = np.asarray(matrix[unthemed] @ centroids.T)
        best = similarity.argmax(axis=1)
        best_value = similarity[np.arange(len(unthemed)), best]
        for row, column, value in zip(unthemed, best, best_value, strict=True):
            if value >= CENTROID_MIN_SIMILARITY:
                label_array[row] = seeded_present[column]
                strengths[row] = float(value)

    # Each seeded theme's top words in this corpus, as most often written.
    surface = analyser.surface_forms()
    for t, theme in enumerate(themes):
        members = label_array == t
        theme.count = int(members.sum())
        if theme.count:
            weights = np.asarray(matrix[members].sum(axis=0)).ravel()
            top = np.argsort(weights)[::-1][:5]
            theme.terms = [surface.get(vocabulary[i], vocabulary[i]) for i in top if weights[i] > 0]

    # Step 3: emerging themes among what is left.
    unthemed = np.flatnonzero(label_array < 0)
    extra: list[Theme] = []
    if emerging and len(unthemed) >= EMERGING_MIN_COMMENTS:
        sub = matrix[unthemed]
        keep = np.asarray(sub.getnnz(axis=1)).ravel() > 0
        rows = unthemed[keep]
        seed = _stable_seed("\x00".join(distinct[i] for i in rows[:50]))
        named, weights = _emerging(matrix[rows], vocabulary, surface, seed % (2**31))
        if weights is not None:
            assigned = weights.argmax(axis=1)
            for c, top in enumerate(named):
                extra.append(
                    Theme(
                        id=f"emerging-{c + 1}",
                        key=None,
                        labels={},
                        terms=top,
                    )
                )
            offset = len(themes)
            for row, column, w in zip(rows, assigned, weights.max(axis=1), strict=True):
                if w > 0:
                    label_array[row] = offset + column
                    strengths[row] = float(w)
            for c, theme in enumerate(extra):
                theme.count = int((label_array == offset + c).sum())
    every = themes + extra
    for i, doc in enumerate(docs):
        if label_array[i] >= 0:
            theme_of[doc.text] = every[label_array[i]].id
            strength[doc.text] = strengths[i]
    kept = [theme for theme in every if theme.count]
    return Themes(kept, theme_of, strength, {doc.text: doc.language for doc in docs})
