"""Rankings: a weighted score of the rates, with how each score was computed.

Default weights (configurable per snapshot, and in the app's ``FIGURES_WEIGHTS``): completion rate 40, on-time
rate 40, checklist coverage 20. A weight whose figure is not installed is dropped and the others keep their
proportions. score = Σ weight × rate × 100 / Σ weight. A rate with a zero denominator scores 0 and puts the
tenant (or unit) after every one whose rates all exist: "—" ranks last, never first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_WEIGHTS = {"completion_rate": 40, "on_time_rate": 40, "coverage": 20}


def effective_weights(weights: dict[str, float] | None, available: set[str]) -> dict[str, float]:
    """The weights that apply: those of installed rate figures, positive."""
    chosen = weights if weights is not None else DEFAULT_WEIGHTS
    return {k: float(v) for k, v in chosen.items() if k in available and float(v) > 0}


@dataclass
class Ranked:
    key: Any
    name: str
    figures: dict[str, Any]
    score: float | None = None
    rank: int = 0
    missing: list[str] = field(default_factory=list)
    #: [{"figure", "label", "value", "weight", "points"}]: how the score was computed
    detail: list[dict[str, Any]] = field(default_factory=list)

    def explain(self) -> str:
        parts = [f"{d['label']} {_pct(d['value'])} × {d['weight']:g}" for d in self.detail]
        total = sum(d["weight"] for d in self.detail)
        return f"({' + '.join(parts)}) ÷ {total:g} = {self.score:.2f}" if self.score is not None else "—"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def rank(
    rows: list[tuple[Any, str, dict[str, Any]]], weights: dict[str, float], labels: dict[str, str]
) -> list[Ranked]:
    """Score and order (key, name, figures) rows; equal scores share a rank."""
    out = []
    total = sum(weights.values())
    for key, name, figures in rows:
        item = Ranked(key, name, figures)
        points = 0.0
        for figure, weight in weights.items():
            value = figures.get(figure)
            if value is None:
                item.missing.append(figure)
            share = (value or 0.0) * 100 * weight / total
            points += share
            item.detail.append(
                {"figure": figure, "label": labels.get(figure, figure), "value": value, "weight": weight,
                 "points": round(share, 4)}
            )  # fmt: skip
        item.score = round(points, 2) if total else None
        out.append(item)
    out.sort(key=lambda r: (bool(r.missing), -(r.score or 0.0), str(r.name)))
    previous = None
    for position, item in enumerate(out, 1):
        signature = (bool(item.missing), item.score)
        item.rank = previous[1] if previous and previous[0] == signature else position
        previous = (signature, item.rank)
    return out


def commended_and_criticised(ranked: list[Ranked], top_n: int, bottom_n: int) -> tuple[list[Ranked], list[Ranked]]:
    """Top N (only those with every rate) commended; bottom N criticised; nobody is both."""
    bottom = ranked[-bottom_n:] if bottom_n else []
    top = [r for r in ranked[:top_n] if not r.missing and r not in bottom]
    return top, list(reversed(bottom))
