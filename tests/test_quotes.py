"""Why a quote is not in its source: the nearest passage and the reason, in one line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stix_mtac.quotes import diagnose_quote

SOURCE = (
    "Title line\n"
    "The actors\u2019 webshell was found on the server.\n"
    "It used co\u00adoperation with the operators.\n"
    "Zero\u200bwidth joins happen.\n"
    "Microsoft assesses this activity was likely conducted for espionage purposes.\n"
    "They \u201cborrowed\u201d tools \u2014 often.\n"
)


def test_curly_apostrophe_typed_straight() -> None:
    message = diagnose_quote("The actors' webshell was found on the server.", SOURCE)
    assert message == (
        "the source has '\u2019' (right single quotation mark) where the quote has \"'\" "
        "(source line 2)"
    )


def test_curly_double_quotes_and_dash_typed_plain() -> None:
    message = diagnose_quote('They "borrowed" tools - often.', SOURCE)
    assert "left double quotation mark" in message and "em dash" in message
    assert message.endswith("(source line 6)")


def test_soft_hyphen_in_the_source() -> None:
    message = diagnose_quote("It used cooperation with the operators.", SOURCE)
    assert message == ("the source has a soft hyphen (U+00AD) that the quote lacks (source line 3)")


def test_zero_width_space_in_the_source() -> None:
    message = diagnose_quote("Zerowidth joins happen.", SOURCE)
    assert "a zero-width space (U+200B)" in message and "(source line 4)" in message


def test_no_break_space_in_the_quote() -> None:
    message = diagnose_quote("Title\u00a0line", SOURCE)
    assert (
        message == "the quote has a no-break space (U+00A0) that the source lacks (source line 1)"
    )


def test_case_differs() -> None:
    message = diagnose_quote("title LINE", SOURCE)
    assert message.startswith("differs only in case:") and message.endswith("(source line 1)")


def test_spacing_differs() -> None:
    assert diagnose_quote("Ti tle line", SOURCE) == (
        "differs only in spacing (a word split or joined) (source line 1)"
    )


def test_a_changed_word_shows_the_nearest_passage_and_where_it_parts() -> None:
    message = diagnose_quote(
        "Microsoft assesses this activity was probably conducted for espionage purposes.", SOURCE
    )
    assert message.startswith('nearest passage "Microsoft assesses this activity was likely')
    assert "'s activity was probably conduc'" in message and "(source line 5)" in message


def test_an_unrelated_quote_has_no_nearest_passage() -> None:
    message = diagnose_quote("Completely unrelated words about cooking pasta tonight", SOURCE)
    assert message == "no passage of the source is close to the quote (is it from another text?)"


def test_a_quote_that_is_there_says_so() -> None:
    assert diagnose_quote("Title  line", SOURCE) == "the quote is in the source"


@given(st.text(max_size=60), st.text(max_size=400))
def test_any_input_gives_one_line(quote: str, source: str) -> None:
    message = diagnose_quote(quote, source)
    assert message and "\n" not in message.replace("\\n", "")
