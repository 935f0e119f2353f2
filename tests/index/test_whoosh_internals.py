"""Every private Whoosh name the engine relies on is still where it was, and
only `indexer.whoosh_internals` touches one.

`indexer.whoosh_internals` is the one module that reads Whoosh's private
attributes or replaces its methods; `RELIED_ON` lists each name by the class
or module that has it. A Whoosh upgrade that renames or moves one fails here,
naming it, rather than as a wrong score or a silent fallback to a slow path.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from whoosh.codec.whoosh3 import W3LeafMatcher

import indexer
import webui
from indexer import whoosh_internals

REPO = Path(__file__).resolve().parents[2]
PRIVATE_NAMES = frozenset(name for names in whoosh_internals.RELIED_ON.values() for name in names
                          if name.startswith("_"))


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
    leaf_searcher = next(leaf for leaf, _offset in searcher.leaf_searchers() if ("body", b"oil") in leaf.reader())
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


def _private_uses(source: str) -> list[tuple[int, str]]:
    """(line, name) of each private name (`_x`, not `__x__`) used in Python
    source: as an attribute (`m._postfile`), a string (`getattr(r, "_perdoc")`,
    `__dict__` keys), a keyword (`d.update(_codec=...)`), a method defined in a
    class (an override) or a name imported (`from whoosh.system import _INT_SIZE`)."""
    tree = ast.parse(source)
    methods = {id(item) for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for item in node.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]
        elif isinstance(node, ast.keyword):
            names = [node.arg]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and id(node) in methods:
            names = [node.name]
        elif isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name and name.isidentifier()
                  and name.startswith("_") and not name.startswith("__")]
    return sorted(found)


def _package_sources() -> list[Path]:
    door = Path(whoosh_internals.__file__).resolve()
    return [path for folder in ("indexer", "webui") for path in sorted((REPO / folder).rglob("*.py"))
            if path.resolve() != door]


def test_no_other_module_touches_a_name_relied_on():
    """Private names of Whoosh's are used through `indexer.whoosh_internals`
    only (so RELIED_ON is every name an upgrade could break). The engine's
    own attributes keep clear of these names, so that a use is always Whoosh's."""
    offences = [f"{path.relative_to(REPO)}:{line} {name}"
                for path in _package_sources()
                for line, name in _private_uses(path.read_text(encoding="utf-8")) if name in PRIVATE_NAMES]
    assert not offences, "only indexer/whoosh_internals.py may touch these: " + "; ".join(offences)


def test_relied_on_lists_every_private_name_the_door_uses():
    """What the door sets on Whoosh objects for itself is named `_newsindex_...`;
    every other private name it uses is Whoosh's and listed."""
    source = Path(whoosh_internals.__file__).read_text(encoding="utf-8")
    unlisted = sorted({name for _, name in _private_uses(source)
                       if name not in PRIVATE_NAMES and not name.startswith("_newsindex_")})
    assert not unlisted, f"indexer/whoosh_internals.py uses {', '.join(unlisted)}, not in RELIED_ON"


def test_the_use_checks_can_fail():
    source = ("x = m._postfile.get(0)\n"
              "y = getattr(leaf, '_perdoc', None)\n"
              "z.__dict__.update(_codec=None)\n"
              "class Matcher:\n    def _goto(self, position): pass\n"
              "def _helper(): pass\n"
              "from whoosh.system import _INT_SIZE, pack_uint\n"
              "w = m.postings_file\n")
    assert _private_uses(source) == [
        (1, "_postfile"), (2, "_perdoc"), (3, "_codec"), (5, "_goto"), (7, "_INT_SIZE")]
    assert {name for _, name in _private_uses(source)} <= PRIVATE_NAMES


def _own_private_names(cls) -> set[str]:
    """The private names a class itself defines or assigns on `self`."""
    names = {name for name in vars(cls) if name.startswith("_") and not name.startswith("__")}
    try:
        tree = ast.parse(inspect.getsource(cls).strip() if cls.__module__ else "")
    except (OSError, TypeError, SyntaxError):
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self" \
                and isinstance(node.ctx, ast.Store) and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            names.add(node.attr)
    return names


def _project_subclasses_of_whoosh():
    """Classes of indexer/ and webui/ (whoosh_internals aside) with a Whoosh class among their bases."""
    for package in (indexer, webui):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name == whoosh_internals.__name__ or info.name.endswith(".__main__"):
                continue
            module = importlib.import_module(info.name)
            for cls in vars(module).values():
                if inspect.isclass(cls) and cls.__module__ == module.__name__ \
                        and any(base.__module__.startswith("whoosh") for base in cls.__mro__[1:]):
                    yield cls


def test_subclasses_of_whoosh_keep_their_own_state_apart():
    """A project class built on a Whoosh class (outside the door) defines and
    assigns no private name its Whoosh bases have: it overrides no private
    method and reads or writes none of their private state."""
    clashes = [f"{cls.__module__}.{cls.__qualname__}.{name}"
               for cls in _project_subclasses_of_whoosh() for name in _whoosh_names_of(cls)]
    assert not clashes, "private names of Whoosh's bases, outside indexer/whoosh_internals.py: " + ", ".join(clashes)


def _whoosh_names_of(cls) -> list[str]:
    """The private names a class defines or assigns that one of its Whoosh bases has."""
    whoosh_bases = [base for base in cls.__mro__[1:] if base.__module__.startswith("whoosh")]
    return [name for name in sorted(_own_private_names(cls)) if any(_has(base, name) for base in whoosh_bases)]


class _ReachingMatcher(W3LeafMatcher):
    """What the check above must catch: an override and Whoosh's state set."""

    def _goto(self, position):
        self._ids = None
        self._own_state = position


def test_the_subclass_check_can_fail():
    assert _whoosh_names_of(_ReachingMatcher) == ["_goto", "_ids"]


def _slots(reader) -> list[list[tuple[int, int]]]:
    """Every hash table of a term table as Whoosh's reader sees it: per table, its (hash, position) slots."""
    from whoosh.filedb.filetables import _pointer

    return [[_pointer.unpack(reader.dbfile.get(start + k * _pointer.size, _pointer.size)) for k in range(slots)]
            for start, slots in reader.tables]


def _random_keys(seed: int, n: int) -> list[bytes]:
    import random

    rnd = random.Random(seed)
    return sorted({bytes(rnd.randrange(97, 123) for _ in range(rnd.randint(1, 6))) for _ in range(n)})


def test_term_table_hash_tables_hold_whooshs_entries_where_its_reader_finds_them():
    """The hash tables written at once (`_write_hash_tables`) have Whoosh's
    directory and each table the (hash, position) entries Whoosh's own
    writer puts in it, laid out in another order, and Whoosh's reader finds
    every key through them (runs that wrap past a table's end included)."""
    import io

    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter
    from whoosh.filedb.structfile import StructFile

    keys = _random_keys(3, 20000)

    class Kept(io.BytesIO):
        def close(self) -> None:  # the table closes its file when done; keep the bytes
            pass

    def table() -> OrderedHashWriter:
        written = OrderedHashWriter(StructFile(Kept()))
        for key in keys:
            written.add(key, key[::-1])
        return written

    whooshs, ours = table(), table()
    ours._write_hashes = lambda: whoosh_internals._write_hash_tables(ours)
    readers = []
    for written in (whooshs, ours):
        written.close()
        readers.append(OrderedHashReader(StructFile(io.BytesIO(written.dbfile.file.getvalue()))))
    assert ours.directory == whooshs.directory
    theirs, mine = (_slots(reader) for reader in readers)
    assert [sorted(t) for t in theirs] == [sorted(t) for t in mine] and theirs != mine
    wrapped = sum(k < (h >> 8) % len(t) for t in mine for k, (h, p) in enumerate(t) if p)
    assert wrapped > 10
    assert all(readers[1][key] == key[::-1] for key in keys)
    assert not any(key + b"!" in readers[1] for key in keys[:2000])


def test_a_codec_term_table_is_hashed_with_crc32_and_read_by_whoosh():
    """Every term table the codec's field writer makes (builds, merges,
    Whoosh's writer with the codec) has hash type 1 (crc32) in its header;
    terms added a field at a time (records laid out with arrays) and one at
    a time are read back in order, and found, by Whoosh's reader; keys out
    of order are refused."""
    from whoosh.fields import ID
    from whoosh.filedb.filestore import RamStorage
    from whoosh.filedb.filetables import OrderedHashReader

    from indexer.index.codec import NewsCodec

    storage, codec = RamStorage(), NewsCodec()
    segment = codec.new_segment(storage, "MAIN")
    fields = codec.field_writer(storage, segment)
    many, one = _random_keys(5, 30000), b"one"
    fields.start_field("a", ID())
    prefix = fields.field_key_prefix()
    values = [key.ljust(9, b"-") for key in many]  # the infos of a field are of one size
    with pytest.raises(ValueError):
        fields.add_term_infos(many[::-1], b"".join(values))
    fields.add_term_infos(many, b"".join(values))
    with pytest.raises(ValueError):
        fields.add_term_infos(many[-1:], values[-1])
    fields.finish_field()
    fields.start_field("b", ID())
    one_key = fields.field_key_prefix() + one
    fields.term_table.add(one_key, b"value")
    fields.finish_field()
    fields.close()
    reader = OrderedHashReader.open(storage, segment.make_filename(codec.TERMS_EXT))
    assert reader.hashtype == whoosh_internals.TERM_HASH_TYPE == 1
    assert list(reader.items()) == [(prefix + key, value) for key, value in zip(many, values)] + [(one_key, b"value")]
    assert all(reader[prefix + key] == value for key, value in zip(many, values))
    assert reader.closest_key(prefix + many[100] + b"!") == prefix + many[101]
    assert reader[one_key] == b"value" and one_key[:2] != prefix
    assert sum(len(t) for t in _slots(reader)) == 2 * (len(many) + 1)


def test_term_positions_extend_as_whooshs_growable_array():
    """The term table's record positions added a field at a time end in the
    array type and values Whoosh's one-at-a-time appends give."""
    from whoosh.util.numlists import GrowableArray

    runs = [[3, 200], [255], [256, 70_000], [2**31 - 1], [2**31, 2**32 + 5], [2**40]]
    whooshs, ours = GrowableArray(allow_longs=True), GrowableArray(allow_longs=True)
    for run in runs:
        whooshs.extend(run)
        whoosh_internals._extend_growable(ours, run)
        assert (ours.typecode, list(ours)) == (whooshs.typecode, list(whooshs))
