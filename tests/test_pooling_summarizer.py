import numpy as np
import pytest

from nlpkit.heads.pooling import DocumentPooler
from nlpkit.heads.summarizers import (
    CentralitySummarizer,
    LeadSummarizer,
    Summarizer,
    SummaryLength,
    lexical_centrality,
    select_sentences,
)
from nlpkit.text.document import EmbeddedArticle, parse_article


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def embedded(rows, title=None):
    return EmbeddedArticle(title=None if title is None else unit(title), sentences=np.array([unit(r) for r in rows]))


def test_pooled_vector_is_unit_and_leans_to_title_and_lead():
    article = embedded([[1, 0, 0], [0, 1, 0], [0, 1, 0]], title=[0, 0, 1])
    plain = DocumentPooler(title_weight=0.0, lead_weight=0.0).fit([article]).transform([article])[0]
    assert np.isclose(np.linalg.norm(plain), 1.0)
    assert plain[1] > plain[0]  # two sentences about axis 1 outweigh one about axis 0
    leaning = DocumentPooler(title_weight=2.0, lead_weight=5.0).fit([article]).transform([article])[0]
    assert leaning[2] > plain[2]  # the title pulls the vector towards itself
    assert leaning[0] / leaning[1] > plain[0] / plain[1]  # the lead sentence counts more


def test_mean_max_doubles_the_width_and_handles_empty_articles():
    full = embedded([[1, 0], [0, 1]])
    empty = EmbeddedArticle(title=None, sentences=np.zeros((0, 2), np.float32))
    matrix = DocumentPooler(method="mean_max").fit([full]).transform([full, empty])
    assert matrix.shape == (2, 4)
    assert not matrix[1].any()


def test_unknown_pooling_method_is_a_clear_error():
    with pytest.raises(ValueError, match="pool__method"):
        DocumentPooler(method="median").fit([embedded([[1, 0]])])


ARTICLE = parse_article("Alpha one is here. Beta two follows. Gamma three ends. Delta four closes.", "Headline")


def vectors_for(article, rows):
    return EmbeddedArticle(title=unit([1, 0, 0]), sentences=np.array([unit(r) for r in rows]))


def test_selection_returns_document_order_and_asked_count():
    scores = np.array([0.1, 0.9, 0.2, 0.8])
    assert select_sentences(ARTICLE, scores, SummaryLength(2)) == ["Beta two follows.", "Delta four closes."]


def test_fewer_sentences_than_asked_returns_all_in_order():
    assert select_sentences(ARTICLE, np.array([4.0, 3, 2, 1]), SummaryLength(10)) == ARTICLE.texts


def test_ratio_and_word_budget():
    assert len(select_sentences(ARTICLE, np.arange(4.0), SummaryLength(ratio=0.5))) == 2
    assert select_sentences(ARTICLE, np.arange(4.0)[::-1], SummaryLength(4, max_words=7)) == ARTICLE.texts[:2]


def test_empty_and_one_sentence_articles():
    empty = parse_article("", "Nothing")
    summarizer = CentralitySummarizer(n_sentences=3)
    assert summarizer.summarize(empty, EmbeddedArticle(None, np.zeros((0, 3), np.float32))) == []
    one = parse_article("Only one sentence here.")
    assert summarizer.summarize(one, EmbeddedArticle(None, np.array([unit([1, 1, 0])]))) == ["Only one sentence here."]


def test_redundancy_keeps_near_duplicates_apart():
    rows = [[1, 0, 0], [0.99, 0.01, 0], [0, 1, 0], [0, 0, 1]]
    vectors = vectors_for(ARTICLE, rows)
    short = dict(n_sentences=2, position_weight=2.0, coverage_start=1.0, coverage_full=1.0)  # no coverage ramp
    plain = CentralitySummarizer(redundancy=0.0, **short)
    diverse = CentralitySummarizer(redundancy=0.9, **short)
    assert plain.summarize(ARTICLE, vectors)[:2] == ["Alpha one is here.", "Beta two follows."]
    assert "Beta two follows." not in diverse.summarize(ARTICLE, vectors)


def test_summaries_are_deterministic_and_lead_is_lead():
    vectors = vectors_for(ARTICLE, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]])
    summarizer = CentralitySummarizer(n_sentences=2)
    assert summarizer.summarize(ARTICLE, vectors) == summarizer.summarize(ARTICLE, vectors)
    assert LeadSummarizer(2).summarize(ARTICLE) == ARTICLE.texts[:2]


class LastFirst(Summarizer):
    """A summarizer that only rates (the later the better): the base does length, selection and order."""

    def rate(self, article, vectors=None, n_wanted=None):
        return np.arange(len(article.sentences), dtype=float)


def test_the_base_owns_length_selection_and_document_order():
    assert LastFirst(n_sentences=2).summarize(ARTICLE) == ARTICLE.texts[2:]
    assert LastFirst(n_sentences=3, ratio=0.25, min_sentences=1).summarize(ARTICLE) == ARTICLE.texts[3:]
    assert LastFirst(n_sentences=4, max_words=7).summarize(ARTICLE) == ["Gamma three ends.", "Delta four closes."]
    assert LastFirst(n_sentences=1).summarize(ARTICLE, n_sentences=3) == ARTICLE.texts[1:]  # an explicit count is exact
    assert LastFirst().summary_length().get_params() == SummaryLength().get_params()
    with pytest.raises(NotImplementedError):
        Summarizer().summarize(ARTICLE)


def test_a_vector_summarizer_without_vectors_says_what_it_needs():
    with pytest.raises(ValueError, match="EmbeddedArticle"):
        CentralitySummarizer().summarize(ARTICLE)


def test_lexical_centrality_favours_sentences_that_share_the_story_words():
    texts = [
        "Pipeline gas exports to China rose sharply.",
        "China pipeline gas exports hit a record.",
        "Gas exports through the pipeline to China will grow.",
        "The weather was sunny.",
    ]
    rank = lexical_centrality(texts)
    assert rank.shape == (4,) and abs(rank.mean() - 1.0) < 1e-6
    assert rank[3] == rank.min() and rank[0] > rank[3]


def test_coverage_counts_only_when_the_summary_keeps_a_large_share():
    summarizer = CentralitySummarizer(coverage_start=0.2, coverage_full=0.4)
    assert summarizer._coverage(count=30, n_wanted=3) == 0.0
    assert summarizer._coverage(count=10, n_wanted=3) == pytest.approx(0.5)
    assert summarizer._coverage(count=10, n_wanted=5) == 1.0
