"""Chinese text similarity for duplicate detection: jieba tokens and the Jaccard index."""

from __future__ import annotations

import logging

import jieba

jieba.setLogLevel(logging.WARNING)

# Particles and filler words that say nothing about the problem itself, and each punctuation
# mark (one by one: jieba gives them as tokens of their own).
STOPWORDS = frozenset(
    "的 了 是 在 有 和 就 都 也 很 我 我们 你 他 她 它 这 那 这个 那个 一个 请 麻烦 一下 "
    "没有 不 吗 呢 吧 啊 已经 还 又 到 把 被 给 让 着 过".split()
) | frozenset("，。！？、；：“”（）,.!?;:()")


def tokens(text: str) -> frozenset[str]:
    return frozenset(t for t in jieba.lcut(text or "") if t.strip() and t not in STOPWORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
