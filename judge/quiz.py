"""Grade a quiz answers file (TOML) per question, with partial credit.

An answers file is parsed as data (``tomllib``), never run, so a quiz needs no sandbox.
Scoring (docs/authoring.md, "Quizzes"): single, true_false and numeric are all-or-nothing;
multi earns ``points * max(0, (right picks - wrong picks) / number of right choices)``; a
missing or blank answer scores zero; the quiz is accepted only with full marks. Scores are
scaled so that the whole quiz is worth the problem's ``points``.

An answers file is hostile data: every failure to read it (bad TOML, a file nested 50,000
deep, bad UTF-8) is the file's ``compile_error``, scored out of the problem's points.
Obvious forms are read with a warning (``"false"`` as false, ``"3205"`` as 3205, ``" a "``
as ``"A"``); keys that are no question's id are warned about. After grading, a question
that did not get full marks shows as its hint why the option picked is wrong (where the
key's ``why_wrong`` says), the key's answer and its explanation; the rubric stays with the
interviewers. ``judge test`` scores nothing: it checks each answer's form and says how many
questions are answered.
"""

from __future__ import annotations

import math
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judge.problems import Problem, ProblemError
from judge.results import CheckItem, GradeResult, TestResult
from judge.verdicts import Verdict

KINDS = ("single", "multi", "true_false", "numeric")
NO_SANDBOX = {"level": "none", "network": "blocked"}


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    points: float
    choices: tuple[str, ...]
    answer: Any
    tolerance: float
    explanation: str = ""
    why_wrong: tuple[tuple[str, str], ...] = ()
    """(letter, why that option is wrong), from the key's optional ``why_wrong`` table."""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ProblemError(f"{path}: not valid TOML: {type(exc).__name__}: {exc}") from exc


def load_questions(problem: Problem) -> list[Question]:
    """The questions with their key; :class:`ProblemError` naming file and field if broken."""
    questions = _read_toml(problem.questions).get("questions")
    key = _read_toml(problem.answers)
    if not isinstance(questions, list) or not questions:
        raise ProblemError(
            f"{problem.questions}: field 'questions' missing; expected [[questions]]"
        )
    out = []
    for q in questions:
        where = f"{problem.questions}: question {q.get('id', '?')!r}"
        if not isinstance(q.get("id"), str):
            raise ProblemError(f"{where}: field 'id' missing; expected a string")
        if q.get("kind") not in KINDS:
            raise ProblemError(
                f"{where}: field 'kind' = {q.get('kind')!r}; expected one of {KINDS}"
            )
        points = q.get("points")
        if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
            raise ProblemError(f"{where}: field 'points' = {points!r}; expected a positive number")
        choices = tuple(q.get("choices", ()))
        if q["kind"] in ("single", "multi") and not choices:
            raise ProblemError(f"{where}: field 'choices' missing; expected a list of strings")
        entry = key.get(q["id"])
        if not isinstance(entry, dict) or "answer" not in entry:
            raise ProblemError(f"{problem.answers}: [{q['id']}] answer missing")
        out.append(
            Question(
                q["id"],
                q["kind"],
                float(points),
                choices,
                entry["answer"],
                float(entry.get("tolerance", 0.0)),
                str(entry.get("explanation", "")),
                tuple((str(k), str(v)) for k, v in dict(entry.get("why_wrong", {})).items()),
            )
        )
    ids = [q.id for q in out]
    if len(set(ids)) != len(ids):
        raise ProblemError(f"{problem.questions}: duplicate question ids in {ids}")
    return out


def _letter(value: Any, choices: tuple[str, ...]) -> int | None:
    if isinstance(value, str) and len(value) == 1 and "A" <= value <= "Z":
        index = ord(value) - ord("A")
        return index if index < len(choices) else None
    return None


def form_error(q: Question, answer: Any) -> str | None:
    """Why ``answer`` is not a well-formed answer to ``q`` (None if it is, or blank)."""
    if answer is None or answer == "" or answer == []:
        return None
    letters = f"a letter A-{chr(ord('A') + len(q.choices) - 1)}" if q.choices else ""
    if q.kind == "single" and _letter(answer, q.choices) is None:
        return f"expected {letters}, got {answer!r}"
    if q.kind == "multi":
        picks = answer if isinstance(answer, list) else [answer]
        if any(_letter(p, q.choices) is None for p in picks) or len(set(picks)) != len(picks):
            return f"expected a list of distinct letters ({letters}), got {answer!r}"
    if q.kind == "true_false" and not isinstance(answer, bool):
        return f"expected true or false, got {answer!r}"
    if q.kind == "numeric" and (isinstance(answer, bool) or not isinstance(answer, int | float)):
        return f"expected a number, got {answer!r}"
    return None


def normalise(q: Question, answer: Any) -> tuple[Any, str | None]:
    """Read an obvious form of an answer as the right type: ``(answer, warning or None)``.

    ``" a "`` is ``"A"`` for a single choice, ``"A"`` or ``"a, c"`` is ``["A", "C"]`` for a
    multi, ``"false"`` is false, ``"3205"`` is 3205. Anything else is left as it is (and
    :func:`form_error` says what is wrong with it)."""
    if answer is None or answer == "" or answer == []:
        return answer, None
    new = answer
    if q.kind == "single" and isinstance(answer, str):
        new = answer.strip().upper()
    elif q.kind == "multi":
        parts = answer.split(",") if isinstance(answer, str) else answer
        if isinstance(parts, list) and all(isinstance(p, str) for p in parts):
            new = [p.strip().upper() for p in parts if p.strip()]
    elif q.kind == "true_false" and isinstance(answer, str):
        new = {"true": True, "false": False}.get(answer.strip().lower(), answer)
    elif q.kind == "numeric" and isinstance(answer, str):
        try:
            number = float(answer.strip())
        except ValueError:
            number = None
        if number is not None and math.isfinite(number):
            new = int(number) if number.is_integer() and "." not in answer else number
    if new == answer and type(new) is type(answer):
        return answer, None
    return new, f"read {_shown(answer)} as {_shown(new)}; write it that way"


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return f'"{value}"' if isinstance(value, str) else repr(value)


def key_shown(q: Question) -> str:
    """The key's answer as a candidate would write it: ``B``, ``A, C``, ``false``,
    ``0.25 (± 0.01)``."""
    if q.kind == "numeric" and q.tolerance:
        return f"{q.answer:g} (± {q.tolerance:g})"
    if isinstance(q.answer, list):
        return ", ".join(str(a) for a in q.answer)
    return _shown(q.answer).strip('"')


def after_grading(q: Question, answer: Any) -> str:
    """What a candidate reads after a question without full marks: why each option they
    picked is wrong (where the key's ``why_wrong`` says), the key's answer and its
    explanation. Never the rubric (``rubric.md`` is the interviewers')."""
    picked = answer if isinstance(answer, list) else [answer]
    reasons = dict(q.why_wrong)
    lines = [
        f"{p} (your pick): {reasons[p]}" for p in picked if isinstance(p, str) and p in reasons
    ]
    lines.append(f"answer: {key_shown(q)}")
    if q.explanation:
        lines.append(q.explanation)
    return "\n".join(lines)


def score_answer(q: Question, answer: Any) -> tuple[float, str]:
    """Points earned and a message (empty when full marks)."""
    if answer is None or answer == "" or answer == []:
        return 0.0, "no answer"
    problem = form_error(q, answer)
    if problem:
        return 0.0, problem
    if q.kind == "multi":
        picks, right = set(answer if isinstance(answer, list) else [answer]), set(q.answer)
        good, bad = len(picks & right), len(picks - right)
        earned = q.points * max(0.0, (good - bad) / len(right))
        if earned >= q.points:
            return q.points, ""
        return earned, f"{good} of {len(right)} right choices picked, {bad} wrong"
    if q.kind == "numeric":
        ok = abs(answer - q.answer) <= q.tolerance
    elif q.kind == "true_false":
        ok = answer is q.answer
    else:
        ok = answer == q.answer
    return (q.points, "") if ok else (0.0, "not the right answer")


MAX_ANSWERS_BYTES = 1 << 20
"""An answers file is a few lines; anything larger is refused before it is parsed."""


def read_answers(path: Path) -> dict[str, Any]:
    """Parse a candidate's answers file; ValueError (line and column where TOML says) for
    anything that is not a small, valid TOML file: the parser's own failures included
    (``RecursionError`` on deep nesting), so that no answers file can crash the judge."""
    try:
        data = path.read_bytes()
        if len(data) > MAX_ANSWERS_BYTES:
            raise ValueError(f"{len(data)} bytes; an answers file has at most {MAX_ANSWERS_BYTES}")
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path.name}: not valid TOML: {exc}") from exc
    except (RecursionError, MemoryError, OSError) as exc:
        raise ValueError(f"{path.name}: cannot be read as TOML: {type(exc).__name__}") from exc


def grade_quiz(problem: Problem, answers_path: Path, *, tests: str = "hidden") -> GradeResult:
    """Score every question (``hidden``), or only check the answers' form (``public``).

    The public check scores nothing: each question is ``accepted`` when its answer is there
    and well-formed, and the result's :attr:`~judge.results.GradeResult.summary` says how many
    are (``format OK: 5 of 7 answered; missing: q2, q4``). It is accepted, so ``judge test``
    exits 0, only when every question has a well-formed answer."""
    started = time.perf_counter()
    questions = load_questions(problem)
    public = tests == "public"
    result = GradeResult(problem.slug, None, 0.0, 0.0, 0.0, sandbox=dict(NO_SANDBOX))
    result.hidden = not public
    scale = 0.0 if public else problem.points / sum(q.points for q in questions)
    try:
        answers = read_answers(Path(answers_path))
    except ValueError as exc:
        result.tests = [
            TestResult(q.id, str(Verdict.COMPILE_ERROR), 0.0, q.points * scale, str(exc))
            for q in questions
        ]
        if public:
            result.summary = f"cannot be read: {exc}"
    else:
        ids = {q.id for q in questions}
        unknown = sorted(str(k) for k in answers if k not in ids)
        if unknown:
            result.tests.append(
                TestResult(
                    "answers file",
                    str(Verdict.ACCEPTED),
                    0.0,
                    0.0,
                    f"warning: {unknown[:10]} are not question ids (a typo?); they are ignored",
                )
            )
        for q in questions:
            answer, warning = normalise(q, answers.get(q.id))
            note = f" (warning: {warning})" if warning else ""
            if public:
                why = "no answer" if answer in (None, "", []) else form_error(q, answer)
                verdict = Verdict.WRONG_ANSWER if why else Verdict.ACCEPTED
                message = (why or "well-formed") + note
                result.tests.append(TestResult(q.id, str(verdict), 0.0, 0.0, message))
                continue
            earned, message = score_answer(q, answer)
            verdict = Verdict.ACCEPTED if earned >= q.points else Verdict.WRONG_ANSWER
            hint = None if earned >= q.points else after_grading(q, answer)
            points = (earned * scale, q.points * scale)
            result.tests.append(TestResult(q.id, str(verdict), *points, message + note, hint))
        if public:
            result.summary = _form_summary(result.tests, len(questions), unknown)
    result.score = round(sum(t.score for t in result.tests), 9)
    result.max_score = round(sum(t.max_score for t in result.tests), 9)
    failing = [t for t in result.tests if t.verdict != Verdict.ACCEPTED]
    result.verdict = failing[0].verdict if failing else str(Verdict.ACCEPTED)
    result.time_s = time.perf_counter() - started
    return result


def _form_summary(checked: list[TestResult], total: int, unknown: list[str]) -> str:
    """The public check in one line: ``format OK: 5 of 7 answered; missing: q2, q4``, or
    ``format errors in q5; ...`` when an answer is not of its question's type."""
    missing = [t.name for t in checked if t.message.startswith("no answer")]
    malformed = [t.name for t in checked if t.verdict != Verdict.ACCEPTED and t.name not in missing]
    answered = sum(t.verdict == Verdict.ACCEPTED for t in checked if t.name != "answers file")
    if malformed:
        line = f"format errors in {', '.join(malformed)}; {answered} of {total} well-formed"
    else:
        line = f"format OK: {answered} of {total} answered"
    if missing:
        line += f"; missing: {', '.join(missing)}"
    if unknown:
        line += f"; {len(unknown)} unknown key{'s' if len(unknown) > 1 else ''} ignored"
    return line


def key_answers(problem: Problem) -> dict[str, Any]:
    """The answers file the key itself makes (must score full marks)."""
    return {q.id: q.answer for q in load_questions(problem)}


def check_quiz(problem: Problem) -> list[CheckItem]:
    """Key accepted with full marks; the starter and every mistakes/*.toml below it."""
    items = []
    try:
        questions = load_questions(problem)
    except ProblemError as exc:
        return [CheckItem("questions.toml", "valid", False, str(exc))]
    key = _read_toml(problem.answers)
    for q in questions:
        if form_error(q, q.answer) or q.answer in (None, "", []):
            items.append(CheckItem("answers.toml", "well-formed", False, f"[{q.id}]: bad key"))
        items += _why_wrong_checks(q, key.get(q.id, {}).get("why_wrong_zh"))
    total = sum(q.points for q in questions)
    key_score = sum(score_answer(q, q.answer)[0] for q in questions)
    items.append(
        CheckItem("answers.toml", "full marks", key_score >= total, f"{key_score:g}/{total:g}")
    )
    for path in [problem.starter, *problem.mistakes]:
        name = path.relative_to(problem.path).as_posix()
        try:
            answers = read_answers(path)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            items.append(CheckItem(name, "parses", False, str(exc)))
            continue
        earned = sum(score_answer(q, normalise(q, answers.get(q.id))[0])[0] for q in questions)
        items.append(CheckItem(name, "below full marks", earned < total, f"{earned:g}/{total:g}"))
    return items


def _why_wrong_checks(q: Question, zh: Any) -> list[CheckItem]:
    """A key's ``why_wrong`` names wrong options only, and ``why_wrong_zh`` (the site's
    Chinese) the same letters."""
    letters = [letter for letter, _ in q.why_wrong]
    right = q.answer if isinstance(q.answer, list) else [q.answer]
    odd = [x for x in letters if _letter(x, q.choices) is None or x in right]
    items = []
    if odd:
        message = f"[{q.id}]: why_wrong for {odd}, not a wrong option of the question"
        items.append(CheckItem("answers.toml", "why_wrong of wrong options", False, message))
    if letters and (not isinstance(zh, dict) or sorted(zh) != sorted(letters)):
        got = sorted(zh) if isinstance(zh, dict) else zh
        message = f"[{q.id}]: why_wrong_zh has {got!r}, why_wrong {sorted(letters)}"
        items.append(CheckItem("answers.toml", "why_wrong translated", False, message))
    return items


def render_questions(problem: Problem, lang: str = "en") -> str:
    """The questions as plain text for ``judge show`` (never the key)."""
    suffix = "_zh" if lang == "zh" else ""
    lines = []
    for q in _read_toml(problem.questions).get("questions", []):
        text = q.get(f"text{suffix}") or q.get("text", "")
        lines.append(f"\n[{q.get('id')}] ({q.get('kind')}, {q.get('points')} points) {text}")
        choices = q.get(f"choices{suffix}") or q.get("choices") or []
        lines += [f"  {chr(ord('A') + i)}. {c}" for i, c in enumerate(choices)]
    return "\n".join(lines)


PLACEHOLDERS = {
    "single": ('"A"', "one letter"),
    "multi": ('["A", "C"]', "a list of letters"),
    "true_false": ("false", "true or false"),
    "numeric": ("0.0", "a number"),
}


def answers_template(problem: Problem) -> str:
    """The answers file ``judge init`` hands out: one commented, typed line per question.

    A commented line is no answer (``judge test`` lists it as missing); uncommenting it
    gives an answer of the right type, never a string where a bool or a number is wanted."""
    lines = [
        "# One answer per question: remove the '#' in front of a line and put your answer.",
        "# A line left commented out is no answer (it scores zero).",
        "",
    ]
    for q in load_questions(problem):
        value, what = PLACEHOLDERS[q.kind]
        if q.choices:
            what += f", A-{chr(ord('A') + len(q.choices) - 1)}"
        lines.append(f"# {q.id} = {value}  # {q.kind}: {what}")
    return "\n".join(lines) + "\n"
