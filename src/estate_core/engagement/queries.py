"""Read models of the engagement context: a survey's results.

Results per community and per question: how often each option was chosen, the 1–5 scores with
their mean, the free-text answers listed; and the response rate 参与率 of each community,
answered homes / homes with a bound owner (the homes that could have answered).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

import attrs

from estate_core.engagement.ports import EngagementUnitOfWork, SubmittedAnswers
from estate_core.engagement.questions import CHOICE_KINDS, SCALE, Question, QuestionKind
from estate_core.engagement.services.surveys import require_survey_reader
from estate_core.shared.access import Actor

RATE_PLACES = Decimal("0.0001")
MEAN_PLACES = Decimal("0.01")


@attrs.frozen(kw_only=True)
class QuestionResult:
    """``counts``: per option (choice) or per score 1..5 (scale); ``texts``: free text."""

    number: int
    text: str
    kind: QuestionKind
    answered: int
    counts: tuple[int, ...] = ()
    mean: Decimal | None = None
    texts: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class CommunityResult:
    community_id: UUID
    bound_homes: int
    answered_homes: int
    response_rate: Decimal
    questions: tuple[QuestionResult, ...]


@attrs.frozen(kw_only=True)
class SurveyResults:
    survey_id: UUID
    title: str
    communities: tuple[CommunityResult, ...]


def response_rate(answered: int, bound: int) -> Decimal:
    """answered / bound to four places (half up); 0 when no home is bound."""
    if bound <= 0:
        return Decimal(0)
    return (Decimal(answered) / Decimal(bound)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def tally_question(
    number: int, question: Question, submitted: Sequence[SubmittedAnswers]
) -> QuestionResult:
    """One question's result over the homes' answers (question ``number`` is 0-based)."""
    answers = [a for s in submitted for a in s.answers if a.question == number]
    result = QuestionResult(
        number=number, text=question.text, kind=question.kind, answered=len(answers)
    )
    if question.kind in CHOICE_KINDS:
        counts = [0] * len(question.options)
        for answer in answers:
            for choice in answer.choices:
                counts[choice] += 1
        return attrs.evolve(result, counts=tuple(counts))
    if question.kind is QuestionKind.SCALE:
        scores = [a.score for a in answers if a.score is not None]
        mean = None
        if scores:
            mean = (Decimal(sum(scores)) / len(scores)).quantize(MEAN_PLACES, ROUND_HALF_UP)
        return attrs.evolve(result, counts=tuple(scores.count(score) for score in SCALE), mean=mean)
    return attrs.evolve(result, texts=tuple(a.text for a in answers))


def survey_results(uow: EngagementUnitOfWork, actor: Actor, survey_id: UUID) -> SurveyResults:
    with uow:
        survey = uow.surveys.get(survey_id)
        require_survey_reader(actor, survey)
        submitted = uow.survey_responses.submitted(survey_id)
        bound = uow.survey_responses.bound_homes(survey.community_ids)
        communities = []
        for community_id in sorted(survey.community_ids):
            here = [s for s in submitted if s.community_id == community_id]
            communities.append(
                CommunityResult(
                    community_id=community_id,
                    bound_homes=bound.get(community_id, 0),
                    answered_homes=len(here),
                    response_rate=response_rate(len(here), bound.get(community_id, 0)),
                    questions=tuple(
                        tally_question(number, question, here)
                        for number, question in enumerate(survey.questions)
                    ),
                )
            )
        return SurveyResults(
            survey_id=survey.id, title=survey.title, communities=tuple(communities)
        )
