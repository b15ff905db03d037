"""Bundle validation: stix2-validator conformance plus the project's semantic checks."""
