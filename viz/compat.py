"""Two compatibility fixes for Mesa's SolaraViz (3.3 and 3.5), each applied only where it is needed.

``TownshipModel.__init__(self, params=None, *, rng=None, **overrides)`` takes
lever overrides as keyword arguments. Mesa 3.3's parameter check
(``mesa.visualization.solara_viz._check_model_params``) recognises a
var-keyword parameter only when it is literally named ``kwargs``; it reports
``**overrides`` as a *missing required parameter* and the page fails to
render. Mesa 3.5 checks the parameter kind instead (any ``**name`` accepts
extra keywords). ``apply()`` wraps Mesa's check so that it sees the ``**name``
parameter as given; the check itself, and every other error it finds, stay
Mesa's. On a Mesa whose check accepts the model, nothing is installed.

Mesa 3.5 gives every model a ``scenario`` and its Reset passes
``scenario=...`` to any model whose ``__init__`` has a ``**name`` parameter.
TownshipModel's ``**overrides`` are Params overrides, so that keyword would be
rejected as an unknown parameter. ``apply()`` therefore wraps Mesa 3.5's
``_build_model_init_kwargs`` to leave ``scenario`` out for a model class
that does not name a ``scenario`` parameter itself.
"""

from __future__ import annotations

import inspect


def _var_keyword_names(init) -> set[str]:
    return {p.name for p in inspect.signature(init).parameters.values() if p.kind is p.VAR_KEYWORD}


def needs_fix(model_cls, model_params: dict) -> bool:
    """True if Mesa's own check rejects ``model_cls`` with ``model_params`` because of its ``**name``."""
    from mesa.visualization import solara_viz

    try:
        solara_viz._check_model_params(model_cls.__init__, model_params)
    except ValueError as exc:
        names = _var_keyword_names(model_cls.__init__)
        return any(f"model parameter: {n}" in str(exc) for n in names)
    except TypeError:  # a Mesa whose check takes a model instance: not the 3.3 check
        return False
    return False


def _fix_reset_scenario(model_cls) -> None:
    from mesa.visualization import solara_viz

    build = getattr(solara_viz, "_build_model_init_kwargs", None)
    if build is None or getattr(build, "_townsim_fix", False):
        return
    if "scenario" in inspect.signature(model_cls.__init__).parameters:
        return

    def build_kwargs(model, *args, **kwargs):
        out = build(model, *args, **kwargs)
        if isinstance(model, model_cls) and "scenario" not in inspect.signature(type(model).__init__).parameters:
            out.pop("scenario", None)
        return out

    build_kwargs._townsim_fix = True
    solara_viz._build_model_init_kwargs = build_kwargs


def apply(model_cls, model_params: dict) -> bool:
    """Install the wrappers that are needed; returns True if the parameter-check fix is installed."""
    from mesa.visualization import solara_viz

    _fix_reset_scenario(model_cls)
    current = solara_viz._check_model_params
    if getattr(current, "_townsim_fix", False):
        return True
    if not needs_fix(model_cls, model_params):
        return False

    def check(init_func, params):
        # Show Mesa's check the **name parameter as given, so it is neither "missing" nor "invalid";
        # the check itself (and every other error it finds) is Mesa's own.
        current(init_func, {**params, **{n: None for n in _var_keyword_names(init_func)}})

    check._townsim_fix = True
    solara_viz._check_model_params = check
    return True
