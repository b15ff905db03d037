"""Reading bundles for people: a terminal summary, a picture of the graph, and a diff.

Public API (everything else in this package is internal):

- :func:`stix_mtac.view.objects.load_bundle` reads any STIX 2.1 bundle strictly.
- :func:`stix_mtac.view.summary.summarize` / :func:`~stix_mtac.view.summary.summary_text`.
- :func:`stix_mtac.view.graph.build_graph`, :func:`stix_mtac.view.layout.layout_graph`, then
  :func:`stix_mtac.view.svg.render_svg`, :func:`stix_mtac.view.png.render_png`,
  :func:`stix_mtac.view.html.render_html`; :func:`stix_mtac.view.render.render_graph_bytes`
  and :func:`~stix_mtac.view.render.render_graph` do all steps for a format
  (:func:`~stix_mtac.view.render.format_from_suffix` picks one from a file name).
- :func:`stix_mtac.view.diff.diff_bundles` / :func:`~stix_mtac.view.diff.diff_text`.
"""
