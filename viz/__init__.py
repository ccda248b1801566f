"""townsim's interactive teaching app (Mesa SolaraViz), started with ``townsim viz``.

Modules: ``app`` (the page), ``controls`` (scenario, levers, seed, language),
``clock`` (time controls: Step = one day, run to day N), ``classroom`` (large
type, exercise presets), ``compare`` (the run compared against), ``county``
(the county view), ``charts`` (the live charts), ``hours`` (where townships'
hours go), ``beforeafter`` (the model the page steps, keeping each day's
tiles and township hours), ``kpis`` (headline numbers), ``strip`` (its tiles, a
view of the KPI registry), ``sampling`` (which
requesters are drawn), ``levers`` (which Params fields are controls), ``i18n`` (zh/en labels), ``fonts`` (CJK fonts for
matplotlib), ``assets`` (the page's front-end files for offline use),
``server`` (runs the Solara server). Importing this package imports nothing
heavy; ``model/`` never imports it.
"""
