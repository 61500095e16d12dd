"""Property tests of the questionnaire rules: what an answer may be for each kind of question."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagement_builders import GOOD_ANSWERS, QUESTIONS
from estate_core.engagement.questions import (
    Answer,
    Question,
    QuestionKind,
    check_answers,
    check_questions,
)
from estate_core.shared.errors import InvalidInput


def _code(questions: tuple[Question, ...], answers: list[Answer]) -> str:
    with pytest.raises(InvalidInput) as raised:
        check_answers(questions, answers)
    return raised.value.code


def test_full_answers_are_kept_in_question_order() -> None:
    assert check_answers(QUESTIONS, list(reversed(GOOD_ANSWERS))) == GOOD_ANSWERS


def test_optional_questions_may_be_left_blank() -> None:
    answers = [GOOD_ANSWERS[0], GOOD_ANSWERS[1], Answer(question=3, text="   ")]
    assert check_answers(QUESTIONS, answers) == GOOD_ANSWERS[:2]


@given(st.sampled_from([0, 1]))
def test_every_required_question_needs_an_answer(left_out: int) -> None:
    answers = [a for a in GOOD_ANSWERS if a.question != left_out]
    assert _code(QUESTIONS, answers) == "survey.answer_required"


@given(st.integers(-20, 20))
def test_a_score_is_one_to_five(score: int) -> None:
    answers = [Answer(question=0, score=score), GOOD_ANSWERS[1]]
    if 1 <= score <= 5:
        assert check_answers(QUESTIONS, answers)[0].score == score
    else:
        assert _code(QUESTIONS, answers) == "survey.invalid_answer"


@given(st.lists(st.integers(-2, 5), max_size=6))
def test_choices_must_be_options_and_single_choice_takes_one(choices: list[int]) -> None:
    for number, kind_limit in ((1, 1), (2, 4)):
        answers = [
            GOOD_ANSWERS[0],
            GOOD_ANSWERS[1] if number != 1 else Answer(question=1, choices=tuple(choices)),
        ]
        if number == 2:
            answers.append(Answer(question=2, choices=tuple(choices)))
        options = len(QUESTIONS[number].options)
        valid = (
            len(set(choices)) == len(choices)
            and all(0 <= c < options for c in choices)
            and len(choices) <= kind_limit
            and (choices or not QUESTIONS[number].required)
        )
        if valid:
            kept = check_answers(QUESTIONS, answers)
            stored = [a.choices for a in kept if a.question == number]
            assert stored == ([tuple(sorted(choices))] if choices else [])
        else:
            assert _code(QUESTIONS, answers) in {"survey.invalid_answer", "survey.answer_required"}


@given(
    st.sampled_from([0, 1, 2, 3]),
    st.sampled_from(["score", "choices", "text"]),
)
def test_an_answer_of_the_wrong_kind_is_refused(question: int, given_as: str) -> None:
    kind = QUESTIONS[question].kind
    fits = {
        QuestionKind.SCALE: "score",
        QuestionKind.SINGLE_CHOICE: "choices",
        QuestionKind.MULTIPLE_CHOICE: "choices",
        QuestionKind.TEXT: "text",
    }[kind]
    value = {"score": {"score": 3}, "choices": {"choices": (0,)}, "text": {"text": "好"}}[given_as]
    answers = [a for a in GOOD_ANSWERS if a.question != question]
    answers.append(Answer(question=question, **value))  # type: ignore[arg-type]
    if given_as == fits:
        check_answers(QUESTIONS, answers)
    else:
        assert _code(QUESTIONS, answers) == "survey.invalid_answer"


@given(st.integers().filter(lambda n: not 0 <= n < len(QUESTIONS)))
def test_an_answer_to_no_question_is_refused(question: int) -> None:
    answers = [*GOOD_ANSWERS, Answer(question=question, text="x")]
    assert _code(QUESTIONS, answers) == "survey.invalid_answer"


def test_a_question_answered_twice_is_refused() -> None:
    assert _code(QUESTIONS, [*GOOD_ANSWERS, GOOD_ANSWERS[0]]) == "survey.invalid_answer"


@given(st.lists(st.text(min_size=0, max_size=3), min_size=0, max_size=4))
def test_choice_questions_need_two_distinct_options(options: list[str]) -> None:
    question = Question(text="选择", kind=QuestionKind.SINGLE_CHOICE, options=tuple(options))
    stripped = [o.strip() for o in options]
    if len(stripped) >= 2 and len(set(stripped)) == len(stripped) and all(stripped):
        assert check_questions([question])[0].options == tuple(stripped)
    else:
        with pytest.raises(InvalidInput) as raised:
            check_questions([question])
        assert raised.value.code == "survey.invalid_question"


@pytest.mark.parametrize("kind", [QuestionKind.SCALE, QuestionKind.TEXT])
def test_only_choice_questions_have_options(kind: QuestionKind) -> None:
    with pytest.raises(InvalidInput):
        check_questions([Question(text="问题", kind=kind, options=("a", "b"))])


def test_a_questionnaire_has_questions() -> None:
    with pytest.raises(InvalidInput):
        check_questions([])
