"""Global sensitivity analysis (SALib) of the township model across reform scenarios.

``townsim sensitivity SPEC.toml`` reads a spec (:mod:`.spec`), draws a SALib
design (:mod:`.sampling`), runs every (scenario, point, replication) through the
experiments executors and results store (:mod:`.pipeline`; resumable), computes
Morris / Sobol' / eFAST indices with their convergence and the seed-noise share
(:mod:`.analysis`), draws the figures (:mod:`.plots`) and writes ``report.md``
(:mod:`.report`). :mod:`.testfunctions` holds functions with known indices
(Ishigami, Sobol' G, a linear model) usable as ``evaluate = "module:function"`` plug-ins.
"""
