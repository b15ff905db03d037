"""Our semantic checks, one module per theme. Importing this package registers them all.

Codes: SX1xx bundle structure, SX2xx references, SX3xx relationships, SX4xx versions,
SX5xx markings, SX6xx custom content and property values, SX7xx STIX patterns.
"""

from stix_mtac.validate.checks import custom as custom
from stix_mtac.validate.checks import markings as markings
from stix_mtac.validate.checks import patterns as patterns
from stix_mtac.validate.checks import references as references
from stix_mtac.validate.checks import relationships as relationships
from stix_mtac.validate.checks import structure as structure
from stix_mtac.validate.checks import versions as versions
