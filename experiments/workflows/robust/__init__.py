"""``townsim robust``: every reform in many plausible worlds (the assumptions' ranges, or a posterior).

:mod:`.settings` (what defines an experiment), :mod:`.worlds` (the worlds), :mod:`.plan` (the runs),
:mod:`.pipeline` (run, resume, write), :mod:`.analysis` (tables), :mod:`.report` and :mod:`.plots`.
"""
