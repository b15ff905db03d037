"""Accept a TAXII server's discovery URL wherever an API root is wanted.

TAXII 2.1 servers answer ``GET /taxii2/`` with a discovery document listing their API roots
(``default`` and ``api_roots``); ``publish``, ``pull`` and ``verify --taxii`` are given either
that URL or an API root, and learn which from the answer: an API root's information has
``versions``, a discovery document has ``api_roots``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

from stix_mtac.errors import ServerError
from stix_mtac.publish.taxii import Connection, Credentials, RetryPolicy, TaxiiClient


def resolve_api_root(
    url: str,
    *,
    credentials: Credentials | None = None,
    ca_bundle: Path | None = None,
    insecure: bool = False,
    retry: RetryPolicy | None = None,
) -> str:
    """The API root ``url`` names: itself, or the one its discovery document designates.

    A discovery document's ``default`` wins; without one, its only API root; several and no
    default is an error that lists them. Relative entries are read against ``url``.
    """
    probe = Connection(
        api_root=url,
        collection="",
        credentials=credentials or Credentials(),
        ca_bundle=ca_bundle,
        insecure=insecure,
        retry=retry or RetryPolicy(),
    )
    with TaxiiClient(probe) as client:
        document = client.document(probe.api_root)
    if "api_roots" not in document and "default" not in document:
        return probe.api_root  # an API root (its information has versions, not api_roots)
    roots = document.get("api_roots")
    listed = [root for root in roots if isinstance(root, str)] if isinstance(roots, list) else []
    default = document.get("default")
    if isinstance(default, str) and default:
        chosen = default
    elif len(listed) == 1:
        chosen = listed[0]
    elif not listed:
        raise ServerError(f"--url {url}: the discovery document lists no API root")
    else:
        raise ServerError(
            f"--url {url}: a discovery document with {len(listed)} API roots and no default; "
            f"pass one of them: {', '.join(listed)}"
        )
    return Connection(api_root=urljoin(probe.api_root, chosen), collection="").api_root
