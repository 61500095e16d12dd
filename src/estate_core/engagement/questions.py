"""The questions of a questionnaire 问卷 and the answers to them (value objects and their rules).

A question is single choice, multiple choice, a 1–5 scale or free text, required or not. An
answer names its question by position; :func:`check_answers` turns what a resident sent into
the canonical answers of a survey (choices sorted, text trimmed, one answer per question) or
refuses it with a code saying what to fix.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

import attrs

from estate_core.shared.errors import InvalidInput

MAX_QUESTIONS = 100
MAX_OPTIONS = 20
QUESTION_TEXT_MAX = 200
OPTION_TEXT_MAX = 100
ANSWER_TEXT_MAX = 2_000
SCALE = range(1, 6)
"""The 1–5 scale: 1 very dissatisfied 非常不满意 … 5 very satisfied 非常满意."""


class QuestionKind(enum.StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    SCALE = "scale"
    TEXT = "text"


CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})


@attrs.frozen(kw_only=True)
class Question:
    text: str
    kind: QuestionKind
    options: tuple[str, ...] = ()
    required: bool = True


@attrs.frozen(kw_only=True)
class Answer:
    """The answer to question number ``question`` (0-based): ``choices`` (option positions) for
    a choice question, ``score`` for the scale, ``text`` for free text."""

    question: int
    choices: tuple[int, ...] = ()
    score: int | None = None
    text: str = ""


def check_questions(questions: Sequence[Question]) -> tuple[Question, ...]:
    """The questionnaire with its texts trimmed, or ``survey.invalid_question``."""
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise InvalidInput(
            "survey.invalid_question", f"a survey has 1 to {MAX_QUESTIONS} questions"
        )
    checked = []
    for number, question in enumerate(questions, start=1):
        text = question.text.strip()
        if not text or len(text) > QUESTION_TEXT_MAX:
            raise InvalidInput(
                "survey.invalid_question", f"question {number} needs 1 to {QUESTION_TEXT_MAX} chars"
            )
        options = tuple(option.strip() for option in question.options)
        if question.kind in CHOICE_KINDS:
            if not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options):
                raise InvalidInput(
                    "survey.invalid_question",
                    f"question {number} needs 2 to {MAX_OPTIONS} different options",
                )
            if any(not option or len(option) > OPTION_TEXT_MAX for option in options):
                raise InvalidInput(
                    "survey.invalid_question", f"an option of question {number} is empty or long"
                )
        elif options:
            raise InvalidInput(
                "survey.invalid_question", f"question {number} is not a choice: it has no options"
            )
        checked.append(attrs.evolve(question, text=text, options=options))
    return tuple(checked)


def _invalid(number: int, why: str) -> InvalidInput:
    return InvalidInput("survey.invalid_answer", f"question {number}: {why}", question=number)


def _check_answer(question: Question, answer: Answer) -> Answer | None:
    """The canonical answer, or None when a question that is not required was left blank."""
    number = answer.question + 1
    if question.kind in CHOICE_KINDS:
        choices = tuple(sorted(set(answer.choices)))
        if answer.score is not None or answer.text.strip():
            raise _invalid(number, "answer with the options only")
        if len(choices) != len(answer.choices):
            raise _invalid(number, "an option is chosen twice")
        if any(not 0 <= choice < len(question.options) for choice in choices):
            raise _invalid(number, "no such option")
        if question.kind is QuestionKind.SINGLE_CHOICE and len(choices) > 1:
            raise _invalid(number, "choose one option")
        return Answer(question=answer.question, choices=choices) if choices else None
    if question.kind is QuestionKind.SCALE:
        if answer.choices or answer.text.strip():
            raise _invalid(number, "answer with a score from 1 to 5")
        if answer.score is None:
            return None
        if answer.score not in SCALE:
            raise _invalid(number, "a score is 1 to 5")
        return Answer(question=answer.question, score=answer.score)
    text = answer.text.strip()
    if answer.choices or answer.score is not None:
        raise _invalid(number, "answer with text")
    if len(text) > ANSWER_TEXT_MAX:
        raise _invalid(number, f"at most {ANSWER_TEXT_MAX} characters")
    return Answer(question=answer.question, text=text) if text else None


def check_answers(questions: Sequence[Question], answers: Sequence[Answer]) -> tuple[Answer, ...]:
    """One canonical answer per answered question, in question order; every required question
    answered (``survey.answer_required``), nothing else (``survey.invalid_answer``)."""
    by_question: dict[int, Answer] = {}
    for answer in answers:
        if not 0 <= answer.question < len(questions):
            raise InvalidInput("survey.invalid_answer", "no such question")
        if answer.question in by_question:
            raise _invalid(answer.question + 1, "answered twice")
        checked = _check_answer(questions[answer.question], answer)
        if checked is not None:
            by_question[answer.question] = checked
    for index, question in enumerate(questions):
        if question.required and index not in by_question:
            raise InvalidInput(
                "survey.answer_required", f"question {index + 1} is required", question=index + 1
            )
    return tuple(by_question[index] for index in sorted(by_question))
