"""YAML from other people's files (codebooks, front matter), read within limits.

PyYAML's safe loaders build only plain data, but not in bounded time or memory: nesting
3,000 levels deep overflows Python's stack while composing, a recursive alias builds a
structure that loops forever when walked, and "billion laughs" (each alias list naming the
previous one ten times) expands a 1 KB file into 10⁹ strings for whatever walks it. The
loader here checks while composing: the depth, the number of nodes, and the size of the
document with every alias expanded — a codebook or a front-matter block needs none of these
to be large. A breach raises a YAML error with a mark, so callers report it in their usual
one line ("line N: not valid YAML (…)").
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_EXPANDED = 1_000_000
MAX_CHARS = 10 * 1024 * 1024

_loaders: dict[bool, type] = {}


def _loader(base: bool) -> type:
    """A Safe/BaseLoader whose composer counts depth, nodes and expanded size."""
    if base in _loaders:
        return _loaders[base]
    import yaml  # ~15 ms; only files with YAML pay it
    from yaml.nodes import MappingNode, SequenceNode

    parent = yaml.BaseLoader if base else yaml.SafeLoader

    class LimitedLoader(parent):  # type: ignore[misc, valid-type]
        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self._depth = 0
            self._nodes = 0

        def _refuse(self, problem: str) -> None:
            event = self.peek_event() if self.check_event() else None
            raise yaml.composer.ComposerError(None, None, problem, event.start_mark if event is not None else None)

        def compose_node(self, parent_node: Any, index: Any) -> Any:
            self._depth += 1
            self._nodes += 1
            if self._depth > MAX_DEPTH:
                self._refuse(f"nested more than {MAX_DEPTH} levels deep; refused")
            if self._nodes > MAX_NODES:
                self._refuse(f"more than {MAX_NODES:,} values; refused")
            try:
                return super().compose_node(parent_node, index)
            finally:
                self._depth -= 1

        def compose_document(self) -> Any:
            node = super().compose_document()
            _expanded_size(node, {}, set(), self, MappingNode, SequenceNode)
            return node

    _loaders[base] = LimitedLoader
    return LimitedLoader


def _expanded_size(
    node: Any, sizes: dict[int, int], open_: set[int], loader: Any, mapping: type, sequence: type
) -> int:
    """Values in the document with aliases expanded (a shared node counts every time it is
    named); a node that contains itself is a recursive alias. Memoised, so linear in the
    composed nodes, which are bounded above. Iterative: the depth is bounded, the stack is not
    worth risking."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    stack: list[tuple[Any, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        ident = id(current)
        if done:
            open_.discard(ident)
            children = _children(current, mapping, sequence)
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > MAX_EXPANDED:
                loader._refuse(f"aliases expand it to more than {MAX_EXPANDED:,} values (a 'billion laughs'); refused")
            sizes[ident] = total
            continue
        if ident in sizes:
            continue
        if ident in open_:
            loader._refuse("an alias refers to the value that contains it (a recursive alias); refused")
        open_.add(ident)
        stack.append((current, True))
        for child in _children(current, mapping, sequence):
            if id(child) in open_:
                loader._refuse("an alias refers to the value that contains it (a recursive alias); refused")
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[key]


def _children(node: Any, mapping: type, sequence: type) -> list[Any]:
    value: Any = getattr(node, "value", None)
    if isinstance(node, mapping):
        return [part for pair in value for part in pair]
    if isinstance(node, sequence):
        return list(value)
    return []


def safe_load(text: str, *, base: bool = False) -> Any:
    """``yaml.safe_load`` (or ``BaseLoader`` with ``base``: every scalar a string) within the
    limits above. Raises ``yaml.YAMLError`` for bad or oversized YAML."""
    import yaml

    if len(text) > MAX_CHARS:
        raise yaml.YAMLError(f"{len(text):,} characters is over the {MAX_CHARS:,} limit for YAML; refused")
    loader = _loader(base)(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def safe_load_all(text: str) -> list[Any]:
    """Every document of a ``---``-separated YAML stream, within the same limits, which count
    over the whole stream (several small documents cannot add up to a bomb)."""
    import yaml

    if len(text) > MAX_CHARS:
        raise yaml.YAMLError(f"{len(text):,} characters is over the {MAX_CHARS:,} limit for YAML; refused")
    loader = _loader(False)(text)
    try:
        documents = []
        while loader.check_data():
            documents.append(loader.get_data())
        return documents
    finally:
        loader.dispose()
