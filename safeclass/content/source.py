"""YAML parsing that remembers where every value was written, so errors can name file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import yaml

PathPart = str | int
Path = tuple[PathPart, ...]


@dataclass
class Located:
    """Parsed YAML data with the line of every key and list item, and any structural problems."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[tuple[int, Path, str]] = field(default_factory=list)

    def line_of(self, path: Path) -> int:
        """Line of ``path``, or of its nearest written ancestor (1 for the document)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


def format_path(path: Path) -> str:
    """``('sections', 3, 'body')`` -> ``sections[3].body``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


# libyaml's loader when PyYAML was built with it (about 10x faster); node marks and errors are the same.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Hostile input. An alias (`*name`) repeats an anchored value: a few hundred bytes of nested aliases expand
# to billions of nodes (the "billion laughs") and hang every walk over the data. No shipped file needs one,
# so aliases are refused. Nesting is bounded too: libyaml's composer recurses in C and crashes the process
# (not an exception) at a depth of about 100,000, which 200 KB of `[` reaches; content needs about 12 levels.
MAX_DEPTH = 64
MAX_ALIAS_ERRORS = 20  # enough to show the pattern; a file full of aliases need not list each one


# The largest shipped module is about 80 KB; a content file four times that is a mistake or an attack, and
# refusing it before reading keeps a huge file from filling memory on every replica's reload.
MAX_CONTENT_BYTES = 320 * 1024


def too_large(path: FilePath, limit: int) -> str | None:
    """Why ``path`` is refused for its size (it is not read), or None when it is within ``limit`` bytes."""
    size = path.stat().st_size
    if size <= limit:
        return None
    return f"the file is {size:,} bytes; content files are limited to {limit:,} bytes (split it into smaller files)"


def hostile_structure(text: str) -> list[tuple[int, Path, str]]:
    """Aliases and over-deep nesting, located; found from the parser's events before any node is built."""
    problems: list[tuple[int, Path, str]] = []
    alias_lines: set[int] = set()
    depth = 0
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    # Stop at once: reading further into a deep flow collection costs the scanner quadratic time.
                    problems.append((event.start_mark.line + 1, (), f"nested more than {MAX_DEPTH} levels deep"))
                    break
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent) and event.start_mark.line + 1 not in alias_lines:
                alias_lines.add(event.start_mark.line + 1)  # one error per line, however many aliases it holds
                problems.append(
                    (event.start_mark.line + 1, (), f"YAML alias '*{event.anchor}' is not allowed in content files: write the value out")
                )
                if len(problems) >= MAX_ALIAS_ERRORS:
                    break
    finally:
        loader.dispose()
    return problems


def parse_yaml(text: str) -> Located:
    """Parse one YAML document; syntax errors, duplicate keys, aliases and deep nesting become located problems."""
    loader = None
    try:
        if len(text) > MAX_CONTENT_BYTES:  # characters, at least a byte each: no need to encode a huge text
            return Located(data=None, problems=[(1, (), f"the text is longer than {MAX_CONTENT_BYTES:,} characters")])
        hostile = hostile_structure(text)
        if hostile:
            return Located(data=None, problems=hostile)
        loader = _Loader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return Located(data=None, problems=[(line, (), f"YAML syntax: {exc.problem or exc.context}")])
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        return Located(data=None, problems=[(line, (), f"YAML: character {exc.character!r} is not allowed in YAML")])
    except yaml.YAMLError as exc:
        return Located(data=None, problems=[(1, (), f"YAML: {str(exc).splitlines()[0]}")])
    finally:
        if loader is not None:
            loader.dispose()
    if node is None or data is None:
        return Located(data=None, problems=[(1, (), "the file is empty")])
    located = Located(data=data)
    _index(loader, node, (), located)
    return located


def _index(loader: yaml.BaseLoader, node: yaml.Node, path: Path, out: Located) -> None:
    out.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                out.problems.append((line, (*path, key), f"duplicate key (first written on line {seen[key]})"))
                continue
            seen[key] = line
            child = (*path, _constructed_key(loader, key_node))
            out.lines[child] = line
            _index(loader, value_node, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(loader, item, (*path, i), out)


def _constructed_key(loader: yaml.BaseLoader, key_node: yaml.Node) -> Any:
    # Keys such as `1:` or `yes:` construct to int/bool; the path must use the same value as the data.
    try:
        return loader.construct_object(key_node, deep=True)
    except yaml.YAMLError:
        return key_node.value
