"""What a call cost, from a per-model price table.

Prices are USD per million tokens. The shipped table covers common hosted models; a JSON file
(``price_file`` setting) adds or replaces entries::

    {"my-llama": {"input": 0.2, "output": 0.6}, "gpt-4o": {"input": 2.5, "output": 10, "cached_input": 1.25}}

A model that is in neither gets **no** cost attribute: a missing number is better than a wrong one.
Dated snapshots (``gpt-4o-2024-08-06``) use the price of their base name.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

__all__ = ["Price", "PriceTable", "DEFAULT_PRICES"]

_log = logging.getLogger("pharos.sdk")


@dataclass(frozen=True)
class Price:
    """USD per million tokens; ``cached_input`` defaults to ``input``."""

    input: float
    output: float = 0.0
    cached_input: float | None = None


# USD per 1M tokens, list prices of standard (non-batch) processing.
DEFAULT_PRICES: dict[str, Price] = {
    "gpt-5": Price(1.25, 10.0, 0.125),
    "gpt-5-mini": Price(0.25, 2.0, 0.025),
    "gpt-5-nano": Price(0.05, 0.40, 0.005),
    "gpt-4.1": Price(2.0, 8.0, 0.50),
    "gpt-4.1-mini": Price(0.40, 1.60, 0.10),
    "gpt-4.1-nano": Price(0.10, 0.40, 0.025),
    "gpt-4o": Price(2.50, 10.0, 1.25),
    "gpt-4o-mini": Price(0.15, 0.60, 0.075),
    "o3": Price(2.0, 8.0, 0.50),
    "o4-mini": Price(1.10, 4.40, 0.275),
    "gpt-3.5-turbo": Price(0.50, 1.50),
    "text-embedding-3-small": Price(0.02),
    "text-embedding-3-large": Price(0.13),
    "text-embedding-ada-002": Price(0.10),
}

_SNAPSHOT = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


class PriceTable:
    """Looks up :class:`Price` by model name and turns token counts into USD."""

    def __init__(self, prices: Mapping[str, Price] | None = None) -> None:
        self._prices = dict(DEFAULT_PRICES if prices is None else prices)
        self._resolved: dict[str, Price | None] = {}  # model name as called -> price (None: unknown), memoised

    @classmethod
    def load(cls, path: str | Path | None) -> "PriceTable":
        """Shipped defaults, extended by the JSON file at ``path`` (ignored with a warning if unreadable)."""
        table = cls()
        if path:
            try:
                raw = json.loads(Path(path).read_text())
                for model, entry in raw.items():
                    table._prices[model] = Price(
                        float(entry["input"]), float(entry.get("output", 0.0)),
                        None if entry.get("cached_input") is None else float(entry["cached_input"]),
                    )
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                _log.warning("pharos: ignoring price file %s: %s", path, exc)
        return table

    def price(self, model: str | None) -> Price | None:
        if not model:
            return None
        try:
            return self._resolved[model]
        except KeyError:
            pass
        found = self._prices.get(model)
        if found is None:
            base = _SNAPSHOT.sub("", model)
            if base != model:
                found = self._prices.get(base)
        if len(self._resolved) >= 4096:  # bounded, whatever model names an app invents
            self._resolved.clear()
        self._resolved[model] = found
        return found

    def cost(self, model: str | None, input_tokens: int | None, output_tokens: int | None,
             cached_input_tokens: int | None = None) -> float | None:
        """USD for one call, or None when the model is unknown or no token count is known."""
        price = self.price(model)
        if price is None or (input_tokens is None and output_tokens is None):
            return None
        cached = min(cached_input_tokens or 0, input_tokens or 0)
        cached_price = price.input if price.cached_input is None else price.cached_input
        usd = ((input_tokens or 0) - cached) * price.input + cached * cached_price + (output_tokens or 0) * price.output
        return usd / 1_000_000
