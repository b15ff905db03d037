"""The error tree: every failure the CLI reports, each with its own exit code.

Library code raises these; only the CLI turns them into a message and an exit status.
A message is one line that says what is wrong, where (file, line, key path or STIX id),
and what to do about it.

Exit codes (documented in the README and in ``stix-mtac --help``):

==== ===================================================================
 0   success
 1   the bundle has validation errors (``validate``), or export refused
     to write an invalid bundle
 2   usage error (bad option or argument; click's own code)
 3   a facts file is missing, unparsable or breaks the facts schema
 4   an input file cannot be read or is not acceptable JSON (not found,
     not UTF-8, BOM, duplicate keys, too deep, too large, not a bundle)
 5   signature verification failed (unsigned, altered, wrong/revoked key)
 6   a key file is missing, unreadable, has the wrong type or passphrase
 7   a TAXII server cannot be reached or answered with an error
 8   a TAXII server refused the credentials (HTTP 401/403)
 9   publishing finished but the server reported failed objects
10   an output file or directory cannot be written
70   internal error: a bug (``STIX_MTAC_DEBUG=1`` shows the traceback)
==== ===================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar


class StixMtacError(Exception):
    """Base class: a failure we can explain to the user in one line."""

    exit_code: ClassVar[int] = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        """The message as the CLI prints it, one problem per line."""
        return [self.message]


class InvalidBundleError(StixMtacError):
    """A bundle failed validation; ``problems`` holds one line per finding."""

    exit_code = 1

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)

    def lines(self) -> list[str]:
        return [*self.problems, self.message]


class FactsError(StixMtacError):
    """A facts file is missing or broken. Every problem is collected before raising."""

    exit_code = 3

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} in facts"
        super().__init__(self.problems[0] if count == 1 else summary)

    def lines(self) -> list[str]:
        return list(self.problems)


class FactsFileError(FactsError):
    """A facts file (or its source text) cannot be read: one problem, as a message."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


class InputError(StixMtacError):
    """An input file cannot be read or is not acceptable JSON."""

    exit_code = 4


class SignatureError(StixMtacError):
    """A signature is missing, malformed, made with an untrusted key, or does not match."""

    exit_code = 5


class KeyFileError(StixMtacError):
    """A key file is missing, unreadable, of the wrong type, or locked with another passphrase."""

    exit_code = 6


class ServerError(StixMtacError):
    """A TAXII server cannot be reached or answered with an error."""

    exit_code = 7


class AuthError(ServerError):
    """A TAXII server refused the credentials."""

    exit_code = 8


class PublishFailure(StixMtacError):
    """Publishing completed but the server reported objects it did not store."""

    exit_code = 9


class OutputError(StixMtacError):
    """An output file or directory cannot be written."""

    exit_code = 10
