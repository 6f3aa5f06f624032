"""Strict, frozen pydantic models of every content file: modules, quizzes, campaigns, the case guide and drills.

Section and question kinds are `type:`-discriminated unions built from registries, so a new kind is
one class decorated with ``@section_kind`` or ``@question_kind`` placed before the union is built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import weakref
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, StringConstraints, model_validator

from safeclass.domain import Level, StaffAudience

Id = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
NonEmpty = Annotated[StrictStr, StringConstraints(pattern=r"\S")]
Source = Annotated[StrictStr, StringConstraints(pattern=r"\S", max_length=500)]


class Strict(BaseModel):
    """Base of every content model: frozen, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# Pictures in prose would load from wherever their URL points (a tracker, a stranger's server, a data: URL
# that no reviewer can read): pictures come only from `image` sections, whose file must be in lessons/media/.
MARKDOWN_IMAGE = re.compile(r"!\[")  # inline ![a](u), reference ![a][r], collapsed ![a][] and shortcut ![a]
HTML_IMAGE = re.compile(r"<\s*img\b", re.IGNORECASE)
DATA_URL = re.compile(r"(?<![\w.+-])data:[\w.+-]*[/;,]", re.IGNORECASE)
IMAGE_ADVICE = "text may not show pictures: put it in an 'image' section with a file under lessons/media/"


def image_in_text(value: str) -> str | None:
    """What in ``value`` would show a picture (a Markdown or HTML image, a data: URL), quoted; None when nothing."""
    for pattern, what, end in (
        (MARKDOWN_IMAGE, "a Markdown image", ")"),
        (HTML_IMAGE, "an HTML image", ">"),
        (DATA_URL, "a data: URL", ""),
    ):
        match = pattern.search(value)
        if match:
            found = value[match.start() :].split("\n", 1)[0]
            # Up to the closing bracket (or the end of the line); a URL up to where Markdown would end it.
            found = found[: found.find(end) + 1 or len(found)] if end else re.match(r"[^\s)>\"']*", found).group(0)
            shown = found if len(found) <= 60 else found[:60] + "…"  # a data: URL can be kilobytes long
            return f"{what} {shown!r}"
    return None


def _no_pictures(value: str) -> str:
    found = image_in_text(value)
    if found:
        raise ValueError(f"{found}: {IMAGE_ADVICE}")
    return value


Prose = Annotated[NonEmpty, AfterValidator(_no_pictures)]


class Text(Strict):
    """A learner-facing string in Korean and English (Markdown, without pictures)."""

    ko: Prose
    en: Prose

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``ko`` or ``en``), Korean for anything else."""
        return self.en if lang == "en" else self.ko


# --- sections ---------------------------------------------------------------------------------

SECTION_KINDS: dict[str, type[Strict]] = {}


def section_kind(cls: type[Strict]) -> type[Strict]:
    """Register a section model under its ``type`` literal."""
    SECTION_KINDS[cls.model_fields["type"].default] = cls
    return cls


@section_kind
class TextSection(Strict):
    """Markdown prose."""

    type: Literal["text"] = "text"
    title: Text | None = None
    body: Text


@section_kind
class CalloutSection(Strict):
    """A highlighted tip, warning or pointer to help."""

    type: Literal["callout"] = "callout"
    style: Literal["tip", "warning", "help"]
    title: Text | None = None
    body: Text


class CheckChoice(Strict):
    """One answer of an ungraded check, with the feedback shown when it is picked."""

    text: Text
    correct: StrictBool = False
    feedback: Text


@section_kind
class CheckSection(Strict):
    """An ungraded question with instant feedback per choice."""

    type: Literal["check"] = "check"
    id: Id
    question: Text
    choices: tuple[CheckChoice, ...] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _one_correct(self) -> CheckSection:
        if not any(c.correct for c in self.choices):
            raise ValueError("no choice is marked 'correct: true'")
        return self


class ScenarioChoice(Strict):
    """A choice at a decision node: its feedback, points, danger flag and the node it leads to."""

    text: Text
    feedback: Text
    # What the better choice was; the loader requires it on every choice worth less than the best at its node.
    better: Text | None = None
    points: StrictInt = Field(ge=0, le=10)
    critical: StrictBool = False
    next: Id


# How an ending turned out for the person the scenario protects: the debrief must say the same.
Outcome = Literal["safe", "partial", "unsafe"]


class ScenarioNode(Strict):
    """A decision (prompt and choices) or an ending (prompt, debrief and outcome)."""

    id: Id
    prompt: Text
    choices: tuple[ScenarioChoice, ...] | None = Field(default=None, min_length=2, max_length=5)
    debrief: Text | None = None
    outcome: Outcome | None = None

    @model_validator(mode="after")
    def _decision_or_ending(self) -> ScenarioNode:
        if self.choices is None and self.debrief is None:
            raise ValueError("a node needs 'choices' (a decision) or 'debrief' (an ending)")
        if self.choices is not None and self.debrief is not None:
            raise ValueError("a node has either 'choices' or 'debrief', not both")
        if self.debrief is not None and self.outcome is None:
            raise ValueError("an ending needs 'outcome: safe', 'outcome: partial' or 'outcome: unsafe', saying what its debrief says")
        if self.choices is not None and self.outcome is not None:
            raise ValueError("'outcome' belongs on an ending (a node with 'debrief'), not on a decision node with 'choices'")
        return self

    @property
    def is_ending(self) -> bool:
        """Whether the scenario stops here."""
        return self.debrief is not None


@section_kind
class ScenarioSection(Strict):
    """A branching scenario; graph rules (references, reachability, no loops) are checked by the loader."""

    type: Literal["scenario"] = "scenario"
    id: Id
    title: Text
    intro: Text | None = None
    start: Id
    nodes: tuple[ScenarioNode, ...] = Field(min_length=2)

    def node(self, node_id: str) -> ScenarioNode:
        """The node called ``node_id``."""
        return next(n for n in self.nodes if n.id == node_id)


@section_kind
class ActivitySection(Strict):
    """A class, group, pair or individual activity with notes for whoever leads it."""

    type: Literal["activity"] = "activity"
    title: Text
    format: Literal["class", "group", "pair", "individual"]
    minutes: StrictInt = Field(ge=1, le=120)
    instructions: Text
    teacher_notes: Text


@section_kind
class ImageSection(Strict):
    """An illustration from ``lessons/media/`` with required alt text."""

    type: Literal["image"] = "image"
    file: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")]
    alt: Text
    caption: Text | None = None


Section = Annotated[Union[tuple(SECTION_KINDS.values())], Field(discriminator="type")]  # noqa: UP007


# --- modules ----------------------------------------------------------------------------------


class ContentWarning(Strict):
    """Notice shown before a module, with what a student who opts out does instead."""

    notice: Text
    alternative: Text


class Module(Strict):
    """A student lesson or a principal/staff training module."""

    id: Id
    kind: Literal["lesson", "training"]
    levels: tuple[Level, ...] | None = Field(default=None, min_length=1)
    audiences: tuple[StaffAudience, ...] | None = Field(default=None, min_length=1)
    title: Text
    summary: Text
    minutes: StrictInt = Field(ge=5, le=120)
    objectives: tuple[Text, ...] = Field(min_length=1)
    content_warning: ContentWarning | None = None
    as_of: dt.date | None = None
    sources: tuple[Source, ...] = ()
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _audience_matches_kind(self) -> Module:
        if self.kind == "lesson" and (self.levels is None or self.audiences is not None):
            raise ValueError("a lesson names its school 'levels' (elementary, middle, high, youth), not 'audiences'")
        if self.kind == "training" and (self.audiences is None or self.levels is not None):
            raise ValueError("a training module names its 'audiences' (principal, staff), not 'levels'")
        return self

    @property
    def content_hash(self) -> str:
        """SHA-256 of the parsed content: comments and formatting do not change it."""
        return _hash(self)

    def sections_of(self, kind: type[Strict]) -> list:
        """The sections of one kind, in order."""
        return [s for s in self.sections if isinstance(s, kind)]


# --- quizzes ----------------------------------------------------------------------------------

QUESTION_KINDS: dict[str, type[Strict]] = {}


def question_kind(cls: type[Strict]) -> type[Strict]:
    """Register a question model under its ``type`` literal."""
    QUESTION_KINDS[cls.model_fields["type"].default] = cls
    return cls


class QuizChoice(Strict):
    """An answer option of a choice question."""

    text: Text
    correct: StrictBool = False


class _ChoiceQuestion(Strict):
    id: Id
    prompt: Text
    choices: tuple[QuizChoice, ...] = Field(min_length=2, max_length=8)
    explanation: Text

    @property
    def correct_indexes(self) -> frozenset[int]:
        """Positions (as written in the file) of the correct choices."""
        return frozenset(i for i, c in enumerate(self.choices) if c.correct)


@question_kind
class SingleChoiceQuestion(_ChoiceQuestion):
    """Exactly one correct choice."""

    type: Literal["single"] = "single"

    @model_validator(mode="after")
    def _exactly_one(self) -> SingleChoiceQuestion:
        if len(self.correct_indexes) != 1:
            raise ValueError(f"a single-choice question needs exactly one correct choice, found {len(self.correct_indexes)}")
        return self


@question_kind
class MultipleChoiceQuestion(_ChoiceQuestion):
    """One or more correct choices; all must be picked and no wrong one."""

    type: Literal["multiple"] = "multiple"

    @model_validator(mode="after")
    def _at_least_one(self) -> MultipleChoiceQuestion:
        if not self.correct_indexes:
            raise ValueError("a multiple-choice question needs at least one correct choice")
        return self


@question_kind
class TrueFalseQuestion(Strict):
    """A statement that is true or false."""

    type: Literal["true_false"] = "true_false"
    id: Id
    prompt: Text
    answer: StrictBool
    explanation: Text


@question_kind
class OrderingQuestion(Strict):
    """Items written in the correct order, shown shuffled."""

    type: Literal["ordering"] = "ordering"
    id: Id
    prompt: Text
    items: tuple[Text, ...] = Field(min_length=2, max_length=8)
    explanation: Text


Question = Annotated[Union[tuple(QUESTION_KINDS.values())], Field(discriminator="type")]  # noqa: UP007


class Quiz(Strict):
    """A graded quiz: a pool of questions, of which ``draw`` are asked per attempt."""

    id: Id
    title: Text
    module: Id | None = None
    pass_mark: StrictInt = Field(ge=1, le=100)
    draw: StrictInt = Field(ge=1)
    attempts: StrictInt | None = Field(default=None, ge=1)
    shuffle: StrictBool = True
    as_of: dt.date | None = None
    sources: tuple[Source, ...] = ()
    questions: tuple[Question, ...] = Field(min_length=1)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the parsed content."""
        return _hash(self)

    def question(self, question_id: str) -> Question:
        """The question called ``question_id``."""
        return next(q for q in self.questions if q.id == question_id)


# --- campaigns --------------------------------------------------------------------------------


class Period(Strict):
    """Campaign start and end dates (inclusive)."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self


class Assignment(Strict):
    """The modules and quizzes one audience must complete."""

    modules: tuple[Id, ...] = ()
    quizzes: tuple[Id, ...] = ()


class StudentAssignments(Strict):
    """What students complete, by school level."""

    elementary: Assignment | None = None
    middle: Assignment | None = None
    high: Assignment | None = None
    youth: Assignment | None = None

    def for_level(self, level: Level | str) -> Assignment:
        """The assignment for a level (empty when the campaign assigns none)."""
        return getattr(self, str(level)) or Assignment()


class Audiences(Strict):
    """Assignments per audience."""

    students: StudentAssignments = StudentAssignments()
    principal: Assignment = Assignment()
    staff: Assignment = Assignment()


class Target(Strict):
    """A dated goal, for example 100% of principals certified by 30 June, or half the sites drilled by December."""

    audience: Literal["students", "principal", "staff", "sites"]
    metric: Literal["started", "completed", "certified", "drilled"]
    percent: StrictInt = Field(ge=1, le=100)
    by: dt.date
    label: Text | None = None

    @model_validator(mode="after")
    def _drills_are_counted_per_site(self) -> Target:
        # A drill is run by a site's principal with their staff: the share of sites that ran one is what counts.
        if (self.audience == "sites") != (self.metric == "drilled"):
            raise ValueError("a drill target is 'audience: sites, metric: drilled' (the share of sites that finished a drill)")
        return self


class HelpEntry(Strict):
    """A service in the help directory; lessons refer to it as ``{help:key}``."""

    name: Text
    phone: StrictStr | None = None
    text: StrictStr | None = None
    web: StrictStr | None = None
    hours: Text
    does: Text


class Campaign(Strict):
    """A campaign: audiences and assignments, targets, the help directory, privacy settings."""

    id: Id
    title: Text
    period: Period
    audiences: Audiences
    targets: tuple[Target, ...] = ()
    help: dict[Id, HelpEntry] = Field(min_length=1)
    k: StrictInt = Field(ge=2, le=100, description="cells counting fewer than k students are suppressed")
    retention_days: StrictInt = Field(ge=30, le=3650)
    as_of: dt.date | None = None
    sources: tuple[Source, ...] = ()

    @property
    def content_hash(self) -> str:
        """SHA-256 of the parsed campaign (the roster is versioned separately)."""
        return _hash(self)


# --- response: the case guide and tabletop drills ----------------------------------------------

# Who does a step of the response: the guide says it, a drill assigns it, the report names owners by it.
ResponseRole = Literal["principal", "reporter", "homeroom", "parent_contact", "evidence_lead", "counselor", "violence_officer"]
RESPONSE_ROLES: tuple[str, ...] = ResponseRole.__args__

# A step cites the reference sheet by section ("facts.md §1E — Busan Office of Education FAQ").
Cite = Annotated[StrictStr, StringConstraints(pattern=r"^facts\.md §\d[A-Z]?\b", max_length=500)]


class GuideStep(Strict):
    """One step of the case guide: who does it, what to do, where to get help, and where the facts come from."""

    id: Id
    title: Text
    who: tuple[ResponseRole, ...] = Field(min_length=1)
    body: Text
    help: tuple[Id, ...] = ()
    # A step whose omission harms the person the response protects (not reporting, not separating).
    critical: StrictBool = False
    cites: tuple[Cite, ...] = Field(min_length=1)


class GuidePhase(Strict):
    """A stretch of time in the response (the first hour, the first day, the first week) and its steps."""

    id: Id
    title: Text
    steps: tuple[GuideStep, ...] = Field(min_length=1)


class Guide(Strict):
    """The principal's step-by-step case guide; it states facts, so ``as_of`` and ``sources`` are required."""

    id: Id
    kind: Literal["guide"]
    title: Text
    summary: Text
    as_of: dt.date
    sources: tuple[Source, ...] = Field(min_length=1)
    phases: tuple[GuidePhase, ...] = Field(min_length=1)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the parsed content."""
        return _hash(self)

    @property
    def steps(self) -> tuple[GuideStep, ...]:
        """Every step, phase by phase."""
        return tuple(step for phase in self.phases for step in phase.steps)

    def step(self, step_id: str) -> GuideStep | None:
        """The step called ``step_id``, if any."""
        return next((s for s in self.steps if s.id == step_id), None)


class DrillOption(Strict):
    """An option the group can decide at an inject: does it follow the guide, is it dangerous."""

    text: Text
    feedback: Text
    follows_guide: StrictBool = False
    # A dangerous decision (forwarding the material, waiting for the family's consent to report).
    critical: StrictBool = False

    @model_validator(mode="after")
    def _not_both(self) -> DrillOption:
        if self.follows_guide and self.critical:
            raise ValueError("an option that follows the guide cannot be critical")
        return self


class DrillInject(Strict):
    """A turn of the situation, with a timer: the group decides one option, measured against a guide step."""

    id: Id
    title: Text
    situation: Text
    prompt: Text
    lead: ResponseRole
    minutes: StrictInt = Field(ge=1, le=15)
    guide_step: Id
    options: tuple[DrillOption, ...] = Field(min_length=2, max_length=5)
    # The task the after-action report lists, owned by ``lead``, when the group missed the guide here.
    follow_up: Text

    @model_validator(mode="after")
    def _one_follows_guide(self) -> DrillInject:
        if not any(o.follows_guide for o in self.options):
            raise ValueError("no option is marked 'follows_guide: true': the report measures decisions against the guide")
        return self


class Drill(Strict):
    """A tabletop drill: an opening situation that unfolds in timed injects, played by a principal and staff."""

    id: Id
    kind: Literal["drill"]
    title: Text
    summary: Text
    guide: Id
    roles: tuple[ResponseRole, ...] = Field(min_length=1)
    situation: Text
    injects: tuple[DrillInject, ...] = Field(min_length=3)
    debrief: Text
    as_of: dt.date
    sources: tuple[Source, ...] = Field(min_length=1)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the parsed content."""
        return _hash(self)

    @property
    def minutes(self) -> int:
        """The injects' timers added up: how long the drill takes at least."""
        return sum(i.minutes for i in self.injects)


# Content hashes by object: every progress save, quiz page and submission asks for one, and serialising a
# whole module to JSON each time was a tenth of a submission's CPU. The models are frozen, so one object's
# hash never changes; a copy with changes (``model_copy``) is another object and gets its own. Keyed by
# id(), the entry is dropped when its object is, before the id can be reused.
_HASHES: dict[int, str] = {}


def _hash(model: BaseModel) -> str:
    key = id(model)
    known = _HASHES.get(key)
    if known is None:
        known = hashlib.sha256(model.model_dump_json().encode()).hexdigest()
        if key not in _HASHES:
            weakref.finalize(model, _HASHES.pop, key, None)
        _HASHES[key] = known
    return known
