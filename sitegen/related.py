"""Related posts: for each post, the posts sharing the most (and the rarest) tags with it.

Pure, after the tags are grouped. Imports models.
"""

from __future__ import annotations

import heapq
import math
from bisect import insort
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

from sitegen.models import Post

_SMALL_GROUP = 20  # a tag on at most this many posts has them all scored
_MOST_COMBINED = 8  # more common tags than this on one post: every post holding one is scored


def related_posts(posts: tuple[Post, ...], posts_by_tag: dict[str, tuple[Post, ...]],
                  limit: int, only: Iterable[Post] | None = None) -> dict[str, tuple[Post, ...]]:
    """For each post (or each of `only`), the `limit` posts sharing the most tags with it, a tag
    weighing log(1 + posts / posts with the tag); ties go to the newer post.

    Exactly what scoring every post that shares a tag would give, without scoring them all (see
    _Related). Weights are whole numbers, so a score does not depend on the order it was summed in.
    """
    if limit <= 0:
        return {}
    total = len(posts)
    weight = {key: round(1000 * math.log(1 + total / len(group)))
              for key, group in posts_by_tag.items() if group}
    finder = _Related(weight, [frozenset(t.key for t in p.tags) for p in posts], limit)
    index = {id(p): i for i, p in enumerate(posts)}
    return {str(post.source): tuple(posts[i] for i in finder.best(index[id(post)]))
            for post in (posts if only is None else only)}


class _Related:
    """The best-scoring posts for one post at a time. Posts are numbered newest first, so that
    between equal scores the lower number wins.

    A post's tags are taken rarest first. The posts holding a rare tag are few and all scored
    (`partial` adds up the tags taken so far). After each tag, the tags left weigh as much as a
    post not met yet can score; once the posts met beat that, the search stops. A common tag
    (Python is on a third of the posts) is never walked whole: for each combination of the common
    tags left, heaviest first, only the newest posts holding all of it are looked at, until no post
    holding a lighter combination can beat the ones kept. The posts holding two common tags are
    listed once per build; a longer combination's are picked from its two rarest tags' list.
    """

    def __init__(self, weight: dict[str, int], keys: list[frozenset[str]], limit: int) -> None:
        self.weight, self.keys, self.limit = weight, keys, limit
        groups: dict[str, list[int]] = defaultdict(list)
        for number, held in enumerate(keys):
            for key in held:
                groups[key].append(number)
        self.groups = groups
        self.order = {key: (len(group), key) for key, group in groups.items()}  # rarest first
        common = {key for key, group in groups.items() if len(group) > _SMALL_GROUP}
        pairs: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for number, held in enumerate(keys):
            if len(mine := common.intersection(held)) > 1:
                for pair in combinations(sorted(mine, key=self.order.__getitem__), 2):
                    pairs[pair].append(number)
        self.pairs = pairs

    def best(self, post: int) -> list[int]:
        weight, limit = self.weight, self.limit
        keys = sorted(self.keys[post], key=self.order.__getitem__)
        left = sum(weight[k] for k in keys)  # the most that a post not met yet can score
        partial: dict[int, int] = {}
        taken = 0
        for key in keys:
            group = self.groups[key]
            if len(group) > _SMALL_GROUP or _kth(partial, limit) > left:
                break
            get, gain = partial.get, weight[key]
            for other in group:
                partial[other] = get(other, 0) + gain
            del partial[post]
            left -= gain
            taken += 1
        rest = keys[taken:]
        floor = _kth(partial, limit) - left  # a post met with less cannot be among the best
        top = heapq.nsmallest(limit, [(-(score + self._score(other, rest)), other)
                                      for other, score in partial.items() if score >= floor])
        if rest and len(self.groups[rest[0]]) > _SMALL_GROUP:  # not stopped by the bound
            self._common(post, rest, partial, top)
        return [other for _, other in top]

    def _score(self, other: int, keys: Iterable[str]) -> int:
        held = self.keys[other]
        return sum(self.weight[k] for k in keys if k in held)

    def _common(self, post: int, rest: list[str], met: dict[int, int],
                top: list[tuple[int, int]]) -> None:
        """Add to `top` (sorted, best first) the posts not met, which share only tags of `rest`
        (common tags, rarest first)."""
        limit = self.limit
        if len(rest) > _MOST_COMBINED:  # too many combinations: score every post holding one
            others = {o for key in rest for o in self.groups[key]}.difference(met, (post,))
            top[:] = heapq.nsmallest(limit, top + [(-self._score(o, rest), o) for o in others])
            return
        combos = sorted(((sum(self.weight[k] for k in combo), combo)
                         for size in range(len(rest), 0, -1) for combo in combinations(rest, size)),
                        key=lambda pair: -pair[0])
        offered = {post}
        for least, combo in combos:  # a post holding `combo` scores at least `least`
            if len(top) == limit and -top[-1][0] > least:
                return
            for other in self._holders(combo):  # newest first
                if len(top) == limit and (-least, other) > top[-1]:
                    break  # an older post holding no more than `combo` cannot get in
                if other in offered or other in met:
                    continue
                offered.add(other)
                entry = (-self._score(other, rest), other)
                if len(top) < limit or entry < top[-1]:
                    insort(top, entry)
                    del top[limit:]

    def _holders(self, combo: tuple[str, ...]) -> Iterable[int]:
        """The posts holding every tag of `combo` (rarest first), newest first."""
        if len(combo) == 1:
            return self.groups[combo[0]]
        first, second, *others = combo
        pair, keys = self.pairs.get((first, second), []), self.keys
        return (o for o in pair if all(k in keys[o] for k in others)) if others else pair


def _kth(scores: dict[int, int], limit: int) -> int:
    """The limit-th highest score, or 0 while there are fewer."""
    return heapq.nlargest(limit, scores.values())[-1] if len(scores) >= limit else 0
