"""docs/curriculum.md for reviewing educators: every module with its objectives, minutes and sources."""

from __future__ import annotations

from safeclass.content.catalog import Catalog
from safeclass.content.models import CheckSection, Module, ScenarioSection
from safeclass.domain import Level, StaffAudience

LEVEL_NAMES = {
    Level.ELEMENTARY: "Elementary (grades 5–6)",
    Level.MIDDLE: "Middle school",
    Level.HIGH: "High school",
    Level.YOUTH: "Youth facilities",
}


def curriculum_markdown(catalog: Catalog) -> str:
    """The curriculum map as Markdown (generated: `python -m safeclass curriculum-doc`)."""
    out = [
        "# Curriculum map",
        "",
        "Generated from the content files by `python -m safeclass curriculum-doc > docs/curriculum.md`; a test keeps it",
        "in step with them. Every legal fact, number and service in the modules traces to `shared/reference/facts.md`;",
        "each module lists the sections of that sheet it relies on. Phone numbers live only in the campaign's help",
        "directory (`campaigns/seoul-2025/campaign.yaml`).",
        "",
    ]
    for level in Level:
        out += [f"## Students — {LEVEL_NAMES[level]}", ""]
        out += _modules(catalog, sorted(catalog.lessons_for(level), key=lambda m: m.id))
    for audience, title in ((StaffAudience.PRINCIPAL, "Principals"), (StaffAudience.STAFF, "Teachers and staff")):
        out += [f"## {title} — response training", ""]
        out += _modules(catalog, sorted(catalog.training_for(audience), key=lambda m: m.id))
    out += _response(catalog)
    out += ["## Quizzes", "", "| quiz | follows | pool | drawn | pass mark | attempts |", "|---|---|---|---|---|---|"]
    for quiz in sorted(catalog.quizzes.values(), key=lambda q: q.id):
        attempts = quiz.attempts if quiz.attempts is not None else "unlimited"
        cells = [
            f"`{quiz.id}` — {quiz.title.en}",
            quiz.module or "all modules",
            len(quiz.questions),
            quiz.draw,
            f"{quiz.pass_mark}%",
            attempts,
        ]
        out.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


def _modules(catalog: Catalog, modules: list[Module]) -> list[str]:
    out = []
    for module in modules:
        scenarios = module.sections_of(ScenarioSection)
        shape = f"{len(module.sections_of(CheckSection))} checks"
        if scenarios:
            nodes = sum(len(s.nodes) for s in scenarios)
            critical = sum(c.critical for s in scenarios for n in s.nodes for c in n.choices or ())
            shape += f"; scenario of {nodes} nodes with {critical} critical choices"
        quizzes = ", ".join(f"`{q.id}`" for q in catalog.quizzes_for_module(module.id)) or "—"
        out += [
            f"### {module.title.en} / {module.title.ko}",
            "",
            f"`{module.id}` · {module.minutes} minutes · {shape} · quiz: {quizzes}"
            + (" · content warning with an opt-out activity" if module.content_warning else ""),
            "",
            "Objectives:",
            *(f"- {o.en} / {o.ko}" for o in module.objectives),
            "",
            f"Sources (as of {module.as_of}):" if module.as_of else "Sources:",
            *(f"- {s}" for s in module.sources),
            "",
        ]
    return out


def _response(catalog: Catalog) -> list[str]:
    """The case guide's steps and the drills' injects, each with the guide step it is measured against."""
    out: list[str] = []
    for guide in sorted(catalog.guides.values(), key=lambda g: g.id):
        out += [f"## Case guide — {guide.title.en} / {guide.title.ko}", "", f"`{guide.id}` · facts as of {guide.as_of}", ""]
        for phase in guide.phases:
            out += [f"### {phase.title.en} / {phase.title.ko}", ""]
            for step in phase.steps:
                flag = " · **critical**" if step.critical else ""
                out.append(f"- `{step.id}` {step.title.en} / {step.title.ko} — {', '.join(step.who)}{flag} ({'; '.join(step.cites)})")
            out.append("")
    for drill in sorted(catalog.drills.values(), key=lambda d: d.id):
        critical = sum(o.critical for i in drill.injects for o in i.options)
        out += [
            f"## Drill — {drill.title.en} / {drill.title.ko}",
            "",
            f"`{drill.id}` · {len(drill.injects)} injects · at least {drill.minutes} minutes · {critical} critical options · "
            f"roles: {', '.join(drill.roles)}",
            "",
            *(
                f"{n}. {i.title.en} / {i.title.ko} — led by {i.lead}, {i.minutes} min, against `{i.guide_step}`"
                for n, i in enumerate(drill.injects, 1)
            ),
            "",
            f"Sources (as of {drill.as_of}):",
            *(f"- {s}" for s in drill.sources),
            "",
        ]
    return out
