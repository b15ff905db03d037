"""Deterministic STIX ids: the one place that decides how ids are made.

Ids are UUIDv5 over a natural key under the project namespace below, so rebuilding the same
facts anywhere gives the same ids, and a TIP that imported an earlier export updates its objects
instead of duplicating them. The natural key of a domain object is
``<stix type>/<id namespace>/<object key>``, the namespace being the facts file's
``id_namespace`` (default: the creator's key): within one namespace, Storm-0558 is the
same object in every report that declares it. A relationship's key is its two ends and its
type, so it is stable too. Cyber-observables are not made here: they take the STIX
deterministic ids stix2 computes (section 2.9).

stix2-validator's check 103 warns that SDO ids SHOULD be UUIDv4; we choose v5 on purpose (the
spec permits any UUID; stability across exports matters more to importers than randomness).
"""

from __future__ import annotations

import uuid

# Project namespace for every id stix-mtac derives. Changing it changes every id: never do.
STIX_MTAC_NAMESPACE = uuid.UUID("48ed5bdf-d56b-485f-9e36-537fcbcae91e")


def stix_id(stix_type: str, natural_key: str) -> str:
    """``stix_type--uuid5(namespace, "stix_type/natural_key")``."""
    return f"{stix_type}--{uuid.uuid5(STIX_MTAC_NAMESPACE, f'{stix_type}/{natural_key}')}"


def object_id(namespace: str, stix_type: str, key: str) -> str:
    """Id of a domain object declared in a facts file."""
    return stix_id(stix_type, f"{namespace}/{key}")


def relationship_id(source_id: str, relationship_type: str, target_id: str) -> str:
    return stix_id("relationship", f"{source_id}/{relationship_type}/{target_id}")


def report_id(namespace: str, report_key: str) -> str:
    return stix_id("report", f"{namespace}/{report_key}")


def bundle_id(namespace: str, report_key: str) -> str:
    return stix_id("bundle", f"{namespace}/{report_key}")
