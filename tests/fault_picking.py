"""Choosing which requests a platform fake spoils, shared by the fake Bot API and the fake
puppet: seeded, so a failing fault test replays the same faults on the next run."""

from __future__ import annotations

import random


class SeededFaults:
    """Mixin for a fault plan with `rate`, `kinds`, `seed` and `injected` fields."""

    rate: float
    kinds: tuple[str, ...]
    seed: int
    injected: list[tuple[str, object]]
    _random: random.Random

    def _seed(self) -> None:
        self._random = random.Random(self.seed)

    def pick(self) -> str | None:
        """A fault kind for this request, or None to let it through."""
        if self._random.random() >= self.rate:
            return None
        return self._random.choice(self.kinds)

    def count(self, kind: str) -> int:
        """How many faults of this kind were injected so far."""
        return sum(1 for k, _ in self.injected if k == kind)
