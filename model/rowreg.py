"""Mesa's registration structures filled in bulk for row agents (``agents.create_row_agents``), compactly."""

from __future__ import annotations

import weakref

import mesa


def remove_from(*sets):
    """A weak reference's callback removing its dead key from each of ``sets`` (weak-key dictionaries; through their own
    ``_remove``: deferred while a set is iterated, nothing if the key is already gone)."""
    removers = tuple(s._remove for s in sets)

    def remove(k):
        for r in removers:
            r(k)

    return remove


def shared_ints(uids: list[int], lo: int) -> list[int]:
    """The ints ``lo … lo + len(uids) − 1`` (row indices), as the very objects of ``uids`` (consecutive unique
    ids) where the two ranges overlap: a row agent's ``idx`` is then the int object another agent's
    ``unique_id`` already is (32 B an agent less; ints are immutable, so nothing can tell)."""
    k = len(uids)
    if k == 0:
        return []
    off = uids[0] - lo  # unique id − row index, the same for every agent of the batch
    if off >= 0:
        head = list(range(lo, lo + min(off, k)))
        return head + uids[: k - len(head)]
    if -off >= k:
        return list(range(lo, lo + k))
    return uids[-off:] + list(range(uids[0] + k, lo + k))


def bulk_ok(model) -> bool:
    """Mesa's registration structures are those ``agents.create_row_agents`` fills directly."""
    return (
        mesa.Model.register_agent is type(model).register_agent
        and isinstance(getattr(model, "_agents", None), dict)
        and isinstance(getattr(model, "_agents_by_type", None), dict)
        and isinstance(getattr(getattr(model, "_all_agents", None), "_agents", None), weakref.WeakKeyDictionary)
        and hasattr(weakref.WeakKeyDictionary(), "_remove")
        and isinstance(getattr(mesa.Agent, "_ids", None), dict)
    )
