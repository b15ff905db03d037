"""``stix-mtac export``, ``reports`` and ``facts``: facts files to bundles."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from stix_mtac.build import (
    BUILTIN_REPORT,
    build_from_path,
    builtin_facts_path,
    builtin_reports,
)
from stix_mtac.errors import InvalidBundleError, KeyFileError
from stix_mtac.export import Signer, bundle_file_name, export_bundle
from stix_mtac.facts import load_facts
from stix_mtac.trace import fact_table_markdown, fact_trace_lines

SIGNING_KEY_ENV = "STIX_MTAC_SIGNING_KEY"
PASSPHRASE_ENV = "STIX_MTAC_KEY_PASSPHRASE"


def _facts_path(facts: Path | None) -> Path:
    return facts if facts is not None else builtin_facts_path(BUILTIN_REPORT)


def validation_gate(bundle: dict[str, Any], source: str) -> None:
    """Refuse to write a bundle that our validator rejects."""
    from stix_mtac.validate.api import ValidationOptions, validate_bundle

    result = validate_bundle(bundle, source=source, options=ValidationOptions())
    if not result.is_valid:
        problems = [
            f"{finding.json_path}: [{finding.code}] {finding.message}" for finding in result.errors
        ]
        raise InvalidBundleError(
            f"{source}: refused to write an invalid bundle ({len(problems)} errors)", problems
        )


def _signer(key: Path | None, out_dir: Path, bundle_name: str) -> Signer | None:
    """A signer for ``out_dir/bundle_name``, the key checked before anything is written."""
    if key is None:
        env_key = os.environ.get(SIGNING_KEY_ENV)
        key = Path(env_key) if env_key else None
    if key is None:
        return None
    if not key.is_file():
        raise KeyFileError(f"{key}: no such signing key file")
    from stix_mtac.signing.bundles import signature_files, usable_signing_key

    passphrase_text = os.environ.get(PASSPHRASE_ENV)
    passphrase = passphrase_text.encode("utf-8") if passphrase_text else None
    usable_signing_key(out_dir / bundle_name, key, passphrase)
    signing_key = key

    def sign(bundle_path: Path, data: bytes) -> dict[Path, bytes]:
        return signature_files(bundle_path, data, signing_key, passphrase)

    return sign


@click.command()
@click.option(
    "--facts",
    "facts",
    type=click.Path(path_type=Path),  # a directory is a facts problem (exit 3), not usage
    help="Facts file to build (default: the built-in MTAC East Asia report).",
)
@click.option(
    "--out",
    "out",
    default="bundles",
    show_default=True,
    help="Directory to write the bundle into, or - for standard output.",
)
@click.option(
    "--key",
    type=click.Path(path_type=Path, dir_okay=False),
    help=f"Ed25519 private key (PKCS#8 PEM) to sign with; default: ${SIGNING_KEY_ENV}. "
    f"Passphrase from ${PASSPHRASE_ENV}.",
)
def export(facts: Path | None, out: str, key: Path | None) -> None:
    """Build a report's facts into a validated STIX 2.1 bundle.

    The bundle is written to OUT/<report key>.json atomically, only if it validates. With a
    signing key it is signed (OUT/<report key>.json.jws); without one, export says so.

    \b
    Examples:
      stix-mtac export                              # built-in report -> bundles/
      stix-mtac export --facts my-report.yaml --out build/
      stix-mtac export --out - | jq '.objects | length'

    \b
    Exit codes: 0 written; 1 invalid bundle (nothing written); 3 facts file
    problem; 6 key file problem; 10 cannot write the output.
    """
    result = build_from_path(_facts_path(facts))
    to_stdout = out == "-"
    signer = None if to_stdout else _signer(key, Path(out), bundle_file_name(result))
    exported = export_bundle(result, None if to_stdout else Path(out), validation_gate, signer)
    if to_stdout:
        sys.stdout.buffer.write(exported.data)
        sys.stdout.buffer.flush()
        click.echo(f"exported {exported.summary} to standard output (unsigned)", err=True)
        return
    if exported.signature_path is not None:
        signed = f"signed: {exported.signature_path}"
    else:
        signed = f"UNSIGNED (no key: pass --key or set ${SIGNING_KEY_ENV})"
    click.echo(f"exported {exported.summary} to {exported.bundle_path}; {signed}")
    if exported.stale_signature is not None:
        click.echo(
            f"warning: {exported.stale_signature} signs the previous content and no longer "
            "verifies: sign again (stix-mtac sign) or remove it",
            err=True,
        )


@click.command()
def reports() -> None:
    """List the built-in reports.

    \b
    Example:
      stix-mtac reports
    """
    for key, path in builtin_reports().items():
        info = load_facts(path).report
        click.echo(f"{key}  {info.published}  {info.title}")


@click.command()
@click.option(
    "--facts",
    "facts",
    type=click.Path(path_type=Path),  # a directory is a facts problem (exit 3), not usage
    help="Facts file (default: the built-in MTAC East Asia report).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="text: a fact per line with its objects below; markdown: the README's table.",
)
def facts(facts: Path | None, output_format: str) -> None:
    """Print, for each fact, the STIX objects it produced.

    \b
    Examples:
      stix-mtac facts | less
      stix-mtac facts --facts my-report.yaml --format markdown
    """
    result = build_from_path(_facts_path(facts))
    if output_format == "markdown":
        click.echo(fact_table_markdown(result), nl=False)
    else:
        click.echo("\n".join(fact_trace_lines(result)))
