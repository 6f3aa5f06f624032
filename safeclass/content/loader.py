"""Load content files into a Catalog, collecting every error with its file:line and path."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from safeclass.content.catalog import Catalog, ContentError
from safeclass.content.models import Assignment, Campaign, Drill, Guide, ImageSection, Module, Quiz, ScenarioSection, Text
from safeclass.content.roster import MAX_ROSTER_BYTES, parse_roster
from safeclass.content.source import MAX_CONTENT_BYTES, Located, format_path, parse_yaml, too_large
from safeclass.content.source import Path as DataPath

LESSONS, QUIZZES, CAMPAIGNS, MEDIA, GUIDES, DRILLS = "lessons", "quizzes", "campaigns", "media", "guides", "drills"

# The kind of each content folder (one YAML file per item); campaigns are folders of their own, read after these.
FOLDER_KINDS: dict[str, type[BaseModel]] = {LESSONS: Module, QUIZZES: Quiz, GUIDES: Guide, DRILLS: Drill}
Item = Module | Quiz | Guide | Drill
SECTION = re.compile(r"§\d[A-Z]?(?![A-Za-z0-9])")

HELP_REF = re.compile(r"\{help:([a-z0-9][a-z0-9_-]*)(?:\.(name|phone|text|web|hours))?\}")
HELP_REF_START = re.compile(r"\{\s*help\s*:[^}]*\}?")

# A phone number written into lesson text goes stale when a region changes it; numbers belong in the
# campaign's help directory. Korean landlines/mobiles, text-message lines and the national hotlines.
PHONE_NUMBER = re.compile(
    r"(?<![\d,.])(?:0\d{1,2}[-)\s.]\d{3,4}[-\s.]\d{4}"
    r"|1[3-9]\d{2}-\d{4}"
    r"|#\s?\d{3,4}"
    r"|(?:112|117|118|119|182|1366|1377|1388|1395)(?![\d,.]\d|%|\s?%))(?!\d)"
)

# Words and figures that mark a statement of law, penalty, statistic or service; a file containing any
# needs `as_of` and `sources` so a reviewer can check it against the reference sheet.
FACT_MARKERS = re.compile(
    r"\{help:|\d\s?%|징역|벌금|처벌|범죄|불법|법률|특례법|보호법|예방법|제\d+조|₩|만\s?원|억\s?원"
    r"|(?i:\bimprisonment\b|\bprison\b|\bfined\b|\bfines? (?:of|up to)\b|\bpunish|\bcrimes?\b|\billegal\b|\blaws?\b)"
    r"|\bAct\b|\bArticle \d+"
)

FRIENDLY = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key (check the spelling; see docs/content-format.md)",
}


def load_catalog(root: Path | str) -> Catalog:
    """Load every content file under ``root`` (lessons/, quizzes/, guides/, drills/, campaigns/) and cross-check them."""
    root = Path(root)
    catalog = Catalog(root=root)
    for folder, model_type in FOLDER_KINDS.items():
        for path in sorted((root / folder).glob("*.yaml")):
            _add(catalog, path, model_type)
    for path in sorted((root / CAMPAIGNS).glob("*/campaign.yaml")):
        _add(catalog, path, Campaign)
    _cross_check(catalog)
    catalog.errors.sort()
    return catalog


def load_file(path: Path | str, root: Path | str | None = None) -> tuple[BaseModel | None, list[ContentError]]:
    """Load one file on its own (kind from its folder); help references are checked against ``root``'s campaigns."""
    path = Path(path)
    root = Path(root) if root is not None else _guess_root(path)
    model_type = _kind_of(path)
    if model_type is None:
        msg = "not a content file: expected lessons/, quizzes/, guides/ or drills/*.yaml, or campaigns/<id>/campaign.yaml"
        return None, [ContentError(_rel(path, root), 1, "(file)", msg)]
    catalog = Catalog(root=root)
    item = _add(catalog, path, model_type)
    if item is not None and not isinstance(item, Campaign):
        others = Catalog(root=root)
        for campaign_path in sorted((root / CAMPAIGNS).glob("*/campaign.yaml")):
            _add(others, campaign_path, Campaign)
        if others.campaigns:
            _check_help_refs(catalog, item, list(others.campaigns.values()), assigned_only=False)
        if isinstance(item, Drill):
            for guide_path in sorted((root / GUIDES).glob("*.yaml")):
                _add(others, guide_path, Guide)
            _check_drill_guide(catalog, item, others.guides)
    errors = sorted(catalog.errors)
    return (None if errors else item), errors


def content_fingerprint(root: Path | str) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of every content file: changes when any file is edited."""
    root = Path(root)
    files = [*root.glob(f"{LESSONS}/**/*"), *root.glob(f"{CAMPAIGNS}/*/*")]
    files += [p for folder in (QUIZZES, GUIDES, DRILLS) for p in root.glob(f"{folder}/*.yaml")]
    return tuple(sorted((str(p), s.st_size, s.st_mtime_ns) for p in files if p.is_file() for s in [p.stat()]))


# --- one file ---------------------------------------------------------------------------------


def _kind_of(path: Path) -> type[BaseModel] | None:
    if path.suffix != ".yaml":
        return None
    if path.parent.name in FOLDER_KINDS:
        return FOLDER_KINDS[path.parent.name]
    if path.name == "campaign.yaml" and path.parent.parent.name == CAMPAIGNS:
        return Campaign
    return None


def _guess_root(path: Path) -> Path:
    parents = path.resolve().parents
    return parents[2] if path.name == "campaign.yaml" and len(parents) > 2 else parents[1]


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _add(catalog: Catalog, path: Path, model_type: type[BaseModel]) -> BaseModel | None:
    """Parse, validate and check one file; add it to the catalog when it has no error."""
    name = _rel(path, catalog.root)
    try:
        oversized = too_large(path, MAX_CONTENT_BYTES)
        if oversized:
            catalog.errors.append(ContentError(name, 1, "(file)", oversized))
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        catalog.errors.append(ContentError(name, 1, "(file)", f"cannot read: {exc}"))
        return None
    located = parse_yaml(text)
    errors = [ContentError(name, line, format_path(p), msg) for line, p, msg in located.problems]
    if located.data is None or errors:
        catalog.errors.extend(errors)
        return None
    if not isinstance(located.data, dict):
        catalog.errors.append(ContentError(name, 1, "(document)", "the file must be a mapping of keys to values"))
        return None
    try:
        item = model_type.model_validate(located.data)
    except ValidationError as exc:
        catalog.errors.extend(_located_validation_errors(exc, located, name))
        return None
    problems = list(_file_rules(item, path, catalog.root))
    if problems:
        catalog.errors.extend(ContentError(name, located.line_of(p), format_path(p), msg) for p, msg in problems)
        return None
    _register(catalog, item, name, located)
    return item


def _located_validation_errors(exc: ValidationError, located: Located, name: str) -> list[ContentError]:
    out = []
    errors = exc.errors()
    # A list whose item failed also reports "too short" for itself: only the item's own error is useful.
    failed_items = {err["loc"][: i + 1] for err in errors for i, part in enumerate(err["loc"]) if isinstance(part, int)}
    for err in errors:
        if err["type"] == "too_short" and any(loc[:-1] == err["loc"] for loc in failed_items):
            continue
        path = _data_path(err["loc"], located.data)
        message = FRIENDLY.get(err["type"], err["msg"].removeprefix("Value error, "))
        if err["type"] in ("literal_error", "enum"):
            message = f"{err['msg']}, found {err.get('input')!r}"
        elif err["type"] == "string_pattern_mismatch":
            message = _pattern_message(err["ctx"]["pattern"], err.get("input"))
        elif err["type"].endswith("_type") or err["type"].endswith("_parsing"):
            message = f"{err['msg']}, found {err.get('input')!r}"
        out.append(ContentError(name, located.line_of(path), format_path(path), message))
    # One mistake can fail several union branches; report each located message once.
    return sorted(set(out))


def _pattern_message(pattern: str, found: object) -> str:
    if pattern == r"\S":
        return "must not be empty"
    if pattern.startswith("^facts"):
        return f"{found!r} must cite a section of the reference sheet, such as 'facts.md §1E — Busan Office of Education FAQ'"
    if pattern.startswith("^[A-Za-z0-9]"):
        return f"{found!r} must name a file inside lessons/media/ (letters, digits, '-', '_', '.', '/')"
    if pattern.startswith("^[a-z0-9]"):
        return f"ids use lower-case letters, digits, '-' and '_', starting with a letter or digit; found {found!r}"
    return f"{found!r} does not have the expected form ({pattern})"


def _data_path(loc: tuple[Any, ...], data: Any) -> DataPath:
    """Turn a pydantic error location into a path in the YAML data, dropping union tags."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        ):
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str) and (current.get("type") == part or "[" in part):
            continue  # a discriminated-union tag or validator name, not a key in the file
        else:
            path.append(part)
            current = None
            continue
        path.append(part)
    return tuple(path)


def _file_rules(item: BaseModel, path: Path, root: Path) -> Iterator[tuple[DataPath, str]]:
    """Rules that need more than one field: ids, scenario graphs, images, phone numbers, sources."""
    if isinstance(item, Module):
        yield from _unique_section_ids(item)
        for i, section in enumerate(item.sections):
            if isinstance(section, ScenarioSection):
                yield from _scenario_rules(section, ("sections", i))
            if isinstance(section, ImageSection):
                yield from _image_rules(section, ("sections", i), root)
    if isinstance(item, Quiz):
        if item.draw > len(item.questions):
            yield ("draw",), f"draw is {item.draw} but the pool has only {len(item.questions)} questions"
        seen: dict[str, int] = {}
        for i, question in enumerate(item.questions):
            if question.id in seen:
                yield ("questions", i, "id"), f"question id '{question.id}' already used by questions[{seen[question.id]}]"
            seen.setdefault(question.id, i)
    if isinstance(item, Campaign) and item.id != path.parent.name:
        yield ("id",), f"campaign id '{item.id}' must equal its folder name '{path.parent.name}'"
    if isinstance(item, Guide):
        yield from _guide_rules(item)
    if isinstance(item, Drill):
        yield from _drill_rules(item)
    if isinstance(item, Item):
        yield from _text_rules(item)


def _unique(ids: list[str], at: Callable[[int], DataPath], what: str) -> Iterator[tuple[DataPath, str]]:
    seen: dict[str, int] = {}
    for i, item_id in enumerate(ids):
        if item_id in seen:
            yield at(i), f"{what} id '{item_id}' already used by {format_path(at(seen[item_id])[:-1])}"
        seen.setdefault(item_id, i)


def _guide_rules(guide: Guide) -> Iterator[tuple[DataPath, str]]:
    """Phase and step ids are unique; every section a step cites is listed in the file's ``sources``."""
    yield from _unique([p.id for p in guide.phases], lambda i: ("phases", i, "id"), "phase")
    where = [(i, j) for i, phase in enumerate(guide.phases) for j in range(len(phase.steps))]
    step_ids = [guide.phases[i].steps[j].id for i, j in where]
    yield from _unique(step_ids, lambda n: ("phases", where[n][0], "steps", where[n][1], "id"), "step")
    listed = {m.group(0) for line in guide.sources for m in SECTION.finditer(line)}
    for i, j in where:
        for k, cite in enumerate(guide.phases[i].steps[j].cites):
            section = SECTION.search(cite).group(0)
            if section not in listed:
                yield (
                    ("phases", i, "steps", j, "cites", k),
                    f"cites facts.md {section}, which 'sources' does not list: add that section and its original source to 'sources'",
                )


def _drill_rules(drill: Drill) -> Iterator[tuple[DataPath, str]]:
    """Inject ids are unique; whoever leads an inject is the principal or one of the drill's roles."""
    yield from _unique([i.id for i in drill.injects], lambda i: ("injects", i, "id"), "inject")
    for i, inject in enumerate(drill.injects):
        if inject.lead != "principal" and inject.lead not in drill.roles:
            yield (
                ("injects", i, "lead"),
                f"lead '{inject.lead}' is not one of the drill's roles ({', '.join(drill.roles)}): "
                "add it to 'roles' or let the principal lead",
            )


def _unique_section_ids(module: Module) -> Iterator[tuple[DataPath, str]]:
    seen: dict[str, int] = {}
    for i, section in enumerate(module.sections):
        section_id = getattr(section, "id", None)
        if section_id is None:
            continue
        if section_id in seen:
            yield ("sections", i, "id"), f"id '{section_id}' already used by sections[{seen[section_id]}]"
        seen.setdefault(section_id, i)


def _scenario_rules(scenario: ScenarioSection, at: DataPath) -> Iterator[tuple[DataPath, str]]:
    index: dict[str, int] = {}
    for i, node in enumerate(scenario.nodes):
        if node.id in index:
            yield (*at, "nodes", i, "id"), f"node id '{node.id}' already used by nodes[{index[node.id]}]"
        index.setdefault(node.id, i)
    if scenario.start not in index:
        yield (*at, "start"), f"no node '{scenario.start}' in scenario '{scenario.id}'"
        return
    broken = False
    for i, node in enumerate(scenario.nodes):
        for j, choice in enumerate(node.choices or ()):
            if choice.next not in index:
                broken = True
                yield (*at, "nodes", i, "choices", j, "next"), f"no node '{choice.next}' in scenario '{scenario.id}'"
    if broken:
        return
    # Depth-first walk from the start: finds unreachable nodes and loops (a loop is a path with no ending).
    state: dict[str, str] = {}
    loops: list[tuple[DataPath, str]] = []

    def visit(node_id: str) -> None:
        state[node_id] = "open"
        i = index[node_id]
        for j, choice in enumerate(scenario.nodes[i].choices or ()):
            if state.get(choice.next) == "open":
                loops.append(((*at, "nodes", i, "choices", j, "next"), f"leads back to '{choice.next}': a loop never reaches an ending"))
            elif choice.next not in state:
                visit(choice.next)
        state[node_id] = "done"

    visit(scenario.start)
    yield from loops
    for i, node in enumerate(scenario.nodes):
        if node.id not in state:
            yield (*at, "nodes", i, "id"), f"node '{node.id}' cannot be reached from '{scenario.start}'"
    yield from _better_choice_rules(scenario, at)
    if not loops:
        yield from _critical_path_rules(scenario, at, index)


def _better_choice_rules(scenario: ScenarioSection, at: DataPath) -> Iterator[tuple[DataPath, str]]:
    """A choice worth less than the best at its node says, in ``better``, what the better choice was."""
    for i, node in enumerate(scenario.nodes):
        if not node.choices:
            continue
        best = max(c.points for c in node.choices)
        for j, choice in enumerate(node.choices):
            where = (*at, "nodes", i, "choices", j)
            if choice.points < best and choice.better is None:
                yield (
                    (*where, "points"),
                    f"scores {choice.points} but the best choice at node '{node.id}' scores {best}: "
                    "add 'better: {ko: ..., en: ...}' saying what the better choice was and why",
                )
            elif choice.points == best and choice.better is not None:
                yield (
                    (*where, "better"),
                    f"already the best choice at node '{node.id}' ({best} points): remove 'better', it is only for a choice worth less",
                )


def _critical_path_rules(scenario: ScenarioSection, at: DataPath, index: dict[str, int]) -> Iterator[tuple[DataPath, str]]:
    """No path from the start that takes a critical choice may reach a ``safe`` ending."""
    # The first path (in file order) from the start to each node, and from each node to a safe ending.
    to_node: dict[str, list[str]] = {scenario.start: [scenario.start]}
    order = [scenario.start]
    for node_id in order:
        for j, choice in enumerate(scenario.nodes[index[node_id]].choices or ()):
            if choice.next not in to_node:
                to_node[choice.next] = [*to_node[node_id][:-1], f"{node_id}[{j}]", choice.next]
                order.append(choice.next)
    to_safe: dict[str, list[str] | None] = {}

    def safe_path(node_id: str) -> list[str] | None:
        if node_id not in to_safe:
            node = scenario.nodes[index[node_id]]
            to_safe[node_id] = [node_id] if node.outcome == "safe" else None
            for j, choice in enumerate(node.choices or ()):
                rest = safe_path(choice.next)
                if rest is not None:
                    to_safe[node_id] = [f"{node_id}[{j}]", *rest]
                    break
        return to_safe[node_id]

    for i, node in enumerate(scenario.nodes):
        for j, choice in enumerate(node.choices or ()):
            rest = safe_path(choice.next) if choice.critical and node.id in to_node else None
            if rest is not None:
                path = " -> ".join([*to_node[node.id][:-1], f"{node.id}[{j}]", *rest])
                yield (
                    (*at, "nodes", i, "choices", j, "critical"),
                    f"critical choice reaches the safe ending '{rest[-1]}' by {path}: a path through a critical choice "
                    "must end 'partial' or 'unsafe'; route it to such an ending or change that ending's outcome",
                )


def _image_rules(image: ImageSection, at: DataPath, root: Path) -> Iterator[tuple[DataPath, str]]:
    media = (root / LESSONS / MEDIA).resolve()
    target = (media / image.file).resolve()
    if ".." in Path(image.file).parts or not target.is_relative_to(media):
        yield (*at, "file"), f"'{image.file}' must be a file under lessons/media/"
    elif not target.is_file():
        yield (*at, "file"), f"no file lessons/media/{image.file}"


def iter_texts(value: Any, at: DataPath = ()) -> Iterator[tuple[DataPath, str]]:
    """Every learner-facing string in a model, with its path (``…title.ko``)."""
    if isinstance(value, Text):
        yield (*at, "ko"), value.ko
        yield (*at, "en"), value.en
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from iter_texts(getattr(value, name), (*at, name))
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from iter_texts(item, (*at, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_texts(item, (*at, key))


def _text_rules(item: Item) -> Iterator[tuple[DataPath, str]]:
    first_fact: tuple[DataPath, str] | None = None
    for path, text in iter_texts(item):
        for bad in HELP_REF_START.finditer(text):
            if not HELP_REF.fullmatch(bad.group(0)):
                yield path, f"malformed help reference '{bad.group(0)}': write {{help:key}} or {{help:key.phone}}"
        phone = PHONE_NUMBER.search(HELP_REF.sub("", text))
        if phone:
            yield path, f"phone number '{phone.group(0).strip()}' written in the text: use a help reference such as {{help:acosav}}"
        if first_fact is None:
            marker = FACT_MARKERS.search(text)
            if marker:
                first_fact = (path, marker.group(0))
    if first_fact is not None:
        path, marker = first_fact
        where = f"'{marker}' in {format_path(path)}"
        if item.as_of is None:
            yield ("as_of",), f"states law, penalties, statistics or help services ({where}) but has no as_of date"
        if not item.sources:
            yield ("sources",), f"states law, penalties, statistics or help services ({where}) but cites no sources"


def _register(catalog: Catalog, item: BaseModel, name: str, located: Located) -> None:
    if isinstance(item, Campaign):
        registry: dict = catalog.campaigns
    else:
        registries = {Module: catalog.modules, Quiz: catalog.quizzes, Guide: catalog.guides, Drill: catalog.drills}
        registry = registries[type(item)]
        if any(item.id in r for r in registries.values()):  # one id space: completions and hashes are keyed by it
            first = catalog.files[item.id]
            catalog.errors.append(ContentError(name, located.line_of(("id",)), "id", f"id '{item.id}' is already used by {first}"))
            return
    if isinstance(item, Campaign):
        roster_path = catalog.root / CAMPAIGNS / item.id / "sites.csv"
        roster_name = _rel(roster_path, catalog.root)
        if not roster_path.is_file():
            catalog.errors.append(ContentError(roster_name, 1, "(file)", "missing: every campaign needs its site roster"))
            return
        try:
            oversized = too_large(roster_path, MAX_ROSTER_BYTES)
            text = "" if oversized else roster_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            oversized = f"cannot read: {exc}"
        if oversized:
            catalog.errors.append(ContentError(roster_name, 1, "(file)", oversized))
            return
        rows, problems = parse_roster(text)
        if problems:
            catalog.errors.extend(ContentError(roster_name, p.line, p.column, p.message) for p in problems)
            return
        catalog.rosters[item.id] = tuple(rows)
    registry[item.id] = item
    catalog.files[item.id] = name
    catalog.sources[name] = located


# --- across files -----------------------------------------------------------------------------


def _cross_check(catalog: Catalog) -> None:
    for quiz in catalog.quizzes.values():
        if quiz.module is not None and quiz.module not in catalog.modules:
            _error(catalog, quiz.id, ("module",), f"no module '{quiz.module}'")
    for campaign in catalog.campaigns.values():
        students = campaign.audiences.students
        for level in ("elementary", "middle", "high", "youth"):
            assignment = getattr(students, level)
            if assignment is not None:
                base = ("audiences", "students", level)
                _check_assignment(
                    catalog,
                    campaign,
                    assignment,
                    base,
                    lambda m, lv=level: m.kind == "lesson" and lv in (m.levels or ()),
                    f"a {level} lesson",
                )
        for audience in ("principal", "staff"):
            assignment = getattr(campaign.audiences, audience)
            _check_assignment(
                catalog,
                campaign,
                assignment,
                ("audiences", audience),
                lambda m, a=audience: m.kind == "training" and a in (m.audiences or ()),
                f"training for {audience}",
            )
    campaigns = list(catalog.campaigns.values())
    if campaigns:
        for item in [*catalog.modules.values(), *catalog.quizzes.values(), *catalog.guides.values(), *catalog.drills.values()]:
            _check_help_refs(catalog, item, campaigns, assigned_only=True)
    for drill in catalog.drills.values():
        _check_drill_guide(catalog, drill, catalog.guides)


def _check_drill_guide(catalog: Catalog, drill: Drill, guides: dict[str, Guide]) -> None:
    """A drill names a case guide, and each inject a step of it: the report measures decisions against those steps."""
    guide = guides.get(drill.guide)
    if guide is None:
        _error(catalog, drill.id, ("guide",), f"no guide '{drill.guide}'")
        return
    for i, inject in enumerate(drill.injects):
        if guide.step(inject.guide_step) is None:
            _error(catalog, drill.id, ("injects", i, "guide_step"), f"no step '{inject.guide_step}' in guide '{guide.id}'")


def _check_assignment(
    catalog: Catalog, campaign: Campaign, assignment: Assignment, base: DataPath, fits: Callable[[Module], bool], what: str
) -> None:
    for i, module_id in enumerate(assignment.modules):
        module = catalog.modules.get(module_id)
        if module is None:
            _error(catalog, campaign.id, (*base, "modules", i), f"no module '{module_id}'")
        elif not fits(module):
            _error(catalog, campaign.id, (*base, "modules", i), f"module '{module_id}' is not {what}")
    for i, quiz_id in enumerate(assignment.quizzes):
        if quiz_id not in catalog.quizzes:
            _error(catalog, campaign.id, (*base, "quizzes", i), f"no quiz '{quiz_id}'")


def _assigned_ids(campaign: Campaign) -> set[str]:
    a = campaign.audiences
    parts = [a.principal, a.staff, *(getattr(a.students, lv) for lv in ("elementary", "middle", "high", "youth"))]
    return {i for p in parts if p is not None for i in (*p.modules, *p.quizzes)}


def _check_help_refs(catalog: Catalog, item: Item, campaigns: list[Campaign], assigned_only: bool) -> None:
    """Every {help:key} must exist in each campaign that assigns the item (or in some campaign, if none does).

    The case guide and drills serve every campaign of the tree, so their references must exist in each.
    """
    if isinstance(item, Guide | Drill):
        assigning = campaigns
    else:
        assigning = [c for c in campaigns if item.id in _assigned_ids(c)] if assigned_only else []
    if isinstance(item, Guide):
        for i, phase in enumerate(item.phases):
            for j, step in enumerate(phase.steps):
                for k, key in enumerate(step.help):
                    missing = [c.id for c in assigning if key not in c.help]
                    if missing:
                        where = ("phases", i, "steps", j, "help", k)
                        _error(catalog, item.id, where, f"no help entry '{key}' in campaign {', '.join(missing)}")
    for path, text in iter_texts(item):
        for ref in HELP_REF.finditer(text):
            key, field_name = ref.group(1), ref.group(2)
            pool = assigning or campaigns
            missing = [c.id for c in pool if key not in c.help]
            if (assigning and missing) or (not assigning and len(missing) == len(pool)):
                _error(catalog, item.id, path, f"no help entry '{key}' in campaign {', '.join(missing)}")
                continue
            empty = [c.id for c in pool if key in c.help and field_name and getattr(c.help[key], field_name) is None]
            if empty:
                _error(catalog, item.id, path, f"help entry '{key}' has no {field_name} in campaign {', '.join(empty)}")


def _error(catalog: Catalog, item_id: str, path: DataPath, message: str) -> None:
    name = catalog.files[item_id]
    catalog.errors.append(ContentError(name, catalog.sources[name].line_of(path), format_path(path), message))
