"""Satisfaction surveys, the pure part: how many households are sampled, how they are spread
across buildings, the deadlines' rules and the satisfaction arithmetic (docs/domain.md,
"Satisfaction surveys"). No ORM here; dates and seeds are passed in."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence

ISSUE = "survey.issue"
RETURN = "survey.return"
RESULTS = "survey.results"
LETTER = "survey.letter"
KINDS = (ISSUE, RETURN, RESULTS, LETTER)


def is_older(delivered_on: dt.date | None, today: dt.date, after_years: int) -> bool:
    """Whether an estate delivered on `delivered_on` is older than `after_years` on `today`
    (an estate whose delivery date is not known is not older)."""
    if delivered_on is None:
        return False
    try:
        anniversary = delivered_on.replace(year=delivered_on.year + after_years)
    except ValueError:  # 29 February
        anniversary = delivered_on.replace(year=delivered_on.year + after_years, day=28)
    return today > anniversary


def sample_percent(settings, today: dt.date) -> int:
    """The share of households a survey of the estate reaches (30 %, 15 % once older)."""
    older = is_older(settings.delivered_on, today, settings.survey_older_after_years)
    return settings.survey_sample_percent_older if older else settings.survey_sample_percent


def sample_size(households: int, percent: int) -> int:
    """At least `percent` % of `households`, rounded up (never more than there are)."""
    return min(households, math.ceil(households * percent / 100))


def allocate(sizes: Mapping[object, int], total: int) -> dict[object, int]:
    """How many of `total` come from each building of `sizes` (households per building):
    each building gets its proportional share rounded down, and the households still owed go to
    the buildings with the largest remainders (ties: the larger building, then the key's order).
    So no building is over- or under-sampled by more than one household against its share."""
    households = sum(sizes.values())
    if households == 0 or total <= 0:
        return dict.fromkeys(sizes, 0)
    counts = {}
    remainders = []
    for order, (key, size) in enumerate(sizes.items()):
        exact = total * size / households
        counts[key] = min(size, math.floor(exact))
        remainders.append((-(exact - counts[key]), -size, order, key))
    owed = total - sum(counts.values())
    for *_rank, key in sorted(remainders):
        if owed <= 0:
            break
        if counts[key] < sizes[key]:
            counts[key] += 1
            owed -= 1
    return counts


def draw_sample(
    households: Mapping[object, Sequence[object]], percent: int, seed: int
) -> list[object]:
    """The households (ids, per building key) a survey reaches: `percent` % rounded up, spread
    across buildings by `allocate`, chosen at random inside each building (`seed` makes the draw
    repeatable)."""
    sizes = {key: len(units) for key, units in households.items()}
    counts = allocate(sizes, sample_size(sum(sizes.values()), percent))
    chooser = random.Random(seed)  # noqa: S311  # nosec B311 — a sample, not a secret
    chosen: list[object] = []
    for key, units in households.items():
        chosen.extend(sorted(chooser.sample(list(units), counts[key])))
    return chosen


def returns_needed(sampled: int, percent: int) -> int:
    """Returns that make `percent` % of the sample (rounded up)."""
    return math.ceil(sampled * percent / 100)


def rate(part: int, whole: int):
    """part/whole as a percentage with one decimal; None when nothing was counted."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


def days_rule(days: int) -> dict:
    return {"unit": "days", "amount": int(days)}


def issue_rule(settings) -> dict:
    return days_rule(settings.survey_issue_days)


def return_rule(settings) -> dict:
    return days_rule(settings.survey_return_days)


def results_rule(settings) -> dict:
    return days_rule(settings.survey_results_days)


def letter_rule(settings) -> dict:
    return days_rule(settings.survey_open_letter_days)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def next_forum_due(last_held: dt.date | None, months: int, today: dt.date) -> dt.date:
    """When the next residents' forum is due: `months` after the last one (today without one)."""
    return add_months(last_held, months) if last_held else today
