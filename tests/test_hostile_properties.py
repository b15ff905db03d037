"""Property tests: hostile bundles and facts files through the real CLI.

Hypothesis mutates a valid bundle and a valid facts file (structure: values replaced by ones
of the wrong type, deep nesting, huge numbers, control characters, impossible timestamps,
keys removed; encodings: UTF-16, a byte-order mark, bytes that are not UTF-8, truncation;
YAML tags beyond JSON's types and alias bombs; sizes) and asserts only what the tool promises
for any input: a documented exit code, every error on one line of printable text, no
traceback, bounded CPU time and memory. The bounds are on work (CPU seconds of this process,
its peak RSS), not on wall-clock time, so a loaded machine cannot fail them.
"""

from __future__ import annotations

import copy
import json
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_publish_support import generated_bundle

from stix_mtac.canonical import pretty_bytes
from stix_mtac.cli import cli

TESTS = Path(__file__).resolve().parent
FACTS = TESTS / "facts_examples" / "example-iran-style.yaml"
SOURCE = TESTS / "facts_examples" / "example-iran-style.source.txt"

# Generous bounds on work per CLI run (a valid run of either takes well under a second).
CPU_SECONDS = 30.0
MEMORY_GROWTH_MIB = 400
VALIDATE_EXITS = {0, 1, 4}
EXPORT_EXITS = {0, 1, 3, 4}
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- values a hostile file may hold ------------------------------------------------------

awkward_text = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            ["\x00", "\x1b]0;", "\x1b[2J", "\n", "\r", "\u202e", "\u2028", "\ufeff", "\ud800"]
        ),
    ),
    max_size=20,
).map("".join)
timestamps = st.sampled_from(
    [
        "0000-01-01T00:00:00Z",
        "1972-06-30T23:59:60Z",
        "2024-02-30T00:00:00.000Z",
        "9999-12-31T23:59:59.999999999Z",
        "2024-01-15T25:61:61Z",
        "-2024-01-15",
        "2024-01-15",
        "",
    ]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    awkward_text,
    timestamps,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(awkward_text, inner, max_size=4)
    ),
    max_leaves=12,
)


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


special = st.one_of(
    st.integers(min_value=50, max_value=900).map(nested),
    st.integers(min_value=10_000, max_value=400_000).map(lambda n: "x" * n),
    st.integers(min_value=100, max_value=5000).map(lambda n: [{}] * n),
)


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """``document`` with a few places changed: a value replaced, a key removed or added."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        parent: Any = document
        for _ in range(draw(st.integers(min_value=0, max_value=4))):
            children = list(parent.values()) if isinstance(parent, dict) else parent
            containers = [c for c in children if isinstance(c, (dict, list)) and c]
            if not isinstance(parent, (dict, list)) or not containers:
                break
            parent = draw(st.sampled_from(containers))
        if isinstance(parent, dict) and parent:
            key = draw(st.sampled_from(sorted(parent)))
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "delete":
                del parent[key]
            elif action == "add":
                parent[draw(awkward_text)] = draw(values)
            else:
                parent[key] = draw(st.one_of(values, special))
        elif isinstance(parent, list) and parent:
            index = draw(st.integers(min_value=0, max_value=len(parent) - 1))
            parent[index] = draw(st.one_of(values, special))
    return document


@st.composite
def encoded(draw: st.DrawFn, text: str) -> bytes:
    """``text`` as bytes a careless tool might write: another encoding, a BOM, stray bytes,
    or cut short."""
    how = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "bom", "bad-bytes", "cut"]))
    if how == "utf-16":
        data = text.encode("utf-16", "surrogatepass")
    elif how == "bom":
        data = b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    else:
        data = text.encode("utf-8", "surrogatepass")  # lone surrogates: not UTF-8
    if how == "bad-bytes" and data:
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = (
            data[:at] + draw(st.sampled_from([b"\xff", b"\xc0\x80", b"\xed\xa0\x80"])) + data[at:]
        )
    if how == "cut" and data:
        data = data[: draw(st.integers(min_value=0, max_value=len(data) - 1))]
    return data


# -- the run and what it must promise ----------------------------------------------------


@contextmanager
def workspace() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="stix-mtac-hostile-"))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bounded_run(args: list[str]) -> Result:
    cpu_before = time.process_time()
    rss_before = peak_rss_mib()
    result = CliRunner().invoke(cli, args, env={"STIX_MTAC_DEBUG": ""})
    assert time.process_time() - cpu_before < CPU_SECONDS
    assert peak_rss_mib() - rss_before < MEMORY_GROWTH_MIB
    return result


def assert_kept_its_promises(result: Result, exits: set[int]) -> None:
    output = result.stdout + result.stderr
    assert result.exit_code in exits, output[-2000:]
    assert "Traceback" not in output and "internal error" not in output
    for line in output.splitlines():
        # control characters from the input are escaped: no forged line, no terminal escape
        assert line.isprintable(), repr(line)
    if result.exit_code not in (0, 1):
        assert output.strip(), "a failure says why"


# -- bundles through validate ------------------------------------------------------------

BUNDLE = generated_bundle(6)


@SETTINGS
@given(st.data())
def test_validate_keeps_its_promises_on_hostile_bundles(data: st.DataObject) -> None:
    document = data.draw(mutated(BUNDLE))
    text = json.dumps(document, ensure_ascii=False, indent=data.draw(st.sampled_from([None, 2])))
    if data.draw(st.booleans()):
        # duplicate keys and NaN, which json.dumps never writes
        text = text.replace('"type": "bundle"', '"type": "bundle", "type": "bundle"', 1)
        text = text.replace("null", "NaN", 1)
    raw = data.draw(encoded(text))
    with workspace() as directory:
        path = directory / "hostile.json"
        path.write_bytes(raw)
        result = bounded_run(["validate", str(path)])
    assert_kept_its_promises(result, VALIDATE_EXITS)


def test_the_bundle_generator_starts_from_a_valid_bundle() -> None:
    with workspace() as directory:
        path = directory / "valid.json"
        path.write_bytes(pretty_bytes(BUNDLE))
        result = bounded_run(["validate", str(path)])
    assert result.exit_code == 0, result.output


# -- facts files through export ----------------------------------------------------------

FACTS_DOCUMENT = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
YAML_HOSTILITIES = [
    "extra: !!binary aGVsbG8=\n",
    "extra: !!set {a, b}\n",
    "extra: !!python/object/apply:os.system ['true']\n",
    "extra: !!timestamp 2024-01-15\n",
    "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n",
    "report: {key: dup}\n",
    "--- \n",
    "%YAML 1.1\n---\n",
]


@SETTINGS
@given(st.data())
def test_export_keeps_its_promises_on_hostile_facts_files(data: st.DataObject) -> None:
    document = data.draw(mutated(FACTS_DOCUMENT))
    text = json.dumps(document, ensure_ascii=False)  # JSON is YAML (1.2)
    if data.draw(st.booleans()):
        text = yaml.safe_dump(document, allow_unicode=True) if _dumpable(document) else text
    if data.draw(st.booleans()):
        text = data.draw(st.sampled_from(YAML_HOSTILITIES)) + text
    raw = data.draw(encoded(text))
    with workspace() as directory:
        shutil.copyfile(SOURCE, directory / SOURCE.name)
        path = directory / "facts.yaml"
        path.write_bytes(raw)
        result = bounded_run(["export", "--facts", str(path), "-o", str(directory / "out")])
        written = sorted(p.name for p in (directory / "out").glob("*")) if result.exit_code else []
    assert_kept_its_promises(result, EXPORT_EXITS)
    assert written == [], "a refused export writes nothing"


def _dumpable(document: Any) -> bool:
    try:
        yaml.safe_dump(document, allow_unicode=True)
    except (yaml.YAMLError, UnicodeError, ValueError, RecursionError):
        return False
    return True


def test_the_facts_generator_starts_from_a_file_that_exports() -> None:
    with workspace() as directory:
        shutil.copyfile(SOURCE, directory / SOURCE.name)
        path = directory / "facts.yaml"
        path.write_text(json.dumps(FACTS_DOCUMENT), encoding="utf-8")
        result = bounded_run(["export", "--facts", str(path), "-o", str(directory / "out")])
    assert result.exit_code == 0, result.output


# -- what the generators found, pinned ---------------------------------------------------


def export_text(text: str) -> Result:
    with workspace() as directory:
        shutil.copyfile(SOURCE, directory / SOURCE.name)
        path = directory / "facts.yaml"
        path.write_text(text, encoding="utf-8")
        return bounded_run(["export", "--facts", str(path), "-o", str(directory / "out")])


def test_found_a_deep_block_style_list_is_a_facts_error_not_a_crash() -> None:
    deep = "\n".join("  " * level + "-" for level in range(300)) + " deep\n"
    result = export_text(FACTS.read_text(encoding="utf-8") + "extra:\n" + deep)
    assert result.exit_code == 3, result.output  # was 70: the schema validator's recursion
    assert "nested more than 64 levels deep" in result.stderr


def test_found_a_lone_surrogate_escape_is_a_facts_error_not_a_crash() -> None:
    text = FACTS.read_text(encoding="utf-8").replace(
        "description: A fictional report used by the tests.", 'description: "x\\ud800y"'
    )
    result = export_text(text)
    assert result.exit_code == 3, result.output  # was 70: UnicodeEncodeError
    assert "report.description: a lone surrogate escape" in result.stderr
