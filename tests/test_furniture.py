from nlpkit.text.document import parse_article
from nlpkit.text.furniture import is_furniture_line, strip_furniture


def test_latest_news_list_is_removed_with_its_headlines():
    text = "The talks ended.\nLatest news\n- Almaty utility sues debtors\n- Bank keeps rate at 16.5%"
    assert strip_furniture(text) == "The talks ended."


def test_story_after_a_headline_list_is_kept():
    text = "Related stories:\n- One headline\n- Two headline\n\nThe minister arrived on Monday."
    assert strip_furniture(text).strip() == "The minister arrived on Monday."


def test_bylines_credits_and_share_lines():
    for line in [
        "Original Author: Ruslan Loginov",
        "By Aigerim Sadykova",
        "Read also: Kazakhstan signs railway memorandum",
        "Photo: Kremlin press service / AFP",
        "Share this article",
        "PUBLISHED: 12:01 EST, 1 May 2013",
        "© 2025 Orda.kz. All rights reserved.",
        "June 12, 2025 · By Gulshat Orazova, Ashgabat",
    ]:
        assert is_furniture_line(line), line


def test_story_sentences_are_not_furniture():
    for line in [
        "By 2027 the pipeline should carry 50 billion cubic metres a year.",
        "The bank raised its rate on 22 November 2024.",
        "Share prices fell sharply after the announcement.",
        "Photographers waited outside the court for hours as the verdict was read.",
    ]:
        assert not is_furniture_line(line), line


def test_daily_mail_inline_header_is_dropped():
    text = (
        "By . Daily Mail Reporter . PUBLISHED: . 12:01 EST, 1 May 2013 . | . "
        "UPDATED: . 13:40 EST, 1 May 2013 . A man was charged."
    )
    assert strip_furniture(text) == "A man was charged."


def test_parse_article_keeps_story_sentences_in_order():
    text = "First fact here.\n\nSecond fact here. Third fact.\nOriginal Author: A. Writer\nLatest news\n- Other story"
    article = parse_article(text, "Title")
    assert article.texts == ["First fact here.", "Second fact here.", "Third fact."]
    assert [s.paragraph for s in article.sentences] == [0, 1, 1]
    assert [s.index for s in article.sentences] == [0, 1, 2]
    assert article.title == "Title"
