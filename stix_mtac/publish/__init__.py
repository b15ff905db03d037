"""Publishing to TAXII 2.1: the only package that talks to a TAXII server.

Public API: ``publish_bundle`` (post envelopes, poll status, classify failures),
``plan_envelopes`` (what would be sent, no network), ``read_back`` (fetch objects back and
compare), ``Connection`` and ``Credentials`` (where and how to connect).
"""

from stix_mtac.publish.chunks import Envelope, plan_envelopes
from stix_mtac.publish.publisher import PublishResult, publish_bundle
from stix_mtac.publish.readback import ReadbackResult, read_back
from stix_mtac.publish.taxii import Connection, Credentials, RetryPolicy, TaxiiClient

__all__ = [
    "Connection",
    "Credentials",
    "Envelope",
    "PublishResult",
    "ReadbackResult",
    "RetryPolicy",
    "TaxiiClient",
    "plan_envelopes",
    "publish_bundle",
    "read_back",
]
