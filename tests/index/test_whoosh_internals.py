"""Every private Whoosh name the engine relies on is still where it was.

`indexer.whoosh_internals` is the one module that reads Whoosh's private
attributes or replaces its methods; `RELIED_ON` lists each name by the class
or module that has it. A Whoosh upgrade that renames or moves one fails here,
naming it, rather than as a wrong score or a silent fallback to a slow path.
"""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from indexer import whoosh_internals


def _owner(path: str):
    """The class or module at a dotted path ("whoosh.columns.NumericColumn.Reader")."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


def _has(owner, name: str) -> bool:
    """A class or module attribute, or an instance attribute that a class of
    the owner's MRO assigns (`self.name = ...`, also in a tuple assignment)."""
    if hasattr(owner, name):
        return True
    if not inspect.isclass(owner):
        return False
    assigned = re.compile(rf"\bself\.{re.escape(name)}\b\s*(?:,[^=\n]*)?=(?!=)")
    for cls in owner.__mro__:
        if cls.__module__.startswith("whoosh"):
            try:
                if assigned.search(inspect.getsource(cls)):
                    return True
            except (OSError, TypeError):
                continue
    return False


def test_written_against_the_installed_whoosh_version():
    import whoosh

    assert whoosh.versionstring() == whoosh_internals.WHOOSH_VERSION, (
        f"indexer.whoosh_internals was written against whoosh3 {whoosh_internals.WHOOSH_VERSION}; "
        f"{whoosh.versionstring()} is installed: check every name in RELIED_ON, then update it")


@pytest.mark.parametrize("owner_path", sorted(whoosh_internals.RELIED_ON))
def test_every_private_name_relied_on_exists(owner_path):
    owner = _owner(owner_path)
    missing = [name for name in whoosh_internals.RELIED_ON[owner_path] if not _has(owner, name)]
    assert not missing, f"whoosh moved {', '.join(missing)} of {owner_path}"


def test_bm25f_field_lengths_are_read_through_the_expected_closure(archive):
    """`length_bytes` finds a scorer's field from its `dfl` lambda's free variables."""
    searcher = archive._searcher()
    leaf_searcher, _offset = next(iter(searcher.leaf_searchers()))
    scorer = searcher.weighting.scorer(leaf_searcher, "body", b"oil")
    names = scorer.dfl.__code__.co_freevars
    assert set(whoosh_internals.DFL_FREE_VARIABLES) <= set(names), f"BM25F's dfl closes over {names}"
    found = whoosh_internals.length_bytes(leaf_searcher.reader(), scorer.dfl)
    assert found is not None and found.dtype.name == "uint8" and len(found)


def test_the_check_can_fail():
    """A name Whoosh does not have is not found (class, instance or module attribute)."""
    owner = _owner("whoosh.matching.wrappers.FilterMatcher")
    assert not _has(owner, "_no_such_name")
    assert _has(owner, "_exclude")
    assert not _has(_owner("whoosh.system"), "_NO_SUCH_SIZE")
