"""Public text of a listing: contact details found and masked (the board is public inside the
compound; phones are exchanged only inside a confirmed match), and jieba tokens for matching."""

from __future__ import annotations

import logging
import re

_WIDE = str.maketrans(
    "０１２３４５６７８９＋－（）：ＱｑＶｖＷｗＸｘ　", "0123456789+-():QqVvWwXx "
)
_SEP = r"[\s\-.]?"
MOBILE = re.compile(r"(?<!\d)(?:\+?86" + _SEP + r")?1[3-9]\d(?:" + _SEP + r"\d){8}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)\(?0\d{2,3}\)?" + _SEP + r"\d{3,4}" + _SEP + r"\d{4}(?!\d)")
WECHAT = re.compile(
    r"(?:微信|威信|薇信|v信|vx|wx|weixin|wechat|qq|扣扣)号?\s*[:：]?\s*[A-Za-z0-9][-_A-Za-z0-9]{4,19}",
    re.IGNORECASE,
)
MASK = "[联系方式已隐藏]"
PATTERNS = (WECHAT, MOBILE, LANDLINE)


def mask_contacts(text: str) -> tuple[str, bool]:
    """(text with every phone number, landline and WeChat/QQ id replaced, whether any was)."""
    normalized = text.translate(_WIDE)
    found = False
    for pattern in PATTERNS:
        normalized, n = pattern.subn(MASK, normalized)
        found = found or n > 0
    return (normalized if found else text), found


_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]")
STOPWORDS = frozenset(
    "可以 一个 一下 我们 你们 他们 需要 提供 有没有 没有 如果 因为 所以 或者 还是 这个 那个 "
    "什么 哪里 时候 现在 自己 大家 希望 谢谢 联系 欢迎 左右 一些 方便 邻居 小区 本人".split()
)
MAX_TOKENS = 40


def tokens(text: str) -> list[str]:
    """Distinct words of two or more characters (jieba's search mode), lower-cased, without
    common function words: what two listings about the same thing share."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    out: list[str] = []
    seen: set[str] = set()
    for word in jieba.lcut_for_search(text):
        w = word.strip().lower()
        if len(w) < 2 or len(w) > 32 or w in STOPWORDS or w in seen or not _KEEP.search(w):
            continue
        seen.add(w)
        out.append(w)
        if len(out) >= MAX_TOKENS:
            break
    return out
