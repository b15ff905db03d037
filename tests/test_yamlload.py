"""Property tests for the facts parser: positions are right, and no input escapes as a crash."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stix_mtac.build import load_facts
from stix_mtac.errors import FactsError
from stix_mtac.yamlload import YamlProblem, format_path, load_located_yaml

EXAMPLE = Path(__file__).parent / "facts_examples" / "example-iran-style.yaml"

keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
scalars = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.booleans(),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4),
        st.dictionaries(keys, inner, min_size=1, max_size=4),
    ),
    max_leaves=20,
)


def _leaf_paths(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaf_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaf_paths(v, (*path, i))]
    return [path]


@settings(max_examples=150, deadline=None)
@given(documents.filter(lambda d: isinstance(d, dict)))
def test_values_round_trip_and_every_key_line_points_at_that_key(
    document: dict[str, object],
) -> None:
    text = yaml.safe_dump(document, default_flow_style=False, allow_unicode=True, width=10_000)
    located = load_located_yaml(text)
    assert located.data == document
    lines = text.splitlines()
    for path in _leaf_paths(document):
        named = [part for part in path if isinstance(part, str)]
        line = located.line_of(path)
        assert line is not None
        if named and not isinstance(path[-1], int):
            assert named[-1] in lines[line - 1], (format_path(path), lines[line - 1])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_either_parses_or_raises_a_located_problem(text: str) -> None:
    try:
        load_located_yaml(text)
    except YamlProblem as problem:
        assert problem.line >= 1 and problem.message


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    position=st.integers(min_value=0, max_value=10_000),
    length=st.integers(min_value=0, max_value=40),
    insert=st.text(max_size=12),
)
def test_a_mangled_facts_file_gives_facts_errors_never_a_crash(
    tmp_path_factory: object, position: int, length: int, insert: str
) -> None:
    import tempfile

    original = EXAMPLE.read_text(encoding="utf-8")
    cut = position % (len(original) + 1)
    mangled = original[:cut] + insert + original[cut + length :]
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        source = EXAMPLE.with_name("example-iran-style.source.txt")
        (directory / source.name).write_bytes(source.read_bytes())
        path = directory / "mangled.yaml"
        path.write_text(mangled, encoding="utf-8")
        try:
            load_facts(path)
        except FactsError as error:
            assert error.lines()
            for line in error.lines():
                assert line.startswith("mangled.yaml") and "\n" not in line


def test_format_path() -> None:
    assert format_path(("campaigns", 2, "first_seen")) == "campaigns[2].first_seen"
    assert format_path((0, "a")) == "[0].a"
    assert format_path(()) == ""


def test_billion_laughs_is_refused_quickly() -> None:
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        previous = f"*a{level - 1}"
        levels.append(f"a{level}: &a{level} [{', '.join([previous] * 9)}]")
    text = "\n".join(levels) + "\n"
    try:
        load_located_yaml(text)
    except YamlProblem as problem:
        assert problem.message.startswith("a1[0]: YAML aliases")
    else:
        raise AssertionError("aliases must be refused")


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    try:
        load_located_yaml("[" * 5000 + "]" * 5000)
    except YamlProblem as problem:
        assert "deep" in problem.message
    else:
        raise AssertionError("expected a YamlProblem")
