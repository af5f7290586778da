"""Theme discovery: topics among the sentences nobody has coded yet.

What the codebook misses is, by construction, in the sentences that got no code. We take
those sentence units, weigh their lemmas with TF-IDF (Dutch stop words and spoken fillers
left out, lemmas in fewer than two sentences dropped), and factorise the matrix with NMF,
which gives additive, readable topics: each has its top lemmas and the sentences that load
most on it as examples. A topic that names a real theme becomes a new code in one step
(:func:`make_code`): its lemmas become the code's keywords, so the keyword rules and, once a
few are coded, the learned suggestions find its passages. NMF is seeded, so the same study
gives the same topics and ``--make-code N`` means the topic that was shown as N.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualcode.assist.units import Corpus
from qualcode.core.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.core.models import Code
    from qualcode.study.study import Study

# Words of spoken Dutch that carry no theme (spaCy's stop list is written language).
SPOKEN_FILLERS = frozenset(
    "eh ehm uh uhm hm hmm mm nou oké ok oke okay hè hé zeg zeggen weten denken gaan komen "
    "hebben zijn worden kunnen willen doen zo'n zo’n interviewer gewoon echt heel best soort "
    "ding dingen keer natuurlijk eigenlijk beetje ofzo zeg maar kun ga gaat vond gezegd zei kwam "
    "weet zit zitten vinden goed per mee soms twee drie vier vijf zes tien gaan ging "
    # function words a keyword must never be (spaCy's list lacks "via"; "één" is "een" stressed)
    "via één eén tot toe want omdat zodat terwijl echter".split()
)
_TOKEN = re.compile(r"^[^\W\d_]{2,}$")
_ANNOTATION = re.compile(r"\[([^\[\]]*)\]")  # a transcriber's note: [lacht], [stilte], [onverstaanbaar]


@dataclass(frozen=True)
class TopicExample:
    key: str  # document:start:end
    document: str
    text: str
    weight: float


@dataclass(frozen=True)
class Topic:
    number: int  # 1-based, as shown to the user
    lemmas: tuple[str, ...]
    weights: tuple[float, ...]
    size: int  # sentences for which this is the strongest topic
    examples: tuple[TopicExample, ...]

    def as_row(self) -> dict[str, object]:
        return {
            "topic": self.number,
            "sentences": self.size,
            "lemmas": ", ".join(self.lemmas),
            "example": self.examples[0].text if self.examples else "",
        }


def uncoded_units(corpus: Corpus) -> list[int]:
    """Units that no coding of any code touches, the interviewer's questions left out."""
    coded: set[int] = set()
    for touched in corpus.touched.values():
        coded |= touched
    return [i for i, u in enumerate(corpus.units) if i not in coded and not u.is_interviewer]


def discover_topics(
    corpus: Corpus,
    n_topics: int = 8,
    *,
    top: int = 10,
    examples: int = 3,
    language: str = "nl",
    seed: int = 0,
) -> list[Topic]:
    """NMF topics over the uncoded sentence units, strongest first."""
    from sklearn.decomposition import NMF  # scikit-learn costs ~0.5 s to import
    from sklearn.feature_extraction.text import TfidfVectorizer

    from qualcode.ingest.nlp import stop_words

    if n_topics < 1:
        raise QualcodeError("ask for at least one topic")
    from qualcode.study.search import fold

    # Compared without accents too: "één", "hé" and "café"-style spellings of stop words.
    stop = {fold(w) for w in stop_words(language) | SPOKEN_FILLERS}

    from qualcode.ingest.nlp import lemmas as lemmatise

    def analyse(i: int) -> list[str]:
        unit = corpus.units[i]
        words = [t for t in unit.lemmas.split() if fold(t) not in stop and _TOKEN.match(t)]
        # What the transcriber noted ("[lacht]", "[stilte]", "[onverstaanbaar]") is not what
        # was said: its words are no theme.
        for note in _ANNOTATION.findall(unit.text) if "[" in unit.text else ():
            for lemma in lemmatise(note, language):
                if lemma in words:
                    words.remove(lemma)
        return words

    tokens = {i: analyse(i) for i in uncoded_units(corpus)}
    units = [i for i, words in tokens.items() if len(words) >= 2]
    if len(units) < max(10, 3 * n_topics):
        raise QualcodeError(
            f"only {len(units)} uncoded sentences with content words; topics need at least {max(10, 3 * n_topics)}"
        )
    vectorizer = TfidfVectorizer(analyzer=tokens.__getitem__, min_df=2, max_df=0.5, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(units)
    except ValueError:
        raise QualcodeError("the uncoded sentences share too few words to find topics") from None
    n_topics = min(n_topics, matrix.shape[1], matrix.shape[0])
    model = NMF(n_components=n_topics, init="nndsvda", random_state=seed, max_iter=500)
    weights = model.fit_transform(matrix)
    vocabulary = vectorizer.get_feature_names_out()
    strongest = weights.argmax(axis=1)
    has_weight = weights.max(axis=1) > 0
    topics: list[tuple[float, Topic]] = []
    for k in range(n_topics):
        order = np.argsort(model.components_[k])[::-1][:top]
        lemmas = tuple(str(vocabulary[j]) for j in order if model.components_[k][j] > 0)
        if not lemmas:
            continue
        picked: list[TopicExample] = []
        seen: set[str] = set()
        for row in np.argsort(weights[:, k])[::-1]:
            if len(picked) >= examples or weights[row, k] <= 0:
                break
            unit = corpus.units[units[row]]
            if unit.text in seen:  # the same transcript imported twice, or a repeated phrase
                continue
            seen.add(unit.text)
            picked.append(
                TopicExample(unit.key, corpus.titles.get(unit.document_id, ""), unit.text, float(weights[row, k]))
            )
        size = int(((strongest == k) & has_weight).sum())
        topics.append(
            (
                float(weights[:, k].sum()),
                Topic(
                    0, lemmas, tuple(float(model.components_[k][j]) for j in order[: len(lemmas)]), size, tuple(picked)
                ),
            )
        )
    topics.sort(key=lambda pair: -pair[0])
    return [Topic(n, t.lemmas, t.weights, t.size, t.examples) for n, (_, t) in enumerate(topics, start=1)]


def make_code(
    study: Study,
    topic: Topic,
    name: str,
    *,
    parent: str | int | None = None,
    keywords: int = 8,
) -> Code:
    """Create a code from a topic: its top lemmas become the keywords and the description.

    The example sentences are not coded: the keyword rules and the learned suggestions
    bring them up for review like any other candidate.
    """
    chosen = list(topic.lemmas[:keywords])
    example = topic.examples[0].text if topic.examples else ""
    description = (
        f"Thema gevonden met `qualcode topics` in nog niet gecodeerde zinnen. Kernwoorden: {', '.join(topic.lemmas)}."
    )
    if example:
        description += f" Voorbeeld: “{example}”"
    return study.add_code(name, parent, description=description, keywords=chosen, codebook="Topics")
