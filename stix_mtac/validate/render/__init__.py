"""Output formats for a validation run: text, json, sarif, junit. Each returns a string."""

from collections.abc import Callable, Sequence

from stix_mtac.validate.render.json_format import render_json
from stix_mtac.validate.render.junit import render_junit
from stix_mtac.validate.render.sarif import render_sarif
from stix_mtac.validate.render.text import render_text
from stix_mtac.validate.sources import FileReport
from stix_mtac.validate.summary import RunSummary

Renderer = Callable[[Sequence[FileReport], RunSummary], str]

# Machine formats print the summary line on stderr so stdout stays parseable.
RENDERERS: dict[str, Renderer] = {
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
}

__all__ = ["RENDERERS", "Renderer", "render_text"]
