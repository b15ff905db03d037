"""The one options layer: every command's shared options, how they are spelled, and what
they mean, so a concept has one name, one short flag and one environment variable everywhere.

- ``command()`` / ``group()`` make commands that take ``-h/--help`` and the common options
  ``-q/--quiet`` (errors only), ``-v/--verbose`` (extra detail) and ``--color
  auto|always|never``; their effect lives in one :class:`Console` per invocation.
- ``output_option`` is ``-o/--output PATH|-``; it never creates a directory the user did not
  ask for (see :class:`OutputPath`; exit 2, before anything is read or written).
- ``bundle_argument`` reads a bundle from a file or, as ``-``, from standard input.
- ``signing_key_option``, ``key_passphrase_option``, ``keyring_option``, ``format_option``:
  the one spelling of each, with its ``envvar=``.
- ``deprecated`` keeps an old option name working for one release; it warns on stderr.

``NO_COLOR`` and ``FORCE_COLOR`` are read here by hand, the one exception to ``envvar=``:
their convention is "set to anything non-empty", which no click type expresses.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import click

from stix_mtac.errors import InputError, OutputError

F = TypeVar("F", bound=Callable[..., Any])

HELP_OPTION_NAMES = ["-h", "--help"]
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": HELP_OPTION_NAMES}

SIGNING_KEY_ENV = "STIX_MTAC_SIGNING_KEY"
PASSPHRASE_ENV = "STIX_MTAC_KEY_PASSPHRASE"
KEYRING_ENV = "STIX_MTAC_KEYRING"
NO_COLOR_ENV = "NO_COLOR"
FORCE_COLOR_ENV = "FORCE_COLOR"
COLOR_CHOICES = ("auto", "always", "never")

STDIN_NAME = "<stdin>"
STREAM = Path("-")  # what ``-`` converts to: standard input or standard output
_DEPRECATED_ATTRIBUTE = "__stix_mtac_deprecated__"
_CONSOLE_KEY = "stix_mtac.console"


def is_stream(path: Path | str | None) -> bool:
    """Whether an input or output option names standard input/output (``-``)."""
    return path is not None and str(path) == "-"


# --- verbosity and colour -------------------------------------------------------------------


@dataclass
class Console:
    """How much one invocation says, and whether in colour. Commands print status through
    it, so ``-q`` and ``-v`` mean the same in every command."""

    quiet: bool = False
    verbose: bool = False
    color: str = "auto"

    def colour_for(self, stream: Any) -> bool:
        """Colour on ``stream``: --color wins, then NO_COLOR, then FORCE_COLOR, then a tty."""
        if self.color != "auto":
            return self.color == "always"
        if os.environ.get(NO_COLOR_ENV, ""):
            return False
        if os.environ.get(FORCE_COLOR_ENV, "") not in ("", "0"):
            return True
        isatty = getattr(stream, "isatty", None)
        return bool(isatty and isatty())

    @property
    def colour(self) -> bool:
        return self.colour_for(sys.stdout)

    def info(self, message: str, *, err: bool = False) -> None:
        """A status line (what was written, verified, sent); -q silences it."""
        if not self.quiet:
            click.echo(message, err=err)

    def detail(self, message: str) -> None:
        """Extra detail, on stderr, only with -v."""
        if self.verbose and not self.quiet:
            click.echo(message, err=True)

    def warn(self, message: str) -> None:
        """``warning: ...`` on stderr; -q (errors only) silences it."""
        if not self.quiet:
            colour = self.colour_for(sys.stderr)
            prefix = click.style("warning:", fg="yellow") if colour else "warning:"
            click.echo(f"{prefix} {message}", err=True, color=colour)


def console(ctx: click.Context | None = None) -> Console:
    """The invocation's console (one for the whole context tree)."""
    context = ctx or click.get_current_context(silent=True)
    if context is None:
        return Console()
    meta = context.meta
    found = meta.get(_CONSOLE_KEY)
    if not isinstance(found, Console):
        found = Console()
        meta[_CONSOLE_KEY] = found
    return found


def _set_console(attribute: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None:
            setattr(console(ctx), attribute, value)

    return callback


def common_parameters() -> list[click.Parameter]:
    """-q, -v and --color, which every command takes (added by :class:`Command`)."""
    return [
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            expose_value=False,
            callback=_set_console("quiet"),
            help="Print errors only.",
        ),
        click.Option(
            ["-v", "--verbose"],
            is_flag=True,
            expose_value=False,
            callback=_set_console("verbose"),
            help="Print extra detail on stderr.",
        ),
        click.Option(
            ["--color"],
            type=click.Choice(COLOR_CHOICES),
            default="auto",
            show_default=True,
            expose_value=False,
            callback=_set_console("color"),
            help=f"Colour the output; auto: on a terminal unless ${NO_COLOR_ENV} is set "
            f"(${FORCE_COLOR_ENV} forces it).",
        ),
    ]


# --- deprecated option names ----------------------------------------------------------------


def deprecated(old: str, new: str) -> Callable[[F], F]:
    """Accept ``old`` as a name of the option ``new`` for one release, with a warning."""

    def decorator(function: F) -> F:
        aliases: dict[str, str] = dict(getattr(function, _DEPRECATED_ATTRIBUTE, {}))
        aliases[old] = new
        setattr(function, _DEPRECATED_ATTRIBUTE, aliases)
        return function

    return decorator


def _rewrite(args: Sequence[str], aliases: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """``args`` with each deprecated name replaced by its new one, and the old names used."""
    rewritten: list[str] = []
    used: list[str] = []
    for index, arg in enumerate(args):
        if arg == "--":
            rewritten.extend(args[index:])
            break
        name, equals, value = arg.partition("=")
        if name in aliases:
            used.append(name)
            arg = f"{aliases[name]}{equals}{value}"
        rewritten.append(arg)
    return rewritten, used


class Command(click.Command):
    """A stix-mtac command: -h/--help, the common options, and its deprecated names."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {})
        kwargs["context_settings"] = {**CONTEXT_SETTINGS, **kwargs["context_settings"]}
        super().__init__(*args, **kwargs)
        self.params.extend(common_parameters())
        self.deprecated_names: dict[str, str] = dict(
            getattr(self.callback, _DEPRECATED_ATTRIBUTE, {})
        )

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rewritten, used = _rewrite(args, self.deprecated_names)
        quiet = any(_given(arg, ["-q", "--quiet"]) for arg in _before_double_dash(args))
        for old in dict.fromkeys(used):
            new = self.deprecated_names[old]
            if any(_given(arg, self._names_of(new)) for arg in _before_double_dash(args)):
                raise click.UsageError(f"{old} is the old name of {new}; give only {new}", ctx)
            if not quiet:  # said before parsing, so that it shows even when parsing fails
                Console(color=_color_given(args)).warn(
                    f"{old} is deprecated; use {new} (the old name goes away in the next release)"
                )
        return super().parse_args(ctx, rewritten)

    def _names_of(self, name: str) -> list[str]:
        """Every spelling of the option called ``name`` (``-o`` and ``--output``)."""
        for param in self.params:
            if isinstance(param, click.Option) and name in param.opts:
                return [*param.opts, *param.secondary_opts]
        return [name]


def _color_given(args: Sequence[str]) -> str:
    """The --color value on the command line (before parsing), else auto."""
    words = list(_before_double_dash(args))
    for index, word in enumerate(words):
        name, equals, value = word.partition("=")
        if name == "--color":
            chosen = value if equals else (words[index + 1] if index + 1 < len(words) else "")
            return chosen if chosen in COLOR_CHOICES else "auto"
    return "auto"


def _before_double_dash(args: Sequence[str]) -> Sequence[str]:
    return args[: args.index("--")] if "--" in args else args


def _given(arg: str, names: Sequence[str]) -> bool:
    """Whether the command-line word ``arg`` is one of the option names ``names``."""
    if arg.startswith("--"):
        return arg.partition("=")[0] in names
    return any(len(name) == 2 and arg.startswith(name) for name in names)


class Group(click.Group):
    """A stix-mtac command group: -h/--help, and subcommands made with :func:`command`."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {})
        kwargs["context_settings"] = {**CONTEXT_SETTINGS, **kwargs["context_settings"]}
        super().__init__(*args, **kwargs)


def command(name: str | None = None, **kwargs: Any) -> Callable[[Callable[..., Any]], Command]:
    """``click.command`` for stix-mtac: see :class:`Command`."""
    made: Callable[[Callable[..., Any]], Command] = click.command(name, cls=Command, **kwargs)
    return made


def group(name: str | None = None, **kwargs: Any) -> Callable[[Callable[..., Any]], Group]:
    """``click.group`` for stix-mtac: see :class:`Group`."""
    made: Callable[[Callable[..., Any]], Group] = click.group(name, cls=Group, **kwargs)
    return made


# --- outputs --------------------------------------------------------------------------------


# Names that are files, never directories: ``export -o mybundle.json`` is a mistake to
# report, not a directory to create.
FILE_SUFFIXES = frozenset(
    {".json", ".jws", ".pem", ".yaml", ".yml", ".svg", ".png", ".html", ".dot", ".graphml"}
)


class OutputPath(click.types.UnprocessedParamType):  # ParamType[Any] on every click
    """Where a command writes: a file or a directory, or ``-`` (standard output).

    No directory is created that the user did not ask for. A file's directory must exist.
    A directory output is used if it exists; a missing one is created only when its parent
    exists (a name ending in ``/`` also creates missing parents, as ``mkdir -p``), and never
    when its name is a file's (``mybundle.json``). Exit 2 otherwise, before any work.
    """

    name = "output"

    def __init__(self, *, directory: bool, stdout: bool) -> None:
        self.directory = directory
        self.stdout = stdout

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        kind = "DIR" if self.directory else "FILE"
        return f"{kind}|-" if self.stdout else kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        if isinstance(value, Path):
            value = str(value)
        text = str(value)
        if text == "-":
            if not self.stdout:
                self.fail("- (standard output) is not accepted here", param, ctx)
            return STREAM
        path = Path(text)
        if self.directory:
            if path.is_dir():
                return path
            if os.path.lexists(path):
                self.fail(f"{text}: not a directory", param, ctx)
            _refuse_file_parent(path)
            if text.endswith("/"):
                return path  # asked for, parents and all
            if path.suffix.lower() in FILE_SUFFIXES:
                self.fail(
                    f"{text}: names a file, but this is the directory to write into "
                    "(name a directory, or - for standard output)",
                    param,
                    ctx,
                )
            if not path.parent.is_dir():
                self.fail(
                    f"{path.parent}: no such directory (none is created; end the name with / "
                    "to create missing parents too)",
                    param,
                    ctx,
                )
            return path
        if path.is_dir() or text.endswith("/"):
            self.fail(f"{text}: is a directory; name the file to write", param, ctx)
        _refuse_file_parent(path)
        if not path.parent.is_dir():
            self.fail(f"{path.parent}: no such directory (none is created)", param, ctx)
        return path


def _refuse_file_parent(path: Path) -> None:
    """A file where a directory must be: the output cannot be written (exit 10, as the
    writer would say), rather than a usage error."""
    for parent in path.parents:
        if os.path.lexists(parent):
            if not parent.is_dir():
                raise OutputError(f"{parent}: not a directory; cannot write here")
            return


def output_option(
    help_text: str,
    *,
    directory: bool = False,
    stdout: bool = True,
    default: str | None = None,
    required: bool = False,
    show_default: bool = False,
) -> Callable[[F], F]:
    """``-o/--output``: the one spelling of where a command writes (see :class:`OutputPath`)."""
    return click.option(
        "-o",
        "--output",
        "output",
        type=OutputPath(directory=directory, stdout=stdout),
        default=default,
        required=required,
        show_default=show_default,
        help=help_text,
    )


# --- inputs ---------------------------------------------------------------------------------


class BundleInput(click.types.UnprocessedParamType):  # ParamType[Any] on every click
    """A bundle to read: a file, ``-`` for standard input, and (``directories``) a directory
    standing for every ``*.json`` below it."""

    name = "bundle"

    def __init__(self, *, directories: bool = False, text: bool = False) -> None:
        self.directories = directories
        self.text = text  # give the command the word as typed (validate names inputs so)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "BUNDLE|DIR|-" if self.directories else "BUNDLE|-"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = value if isinstance(value, Path) else Path(str(value))
        if not self.directories and str(value) != "-" and path.is_dir():
            self.fail(f"{value}: is a directory, expected a bundle file", param, ctx)
        if self.text:
            return str(value)
        return STREAM if str(value) == "-" else path


def bundle_argument(name: str, *, nargs: int = 1, directories: bool = False) -> Callable[[F], F]:
    """An argument naming a bundle; ``-`` reads it from standard input."""
    kinds = "|DIR|-" if directories else "|-"
    return click.argument(
        name,
        nargs=nargs,
        required=True,
        type=BundleInput(directories=directories),
        metavar=f"{name.upper()}{kinds}{'...' if nargs != 1 else ''}",
    )


def echo_json(value: object) -> None:
    """``--format json`` output: the project's one JSON layout (sorted keys, 2-space indent)."""
    from stix_mtac.canonical import pretty_bytes

    click.echo(pretty_bytes(value), nl=False)


def read_stdin(max_bytes: int, stream: BinaryIO | None = None) -> bytes:
    """Standard input, at most ``max_bytes`` of it (InputError, exit 4, past that)."""
    source = stream if stream is not None else click.get_binary_stream("stdin")
    data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"{STDIN_NAME}: more than {max_bytes} bytes exceeds the size limit")
    return data


def one_stdin(*paths: Path) -> None:
    """Standard input can be read once: refuse ``-`` named twice (exit 2)."""
    if sum(1 for path in paths if is_stream(path)) > 1:
        raise click.UsageError("- (standard input) can be given only once")


# --- keys -----------------------------------------------------------------------------------


def signing_key_option(help_text: str = "") -> Callable[[F], F]:
    """``--signing-key FILE`` [env STIX_MTAC_SIGNING_KEY]; ``--key`` is its old name."""
    option = click.option(
        "--signing-key",
        "signing_key",
        type=click.Path(path_type=Path, dir_okay=False),
        envvar=SIGNING_KEY_ENV,
        show_envvar=True,
        help=help_text or "Ed25519 private key (PKCS#8 PEM) to sign with.",
    )

    def decorator(function: F) -> F:
        return option(deprecated("--key", "--signing-key")(function))

    return decorator


def key_passphrase_option(function: F) -> F:
    """``--key-passphrase`` [env STIX_MTAC_KEY_PASSPHRASE]: an encrypted key's passphrase."""
    return click.option(
        "--key-passphrase",
        "key_passphrase",
        envvar=PASSPHRASE_ENV,
        show_envvar=True,
        metavar="TEXT",
        help="Passphrase of an encrypted key; prefer the environment variable "
        "(without either, a terminal is asked).",
    )(function)


def signing_passphrase(key: Path, given: str | None) -> bytes | None:
    """The passphrase an encrypted ``key`` needs: the option's (or the environment's), else
    a prompt on a terminal, else KeyFileError (exit 6). None for a key that is not
    encrypted. ``export`` and ``sign`` both ask through here, so they behave the same."""
    from stix_mtac.errors import KeyFileError
    from stix_mtac.signing import is_encrypted

    if not key.is_file() or not is_encrypted(key):
        return None
    if given:
        return given.encode("utf-8")
    if not sys.stdin.isatty():
        raise KeyFileError(f"{key}: the key is encrypted; set {PASSPHRASE_ENV} to its passphrase")
    return str(click.prompt("Passphrase", hide_input=True)).encode("utf-8")


def keyring_option(function: F) -> F:
    """``--keyring FILE`` [env STIX_MTAC_KEYRING]; ``--keys`` is its old name."""
    return click.option(
        "--keyring",
        "keyring",
        type=click.Path(path_type=Path, dir_okay=False),
        envvar=KEYRING_ENV,
        show_envvar=True,
        help="Keyring (JWKS) to trust; default: the trust store (stix-mtac trust import). "
        "A keyring beside the bundle is never used by itself.",
    )(deprecated("--keys", "--keyring")(function))


# --- formats --------------------------------------------------------------------------------


def format_option(
    choices: Sequence[str] = ("text", "json"),
    *,
    default: str | None = "text",
    help_text: str = "text: for people; json: the same data, stable shape.",
) -> Callable[[F], F]:
    """``--format``: the one spelling of an output's format."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=default,
        show_default=default is not None,
        help=help_text,
    )


def input_name(path: Path) -> str:
    """How messages name an input: its path, or ``<stdin>`` for ``-``."""
    return STDIN_NAME if is_stream(path) else str(path)


def read_bundle_input(path: Path) -> Any:
    """The strictly parsed JSON of a bundle file, or of standard input for ``-``
    (``stix_mtac.jsonio``'s rules and limits either way; InputError, exit 4)."""
    from stix_mtac.jsonio import DEFAULT_LIMITS, parse_json, read_json_file

    if is_stream(path):
        return parse_json(read_stdin(DEFAULT_LIMITS.max_bytes), STDIN_NAME)
    return read_json_file(path)
