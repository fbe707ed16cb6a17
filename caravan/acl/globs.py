"""Rules keyed by name or glob (`team-*`): exact names win, else the closest glob.

"Closest" is Nomad's measure: the fewest characters the glob's `*`s have to stand
for, i.e. `len(name) - len(glob) + number of *`. Ties go to the glob that sorts
first, so the answer never depends on the order policies were written in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

_MEMO_LIMIT = 1024  # names looked up are user input (`?namespace=`): keep the memo bounded


def glob_pattern(glob: str) -> re.Pattern[str]:
    """`*` matches any run of characters (also none); everything else is literal."""
    return re.compile(".*".join(re.escape(part) for part in glob.split("*")), re.DOTALL)


class GlobTable:
    """Capability sets by exact name or glob. Read-only once built; lookups are memoized."""

    def __init__(self, rules: Mapping[str, frozenset[str]]) -> None:
        self._exact = {name: caps for name, caps in rules.items() if "*" not in name}
        self._globs = sorted((glob, glob_pattern(glob), caps)
                             for glob, caps in rules.items() if "*" in glob)
        self._memo: dict[str, frozenset[str] | None] = {}

    def __bool__(self) -> bool:
        return bool(self._exact or self._globs)

    def has_exact(self, name: str) -> bool:
        return name in self._exact

    def lookup(self, name: str) -> frozenset[str] | None:
        """The capability set that applies to `name`, or None when no rule matches."""
        if name in self._exact:
            return self._exact[name]
        if name in self._memo:
            return self._memo[name]
        found = self._closest_glob(name)
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[name] = found
        return found

    def _closest_glob(self, name: str) -> frozenset[str] | None:
        best: tuple[int, frozenset[str]] | None = None
        for glob, pattern, caps in self._globs:
            if pattern.fullmatch(name):
                difference = len(name) - len(glob) + glob.count("*")
                if best is None or difference < best[0]:
                    best = (difference, caps)
        return best[1] if best else None

    def any_rule(self, test: Callable[[frozenset[str]], bool]) -> bool:
        return any(test(c) for c in self._exact.values()) or any(
            test(c) for _, _, c in self._globs)

    def everywhere(self, capability: str) -> bool:
        """True if `capability` holds in every name: a `*` rule has it and no rule lacks it."""
        star = next((c for g, _, c in self._globs if g == "*"), None)
        return (star is not None and capability in star
                and not self.any_rule(lambda c: capability not in c))
