"""Output formats for a validation run: text, concise, json, sarif, junit. Each returns a string."""

from collections.abc import Callable, Sequence

from stix_mtac.validate.render.json_format import render_json
from stix_mtac.validate.render.junit import render_junit
from stix_mtac.validate.render.sarif import render_sarif
from stix_mtac.validate.render.text import render_concise, render_text
from stix_mtac.validate.render.view import RenderOptions
from stix_mtac.validate.sources import FileReport
from stix_mtac.validate.summary import RunSummary

Renderer = Callable[[Sequence[FileReport], RunSummary, RenderOptions], str]

# Every format but text prints the summary line on stderr so stdout stays parseable.
RENDERERS: dict[str, Renderer] = {
    "concise": render_concise,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
}

__all__ = ["RENDERERS", "RenderOptions", "Renderer", "render_text"]
