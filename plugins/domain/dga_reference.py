#!/usr/bin/env python3
"""Independent implementation of the domain analyzer's entropy and
DGA-likeness score (domain_core.c describes the method), for its tests.
Reads the bigram counts from dga_bigrams.h; prints label, entropy, score.

    dga_reference.py dga_bigrams.h google bbc xjpakmdcfuqe ...
"""
import math
import re
import sys
from collections import Counter


def load_counts(path):
    text = open(path, encoding="utf-8").read()
    body = text[text.index("{", text.index("dga_bigram_counts")) :]
    nums = [int(x) for x in re.findall(r"\d+", body)]
    return [nums[i * 28 : (i + 1) * 28] for i in range(28)]


def entropy(label):
    n = len(label)
    return -sum(c / n * math.log2(c / n) for c in Counter(label).values())


def dga(counts, label):
    clamp = lambda x: max(0.0, min(1.0, x))
    sym = lambda c: ord(c) - ord("a") + 1
    logp = lambda a, b: math.log2((counts[a][b] + 1) / (sum(counts[a][1:]) + 27))
    n = len(label)
    total, steps = 0.0, 0
    for run in re.findall(r"[a-z]+", label):
        prev = 0
        for ch in run:
            total += logp(prev, sym(ch))
            steps += 1
            prev = sym(ch)
        total += logp(prev, 27)
        steps += 1
    f_ng = clamp((-total / steps - 4.0) / 2.5) if steps else 0.0
    digits = sum(ch.isdigit() for ch in label)
    alts = sum(
        1
        for a, b in zip(label, label[1:])
        if a != "-" and b != "-" and a.isdigit() != b.isdigit()
    )
    longest = run = 0
    for ch in label:
        run = run + 1 if ch.isalpha() and ch not in "aeiouy" else 0
        longest = max(longest, run)
    score = (
        0.55 * f_ng
        + 0.15 * clamp((longest - 2) / 4)
        + 0.10 * clamp(digits / n / 0.3)
        + 0.10 * (clamp(alts / (n - 1) / 0.4) if n > 1 else 0.0)
        + 0.10 * clamp((n - 8) / 12)
    )
    return score * (n / 6 if n < 6 else 1.0)


if __name__ == "__main__":
    counts = load_counts(sys.argv[1])
    for label in sys.argv[2:]:
        print(f"{label} {entropy(label)!r} {dga(counts, label)!r}")
