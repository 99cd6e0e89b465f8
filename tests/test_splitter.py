import pytest

from nlpkit.text.splitter import split_paragraphs, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. Treasury said so. Markets rose.", ["The U.S. Treasury said so.", "Markets rose."]),
        ("Gen. Ivanov arrived. He spoke.", ["Gen. Ivanov arrived.", "He spoke."]),
        ("J. K. Rowling spoke in Almaty. Fans came.", ["J. K. Rowling spoke in Almaty.", "Fans came."]),
        ("Trade reached $244.9 billion in 2024. It grew.", ["Trade reached $244.9 billion in 2024.", "It grew."]),
        ('"We won," he said. "It is over." Then he left!', ['"We won," he said.', '"It is over."', "Then he left!"]),
        ("Did it work? Yes. Mr. Smith and Dr. Lee agreed.", ["Did it work?", "Yes.", "Mr. Smith and Dr. Lee agreed."]),
        (
            "Shares of Acme Inc. rose 3.5 pct. Volume was thin.",
            ["Shares of Acme Inc. rose 3.5 pct.", "Volume was thin."],
        ),
        ("Kazakhstan's central bank kept the rate at 16.5%.", ["Kazakhstan's central bank kept the rate at 16.5%."]),
    ],
)
def test_sentence_boundaries(text, expected):
    assert split_sentences(text) == expected


def test_headline_lines_and_list_items_are_their_own_sentences():
    paragraph = "Latest news\n- Kazakhstan and Afghanistan Sign Railway Memorandum\n- Bank Keeps Rate at 16.5%"
    assert split_sentences(paragraph) == [
        "Latest news",
        "Kazakhstan and Afghanistan Sign Railway Memorandum",
        "Bank Keeps Rate at 16.5%",
    ]


def test_hard_wrapped_lines_are_joined():
    assert split_sentences("The ministry said the pipeline\nwould open next year.") == [
        "The ministry said the pipeline would open next year."
    ]


def test_a_line_ending_in_a_comma_continues():
    assert split_sentences("We work for our peoples,\nPutin said.") == ["We work for our peoples, Putin said."]


def test_paragraphs_split_on_blank_lines_and_skip_empty_blocks():
    assert split_paragraphs("One.\n\n\n  \nTwo.\r\n\r\nThree.") == ["One.", "Two.", "Three."]


def test_text_without_words_gives_no_sentences():
    assert split_sentences("... -- !!") == []
