"""STIX 2.1 patterning: a linear-time lexer and a parser that needs no ANTLR.

``lexer.py`` reads the tokens of the STIX 2.1 patterning grammar (the spec's section 9 and its
reference grammar ``STIXPattern.g4``) with the same longest-match rules as the reference
lexer; ``parser.py`` reads the grammar itself and returns what stix2patterns' inspector
collects (comparisons by object type, qualifiers) plus the qualifier values; ``limits.py``
bounds a pattern's size before any parser sees it.
"""
