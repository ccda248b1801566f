"""townsim's interactive teaching app (Mesa SolaraViz), started with ``townsim viz``.

Modules: ``app`` (the page), ``controls`` (scenario, levers, seed), ``county``
(the county view), ``charts`` (Mesa plot components), ``kpis`` (headline
numbers), ``sampling`` (which requesters are drawn), ``levers`` (which Params
fields are controls), ``i18n`` (zh/en labels), ``fonts`` (CJK fonts for
matplotlib), ``assets`` (the page's front-end files for offline use),
``server`` (runs the Solara server). Importing this package imports nothing
heavy; ``model/`` never imports it.
"""
