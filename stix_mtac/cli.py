"""The ``stix-mtac`` command group.

Commands live one per module in ``stix_mtac/commands/`` and are imported only when used, so
``stix-mtac validate`` does not pay for importing what ``publish`` needs. A command parses its
options, calls one library function and renders the result; ``StixMtacError`` becomes a message
and its exit code here, at the edge, and nowhere else.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any

import click

from stix_mtac import __version__
from stix_mtac.commands.options import Group
from stix_mtac.errors import OutputError, StixMtacError
from stix_mtac.printable import printable
from stix_mtac.redaction import redact

DEBUG_ENV = "STIX_MTAC_DEBUG"
INTERNAL_ERROR_EXIT = 70  # EX_SOFTWARE from sysexits.h
INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report it

# command name -> "module:attribute" under stix_mtac.commands
COMMANDS: dict[str, str] = {
    "export": "export:export",
    "reports": "export:reports",
    "facts": "export:facts",
    "validate": "validate:validate",
    "keygen": "signing:keygen",
    "sign": "signing:sign",
    "verify": "signing:verify",
    "trust": "trust:trust",
    "publish": "publish:publish",
    "pull": "pull:pull",
    "show": "show:show",
    "graph": "show:graph",
    "diff": "show:diff",
    "draft": "draft:draft",
    "navigator": "show:navigator",
}

EXIT_CODES_HELP = """\b
Exit codes:
  0  success
  1  validation errors found / export refused an invalid bundle
  2  usage error (also -o/--output in a directory that does not exist: no
     directory is created that was not asked for)
  3  facts file missing or invalid
  4  input unreadable or not acceptable JSON
  5  signature verification failed
  6  key file problem
  7  TAXII server unreachable or failing
  8  TAXII credentials refused
  9  TAXII server reported failed objects
 10  output cannot be written
 70  internal error (a bug; set STIX_MTAC_DEBUG=1 for the traceback)
130  interrupted (Ctrl-C)
"""


def _command_available(name: str) -> bool:
    module_name = COMMANDS[name].split(":", 1)[0]
    return importlib.util.find_spec(f"stix_mtac.commands.{module_name}") is not None


def _debugging() -> bool:
    """STIX_MTAC_DEBUG set to anything but an "off" value shows tracebacks of bugs."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


class LazyGroup(Group):
    """A group that imports a command's module only when the command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _command_available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _command_available(cmd_name):
            return None
        module_name, attribute = target.split(":", 1)
        module = importlib.import_module(f"stix_mtac.commands.{module_name}")
        command = getattr(module, attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StixMtacError as error:
            for line in error.lines():
                # known secrets hidden, control characters from input or a server escaped
                click.echo(f"error: {printable(redact(line))}", err=True)
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            ctx.exit(INTERRUPTED_EXIT)
        except BrokenPipeError:  # the reader went away (`| head`): nothing left to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(OutputError.exit_code)
        except OSError as error:  # stdout on a full disk or a dead terminal
            click.echo(f"error: cannot write the output: {error.strerror}", err=True)
            ctx.exit(OutputError.exit_code)
        except Exception as error:  # a bug: say so in one line unless asked for the traceback
            if _debugging():
                raise
            click.echo(
                f"error: internal error: {type(error).__name__}: {printable(redact(str(error)))} "
                f"(please report it; set {DEBUG_ENV}=1 for the traceback)",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR_EXIT)


@click.group(cls=LazyGroup, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="stix-mtac")
def cli() -> None:
    """Turn threat-report facts into signed, validated STIX 2.1 bundles.

    \b
    Example:
      stix-mtac export            # build the built-in MTAC East Asia report into bundles/
      stix-mtac validate bundles/ # check any STIX 2.1 bundle
    """


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(prog_name="stix-mtac"))


if __name__ == "__main__":
    main()
