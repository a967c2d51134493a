"""The one YAML reader for notes: PyYAML's C parser with a lean safe constructor.

PyYAML parses (libyaml, through `yaml.CSafeLoader`'s own `CParser`) and PyYAML's own
implicit-resolver table decides every plain scalar's type. What is lean is the
Python around it:

- the tag of a plain scalar depends only on its text (vtb uses no path resolvers),
  so it is looked up once and remembered;
- plain maps, lists and the scalar types of YAML 1.1 (str, int, float, bool, null,
  timestamp) are built directly, without `SafeConstructor`'s generators and state;
- everything unusual — an alias or anchor reused, a merge key (`<<`), a `=` key, any
  tag but the plain ones, an unhashable key, any error — is handed back whole to
  PyYAML's `SafeConstructor`, which builds the document (or raises) exactly as
  `yaml.CSafeLoader` does.

So the results, error types and messages are `CSafeLoader`'s; a differential test
(`tests/test_yaml_loader.py`) checks that on generated and broken documents. One
difference on purpose: a document whose aliases would expand to more than
`MAX_EXPANDED_NODES` nodes (an "alias bomb") raises `AliasExpansionError` before
anything is built, so no later step (an edit's check, the merge driver, an export)
ever walks the expansion.
Measured at 0.4–0.6 × the time of `CSafeLoader` on vtb's frontmatters.
"""

from __future__ import annotations

from typing import Any

from yaml.constructor import SafeConstructor
from yaml.error import MarkedYAMLError
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# Scalars whose value depends only on their text: built once per distinct text.
_SCALAR_TYPES = frozenset(
    "tag:yaml.org,2002:" + name for name in ("int", "float", "bool", "null", "timestamp")
)
_CACHE_LIMIT = 50_000  # distinct texts remembered (a few MB at most), then start again

MAX_EXPANDED_NODES = 10_000
"""The most nodes a frontmatter may have with every alias expanded (a contact's
properties are a few dozen; a nested-anchor bomb of 1 KB is billions)."""

_plain_tags: dict[str, str] = {}
_scalar_values: dict[tuple[str, str], object] = {}


class _HandBack(Exception):
    """The document has something the lean path does not build: SafeConstructor does."""


class AliasExpansionError(MarkedYAMLError):
    """Aliases that would expand the document past `MAX_EXPANDED_NODES` nodes; the mark
    is the collection where the expansion went past the bound."""


def check_expansion(root: Any, limit: int = MAX_EXPANDED_NODES) -> None:
    """Raise AliasExpansionError when the node graph `root`, each alias expanded, has
    more than `limit` nodes. Each node is counted once (memoised), so this is linear
    in the document; a recursive alias counts as one node (it builds a cycle, not a copy).
    """
    sizes: dict[int, int] = {}
    busy: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if node.__class__ is ScalarNode:
            sizes[key] = 1
            continue
        children = _children(node)
        if not children_done:
            if key in busy:  # a recursive alias: reached again inside itself
                continue
            busy.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        busy.discard(key)
        size = 1 + sum(sizes.get(id(child), 1) for child in children)
        if size > limit:
            raise AliasExpansionError(
                None,
                None,
                f"aliases expand this value to more than {limit:,} items (an alias bomb?)",
                node.start_mark,
            )
        sizes[key] = size


def _children(node: Any) -> list[Any]:
    if node.__class__ is MappingNode:
        return [part for pair in node.value for part in pair]
    return list(node.value)


class _LeanResolver(Resolver):
    """PyYAML's resolver, remembering the tag of each plain scalar's text."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            table = self.yaml_implicit_resolvers  # PyYAML's, by the first character
            if value[:1] not in table and None not in table:  # as its `resolve` finds: a str
                return _STR  # (most names and e-mail addresses: each met once, not kept)
            tag = _plain_tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_plain_tags) >= _CACHE_LIMIT:
                    _plain_tags.clear()
                _plain_tags[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

    # No path resolvers are ever registered on this loader: the per-node hooks are free.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


try:  # PyYAML's wheels ship libyaml; a build without it parses in Python (slower, same)
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    from yaml.loader import SafeLoader as _Parser  # type: ignore[assignment]


class LeanSafeLoader(_Parser, SafeConstructor, _LeanResolver):  # type: ignore[misc]
    """`yaml.CSafeLoader` with a lean constructor for plain documents (see the module)."""

    def __init__(self, stream: str | bytes) -> None:
        _Parser.__init__(self, stream)
        SafeConstructor.__init__(self)
        _LeanResolver.__init__(self)
        self.keys_written: int | None = None
        """How many top-level keys the document wrote, once its mapping is built the lean
        way (else None: not counted)."""

    def construct_document(self, node: Any) -> Any:
        try:
            data = self._build(node, set())
            if node.__class__ is MappingNode:
                self.keys_written = len(node.value)
            return data
        except _HandBack:
            pass
        except Exception:  # noqa: BLE001 - SafeConstructor raises it again, as CSafeLoader would
            pass
        check_expansion(node)  # before anything is built from shared nodes
        return SafeConstructor.construct_document(self, node)

    def _build(self, node: Any, seen: set[int]) -> Any:
        tag = node.tag
        if node.__class__ is ScalarNode:
            if tag == _STR:
                return node.value
            if tag in _SCALAR_TYPES:
                key = (tag, node.value)
                value = _scalar_values.get(key, _scalar_values)
                if value is _scalar_values:
                    value = self.yaml_constructors[tag](self, node)
                    if len(_scalar_values) >= _CACHE_LIMIT:
                        _scalar_values.clear()
                    _scalar_values[key] = value
                return value
            raise _HandBack
        if id(node) in seen:  # an alias: PyYAML shares the object (and bounds nothing)
            raise _HandBack
        seen.add(id(node))
        if node.__class__ is SequenceNode and tag == _SEQ:
            return [self._build(item, seen) for item in node.value]
        if node.__class__ is MappingNode and tag == _MAP:
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:  # merge and `=` keys are handed back
                mapping[self._build(key_node, seen)] = self._build(value_node, seen)
            return mapping
        raise _HandBack


def load_yaml(text: str) -> object:
    """Load one YAML document safely, as `yaml.load(text, yaml.CSafeLoader)` does.

    Raises yaml.YAMLError; callers turn it into a Problem with a line.
    """
    return load_yaml_counting_keys(text)[0]


def load_yaml_counting_keys(text: str) -> tuple[object, int | None]:
    """`load_yaml`, and how many top-level keys the document wrote (None when not
    counted): a mapping with fewer keys than that gave one twice. Known for free, so
    a note's lines are searched for the repeated key only when there is one."""
    loader = LeanSafeLoader(text)
    try:
        return loader.get_single_data(), loader.keys_written
    finally:
        loader.dispose()
