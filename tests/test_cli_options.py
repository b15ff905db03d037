"""One CLI: walk the click command tree and fail on an inconsistency between commands.

The rules (README, "Options every command shares"): a concept has one name, one short flag
and one environment variable everywhere; every command takes -h, -q, -v and --color; every
argument that reads a bundle accepts - (standard input), and each such command is run here
with the bundle on stdin; every output option is -o/--output and creates no directory that
was not asked for; every deprecated name warns; no command reads an option from os.environ.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from stix_mtac.cli import cli
from stix_mtac.commands import options
from stix_mtac.commands.options import BundleInput, Command, OutputPath
from stix_mtac.signing import generate_keypair

REPO = Path(__file__).resolve().parent.parent
BUNDLE = REPO / "bundles" / "mtac-east-asia-2023-09-07.json"
ANSI = "\x1b["

# Arguments that read a file which is not a bundle, or a bundle whose signature must lie
# beside it, and why they do not take - (the README says the same).
NOT_STDIN = {
    ("sign", "bundles"): "writes BUNDLE.jws beside each bundle file",
    ("verify", "paths"): "reads the signature BUNDLE.jws beside each bundle file",
    ("draft", "source"): "report text, not a bundle",
    ("trust import", "keyring_file"): "a keyring (JWKS), not a bundle",
}
# Output options besides -o/--output: a command that writes two places names the second.
SECOND_OUTPUTS = {("keygen", "--public-output")}
# Old names, kept for one release: (command, old) -> new.
EXPECTED_DEPRECATED = {
    ("export", "--out"): "--output",
    ("export", "--key"): "--signing-key",
    ("keygen", "--out"): "--output",
    ("keygen", "--public-out"): "--public-output",
    ("keygen", "--passphrase"): "--encrypt",
    ("sign", "--key"): "--signing-key",
    ("verify", "--keys"): "--keyring",
    ("publish", "--keys"): "--keyring",
    ("publish", "--max-bytes"): "--envelope-bytes",
    ("publish", "--max-objects"): "--envelope-objects",
    ("draft", "--out"): "--output",
}
# Names that meant two things before (an input limit in validate, an envelope size in
# publish): each may now belong to one command only.
ONE_MEANING = {"--max-bytes": {"validate"}, "--max-objects": {"validate"}}


def walk(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from walk(command, f"{path} ")
        else:
            yield path, command


COMMANDS = dict(walk(cli))


def invoke(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=stdin, env=env)


def test_the_tree_has_every_command() -> None:
    assert {"export", "validate", "sign", "verify", "publish", "pull", "show", "graph"} <= set(
        COMMANDS
    )
    assert {"trust import", "trust list", "trust remove"} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_is_made_by_the_options_layer_and_takes_h(path: str) -> None:
    command = COMMANDS[path]
    assert isinstance(command, Command), f"{path}: use options.command()"
    result = invoke(*path.split(), "-h")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: cli {path} ")
    assert "Example" in result.output, f"{path}: --help has no example"
    names = {opt for param in command.params for opt in getattr(param, "opts", [])}
    assert {"-q", "--quiet", "-v", "--verbose", "--color"} <= names


def test_the_group_takes_h_too() -> None:
    assert invoke("-h").exit_code == 0


def _options() -> Iterator[tuple[str, click.Option]]:
    for path, command in COMMANDS.items():
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                yield path, param


def _long(option: click.Option) -> str:
    return next(name for name in option.opts if name.startswith("--"))


def test_one_concept_one_spelling_across_commands() -> None:
    spellings: dict[str, set[tuple[tuple[str, ...], str | None, bool, str]]] = defaultdict(set)
    by_short: dict[str, set[str]] = defaultdict(set)
    by_env: dict[str, set[str]] = defaultdict(set)
    where: dict[str, set[str]] = defaultdict(set)
    for path, option in _options():
        long = _long(option)
        envvar = option.envvar if isinstance(option.envvar, str) else None
        kind = type(option.type).__name__
        spellings[long].add((tuple(sorted(option.opts)), envvar, option.is_flag, kind))
        where[long].add(path)
        for short in (name for name in option.opts if not name.startswith("--")):
            by_short[short].add(long)
        if envvar:
            by_env[envvar].add(long)
    differing = {long: found for long, found in spellings.items() if len(found) > 1}
    assert not differing, f"one option, several spellings, env vars or kinds: {differing}"
    assert all(len(longs) == 1 for longs in by_short.values()), by_short
    assert all(len(longs) == 1 for longs in by_env.values()), by_env
    for long, allowed in ONE_MEANING.items():
        assert where[long] <= allowed, f"{long} means one thing: {where[long]}"
    assert by_short["-o"] == {"--output"}
    assert by_short["-q"] == {"--quiet"} and by_short["-v"] == {"--verbose"}


def test_every_environment_variable_is_an_option_envvar() -> None:
    """Environment variables reach options through click's envvar=, never by hand."""
    envvars = {option.envvar for _, option in _options() if isinstance(option.envvar, str)}
    assert envvars == {
        "STIX_MTAC_SIGNING_KEY",
        "STIX_MTAC_KEY_PASSPHRASE",
        "STIX_MTAC_KEYRING",
        "STIX_MTAC_TAXII_USER",
        "STIX_MTAC_TAXII_PASSWORD",
        "STIX_MTAC_TAXII_TOKEN",
        "STIX_MTAC_TAXII_RETRIES",
        "STIX_MTAC_TAXII_CONNECT_TIMEOUT",
        "STIX_MTAC_TAXII_TIMEOUT",
        "STIX_MTAC_TAXII_DEADLINE",
    }
    for source in [REPO / "stix_mtac" / "cli.py", *(REPO / "stix_mtac" / "commands").glob("*.py")]:
        text = source.read_text(encoding="utf-8")
        reads = re.findall(r"os\.environ|getenv", text)
        if source.name == "options.py":  # NO_COLOR / FORCE_COLOR: presence, not a value
            assert len(reads) == 2 and "NO_COLOR_ENV" in text and "FORCE_COLOR_ENV" in text
        elif source.name == "cli.py":  # STIX_MTAC_DEBUG: for crashes, before any option
            assert len(reads) == 1 and "DEBUG_ENV" in text
        else:
            assert not reads, f"{source.name} reads the environment by hand"


def test_the_options_layer_names_the_variables_the_library_reads() -> None:
    from stix_mtac.signing import bundles, truststore

    assert options.SIGNING_KEY_ENV == bundles.SIGNING_KEY_ENV
    assert options.PASSPHRASE_ENV == bundles.PASSPHRASE_ENV
    assert options.KEYRING_ENV == truststore.KEYRING_ENV


def test_every_output_option_is_o_output() -> None:
    for path, option in _options():
        if isinstance(option.type, OutputPath):
            if (path, _long(option)) in SECOND_OUTPUTS:
                continue
            assert option.opts == ["-o", "--output"], (path, option.opts)
        if "--output" in option.opts or "-o" in option.opts:
            assert isinstance(option.type, OutputPath), path
        assert not {"--out", "--key", "--keys", "--public-out"} & set(option.opts), (
            f"{path}: an old name is declared as an option, not as a deprecated alias"
        )


def _arguments() -> Iterator[tuple[str, click.Argument]]:
    for path, command in COMMANDS.items():
        for param in command.params:
            if isinstance(param, click.Argument):
                yield path, param


def test_every_bundle_argument_accepts_stdin_or_says_why_not() -> None:
    for path, argument in _arguments():
        key = (path, argument.name)
        if isinstance(argument.type, BundleInput):
            assert key not in NOT_STDIN
        elif isinstance(argument.type, click.Path):
            assert key in NOT_STDIN, f"{path} {argument.name}: a file argument that takes no -"


def _stdin_runs(tmp_path: Path) -> dict[str, list[str]]:
    """Each command that reads a bundle, run with - for it (and what else it needs)."""
    return {
        "show": ["show", "-"],
        "graph": ["graph", "-", "-o", str(tmp_path / "g.svg")],
        "diff": ["diff", "-", str(BUNDLE)],
        "navigator": ["navigator", "-", "-o", str(tmp_path)],
        "validate": ["validate", "-"],
        "publish": [
            "publish", "-", "--allow-unsigned", "--dry-run",
            "--url", "http://127.0.0.1:9/taxii2/", "--collection", "c",
        ],
    }  # fmt: skip


def test_every_command_that_reads_a_bundle_reads_it_from_stdin(tmp_path: Path) -> None:
    runs = _stdin_runs(tmp_path)
    readers = {path for path, argument in _arguments() if isinstance(argument.type, BundleInput)}
    assert readers == set(runs), "a new command reading a bundle needs a case here"
    data = BUNDLE.read_bytes()
    objects = len(json.loads(data)["objects"])
    for name, args in runs.items():
        result = invoke(*args, stdin=data)
        assert result.exit_code == 0, (name, result.output)
    assert (
        json.loads(invoke("show", "--format", "json", "-", stdin=data).stdout)["object_count"]
        == objects
    )
    assert (tmp_path / "g.svg").read_bytes().startswith(b"<")
    assert (tmp_path / "stdin.enterprise-attack.layer.json").is_file()
    assert f"would POST {objects} objects" in invoke(*runs["publish"], stdin=data).stdout


def test_stdin_is_named_in_messages_and_read_once(tmp_path: Path) -> None:
    bad = invoke("show", "-", stdin=b'{"type": "bundle", "objects": [}')
    assert bad.exit_code == 4 and bad.stderr.startswith("error: <stdin>: ")
    twice = invoke("diff", "-", "-", stdin=BUNDLE.read_bytes())
    assert twice.exit_code == 2 and "only once" in twice.stderr


def test_verify_and_publish_explain_why_a_signature_cannot_come_from_stdin() -> None:
    verify = invoke("verify", "-", stdin=BUNDLE.read_bytes())
    assert verify.exit_code == 2 and "BUNDLE.jws beside" in verify.stderr
    publish = invoke(
        "publish", "-", "--dry-run", "--url", "http://127.0.0.1:9/", "--collection", "c",
        stdin=BUNDLE.read_bytes(),
    )  # fmt: skip
    assert publish.exit_code == 5 and "--allow-unsigned" in publish.stderr


def test_the_deprecated_names_are_the_expected_ones() -> None:
    found = {
        (path, old): new
        for path, command in COMMANDS.items()
        for old, new in getattr(command, "deprecated_names", {}).items()
    }
    assert found == EXPECTED_DEPRECATED
    for (path, old), new in found.items():
        declared = {opt for param in COMMANDS[path].params for opt in getattr(param, "opts", [])}
        assert new in declared and old not in declared, (path, old)


@pytest.mark.parametrize(("path", "old"), sorted(EXPECTED_DEPRECATED))
def test_every_deprecated_name_warns_on_stderr(path: str, old: str) -> None:
    new = EXPECTED_DEPRECATED[(path, old)]
    option = next(
        param
        for param in COMMANDS[path].params
        if isinstance(param, click.Option) and new in param.opts
    )
    value = [] if option.is_flag else ["x"]
    result = invoke(*path.split(), old, *value, "-h")
    assert result.exit_code == 0, result.output
    assert f"warning: {old} is deprecated; use {new}" in result.stderr
    quiet = invoke(*path.split(), "-q", old, *value, "-h")
    assert "deprecated" not in quiet.stderr


def test_a_deprecated_name_still_does_its_job_and_clashes_with_the_new_one() -> None:
    old = invoke("export", "--out", "-")
    assert old.exit_code == 0 and json.loads(old.stdout)["type"] == "bundle"
    both = invoke("export", "--out", "-", "-o", "-")
    assert both.exit_code == 2 and "give only --output" in both.stderr


def test_no_directory_is_created_that_was_not_asked_for(tmp_path: Path) -> None:
    named_like_a_file = tmp_path / "mybundle.json"
    export = invoke("export", "-o", str(named_like_a_file))
    assert export.exit_code == 2 and not named_like_a_file.exists()
    assert "names a file" in export.stderr
    deep = tmp_path / "nonexistent" / "dir"
    graph = invoke("graph", str(BUNDLE), "-o", str(deep / "g.svg"))
    assert graph.exit_code == 2 and "no such directory (none is created)" in graph.stderr
    export_deep = invoke("export", "-o", str(deep))
    assert export_deep.exit_code == 2
    assert not (tmp_path / "nonexistent").exists()
    asked = invoke("navigator", str(BUNDLE), "-o", f"{deep}/")  # a trailing / asks for it
    assert asked.exit_code == 0 and deep.is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    under_a_file = invoke("pull", "http://127.0.0.1:9/", "-o", str(blocker / "b.json"))
    assert under_a_file.exit_code == 10 and under_a_file.stderr.startswith(f"error: {blocker}")


def test_quiet_prints_errors_only_and_verbose_adds_detail(tmp_path: Path) -> None:
    keyring = REPO / "bundles" / "keys" / "jwks.json"
    normal = invoke("verify", "--keyring", str(keyring), str(BUNDLE))
    assert normal.exit_code == 0 and normal.stdout.startswith("verified: ")
    quiet = invoke("verify", "-q", "--keyring", str(keyring), str(BUNDLE))
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    verbose = invoke("verify", "-v", "--keyring", str(keyring), str(BUNDLE))
    assert verbose.stdout == normal.stdout
    assert f"trusting the keys of {keyring}" in verbose.stderr
    out = tmp_path / "out"
    exported = invoke("export", "-q", "-o", str(out))
    assert exported.exit_code == 0 and exported.stdout == "" and exported.stderr == ""
    assert (out / BUNDLE.name).read_bytes() == BUNDLE.read_bytes()
    failing = invoke("verify", "-q", "--keyring", str(keyring), str(tmp_path / "missing.json"))
    assert failing.exit_code == 4 and failing.stderr.startswith("error: ")


def test_color_always_never_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    args = ["graph", str(BUNDLE), "-o", "-", "--format", "dot", "--max-nodes", "1"]
    assert ANSI in invoke(*args, "--color", "always").stderr  # the warning's prefix
    assert ANSI not in invoke(*args, "--color", "never", env={"FORCE_COLOR": "1"}).stderr
    assert ANSI in invoke(*args, env={"FORCE_COLOR": "1"}).stderr
    assert ANSI not in invoke(*args, env={"FORCE_COLOR": "1", "NO_COLOR": "x"}).stderr
    assert ANSI not in invoke(*args).stderr  # CliRunner is not a terminal


def test_an_encrypted_key_behaves_the_same_under_export_and_sign(tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = generate_keypair(tmp_path / "private", "enc", b"s3cret", public_dir=out / "keys")
    key = str(paths.private_key)
    export = invoke("export", "-o", str(out), "--signing-key", key)
    copy = tmp_path / "copy.json"
    shutil.copyfile(BUNDLE, copy)
    sign = invoke("sign", str(copy), "--signing-key", key)
    # CliRunner's stdin is not a terminal: no prompt, the same refusal from both
    assert export.exit_code == sign.exit_code == 6
    assert export.stderr == sign.stderr
    assert "STIX_MTAC_KEY_PASSPHRASE" in export.stderr
    env = {"STIX_MTAC_KEY_PASSPHRASE": "s3cret", "STIX_MTAC_SIGNING_KEY": key}
    exported = invoke("export", "-o", str(out), env=env)
    assert exported.exit_code == 0 and "signed: " in exported.stdout
    signed = invoke("sign", str(out / BUNDLE.name), env=env)
    assert signed.exit_code == 0, signed.output
    wrong = invoke("sign", str(out / BUNDLE.name), "--key-passphrase", "nope", "--signing-key", key)
    assert wrong.exit_code == 6


def test_structured_output_has_format_json_where_it_lists_data(tmp_path: Path) -> None:
    with_format = {path for path, option in _options() if _long(option) == "--format"}
    assert {"show", "diff", "validate", "facts", "graph", "reports", "trust list"} <= with_format
    reports = json.loads(invoke("reports", "--format", "json").stdout)
    text = invoke("reports").stdout.splitlines()
    assert [f"{r['key']}  {r['published']}  {r['title']}" for r in reports] == text
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert json.loads(invoke("trust", "list", "--format", "json", env=env).stdout) == []
    keyring = REPO / "bundles" / "keys" / "jwks.json"
    assert invoke("trust", "import", "--yes", str(keyring), env=env).exit_code == 0
    listed = json.loads(invoke("trust", "list", "--format", "json", env=env).stdout)
    published = json.loads(keyring.read_text(encoding="utf-8"))["keys"]
    assert [(k["kid"], k["status"]) for k in listed] == [(k["kid"], k["status"]) for k in published]


def test_validate_verbose_names_its_settings_file(tmp_path: Path) -> None:
    settings = tmp_path / ".stix-mtac.toml"
    settings.write_text("[validate]\nstrict = false\n", encoding="utf-8")
    result = invoke("validate", "-v", "--config", str(settings), str(BUNDLE))
    assert result.exit_code == 0, result.output
    assert f"settings from {settings}" in result.stderr
    assert "settings from" not in invoke("validate", "--config", str(settings), str(BUNDLE)).stderr


def test_validate_and_verify_both_walk_directories_recursively(tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(REPO / "bundles", root / "nested" / "bundles")
    names = sorted(p.name for p in (REPO / "bundles").glob("*.json") if p.name != "manifest.json")
    keyring = str(REPO / "bundles" / "keys" / "jwks.json")
    verified = invoke("verify", "--keyring", keyring, str(root))
    assert verified.exit_code == 0, verified.output
    assert [line.split(" (key")[0] for line in verified.stdout.splitlines()] == [
        f"verified: {root / 'nested' / 'bundles' / name}" for name in names
    ]  # manifest.json and keys/jwks.json, which export writes beside them, are left out
    validated = invoke("validate", "--format", "json", str(root))
    checked = [Path(f["source"]).name for f in json.loads(validated.stdout)["files"]]
    assert validated.exit_code == 0 and set(names) <= set(checked)
    (root / "nested" / "bundles" / names[0]).unlink()  # its .jws stays behind, one level down
    orphan = invoke("verify", "--keyring", keyring, str(root))
    assert orphan.exit_code == 5 and "signature without its bundle" in orphan.stderr
