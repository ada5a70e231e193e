"""How a made-up channel grows: attention after each publication, daily gains and losses that add
up exactly to the counts asked for, and integer shares of a total. Pure arithmetic.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from mlprod.sandbox.history_spec import HistorySpec

WEEKDAY_FACTOR = (1.0, 1.05, 1.05, 1.0, 0.95, 0.8, 0.75)  # Monday first


def publication_boost(publish_index: list[int], n_days: int) -> list[float]:
    """Attention is higher for a few days after each publication."""
    boost = [1.0] * n_days
    for index in publish_index:
        for k in range(10):
            if index + k < n_days:
                boost[index + k] += 1.5 * math.exp(-k / 2.5)
    return boost


def subscriber_moves(
    rng: random.Random, spec: HistorySpec, n_days: int, boost: list[float]
) -> tuple[list[int], list[int]]:
    """Daily gains and losses whose difference sums exactly to ``end_count - start_count``."""
    net = spec.end_count - spec.start_count
    churn = round(0.1 * abs(net) + 0.0005 * n_days * (spec.start_count + spec.end_count) / 2)
    lost_total = churn + max(0, -net)
    gained_total = lost_total + net
    gain_weights = [
        (0.6 + 0.8 * i / max(1, n_days - 1))
        * boost[i]
        * WEEKDAY_FACTOR[(spec.start + timedelta(days=i)).weekday()]
        * rng.uniform(0.7, 1.3)
        for i in range(n_days)
    ]
    loss_weights = [rng.uniform(0.5, 1.5) for _ in range(n_days)]
    return apportion(gained_total, gain_weights), apportion(lost_total, loss_weights)


def first_subscribers(
    rng: random.Random, target: int, created: date, n_days: int, boost: list[float]
) -> tuple[list[int], list[int]]:
    """Daily gains and losses from 0 to exactly ``target``, never below 0 on any day."""
    lost_total = round(0.08 * target)
    gained_total = target + lost_total
    gain_weights = [
        (0.2 + 1.8 * (i / max(1, n_days - 1)) ** 1.5)
        * boost[i]
        * WEEKDAY_FACTOR[(created + timedelta(days=i)).weekday()]
        * rng.uniform(0.7, 1.3)
        for i in range(n_days)
    ]
    gained = apportion(gained_total, gain_weights)
    so_far, loss_weights = 0, []
    for day_gained in gained:  # those who leave are among those who came
        so_far += day_gained
        loss_weights.append(so_far * rng.uniform(0.5, 1.5))
    lost = apportion(lost_total, loss_weights)
    subscribers = carried = 0
    for i in range(n_days):  # no day loses more than the channel has: the rest leaves later
        wanted = lost[i] + carried
        lost[i] = min(wanted, subscribers + gained[i])
        carried = wanted - lost[i]
        subscribers += gained[i] - lost[i]
    # on the last day the channel ends at target >= 0, so nothing is left to carry
    return gained, lost


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split the integer ``total`` in proportion to ``weights`` (largest remainders)."""
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum <= 0:
        return [total] + [0] * (len(weights) - 1)
    raw = [total * w / weight_sum for w in weights]
    shares = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda k: raw[k] - shares[k], reverse=True)
    left = total - sum(shares)
    for k in by_remainder[: max(left, 0)]:
        shares[k] += 1
    for k in reversed(by_remainder):  # float rounding can overshoot by one
        if left >= 0:
            break
        if shares[k] > 0:
            shares[k] -= 1
            left += 1
    return shares
