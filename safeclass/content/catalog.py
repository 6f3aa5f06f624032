"""The parsed content of one tree: modules, quizzes, campaigns, case guides and drills by id, plus every error found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from safeclass.content.models import Campaign, Drill, Guide, Module, Quiz
from safeclass.content.roster import SiteRow
from safeclass.content.source import Located
from safeclass.domain import Level, StaffAudience


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in a content file, located by file, line and the path inside the file."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} {self.path}: {self.message}"


class ContentInvalid(Exception):
    """Raised when content is required to be error-free and is not."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class Catalog:
    """Everything that loaded, by id; files with errors are left out and their errors kept."""

    root: Path
    modules: dict[str, Module] = field(default_factory=dict)
    quizzes: dict[str, Quiz] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    guides: dict[str, Guide] = field(default_factory=dict)
    drills: dict[str, Drill] = field(default_factory=dict)
    rosters: dict[str, tuple[SiteRow, ...]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    # Parsed positions of each loaded file, so cross-file errors get their line without re-reading it.
    sources: dict[str, Located] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when no file had an error."""
        return not self.errors

    def require_ok(self) -> Catalog:
        """Return self, or raise ContentInvalid listing every error."""
        if self.errors:
            raise ContentInvalid(sorted(self.errors))
        return self

    def lessons_for(self, level: Level | str) -> list[Module]:
        """Student lessons written for a school level."""
        return [m for m in self.modules.values() if m.kind == "lesson" and m.levels and Level(level) in m.levels]

    def training_for(self, audience: StaffAudience | str) -> list[Module]:
        """Training modules for principals or staff."""
        wanted = StaffAudience(audience)
        return [m for m in self.modules.values() if m.kind == "training" and m.audiences and wanted in m.audiences]

    def quizzes_for_module(self, module_id: str) -> list[Quiz]:
        """Quizzes that follow a module."""
        return [q for q in self.quizzes.values() if q.module == module_id]

    def content_hash(self, item_id: str) -> str:
        """Content hash of a module or quiz."""
        item = self.modules.get(item_id) or self.quizzes.get(item_id) or self.guides.get(item_id) or self.drills[item_id]
        return item.content_hash

    def guide(self) -> Guide | None:
        """The case guide (the first by id when a tree has several)."""
        return self.guides[sorted(self.guides)[0]] if self.guides else None


def with_fallback(fresh: Catalog, last_good: Catalog) -> Catalog:
    """``fresh``, with every item it lost to an error taken from ``last_good``; ``fresh``'s errors are kept."""
    return Catalog(
        root=fresh.root,
        modules={**last_good.modules, **fresh.modules},
        quizzes={**last_good.quizzes, **fresh.quizzes},
        campaigns={**last_good.campaigns, **fresh.campaigns},
        guides={**last_good.guides, **fresh.guides},
        drills={**last_good.drills, **fresh.drills},
        rosters={**last_good.rosters, **fresh.rosters},
        files={**last_good.files, **fresh.files},
        errors=fresh.errors,
        sources=fresh.sources,
    )
