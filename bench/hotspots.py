"""Summarise a py-spy profile written with NETWORKFEST_BENCH_PROFILE (collapsed stacks).

    .venv/bin/python -m bench.hotspots PROFILE.txt [--top 25] [--match networkfest]

Prints the functions with the most samples on the stack (inclusive) and at the top of
it (self), as shares of all busy samples, so a missed target can name its hot spot.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="", help="only frames containing this text")
    args = parser.parse_args(argv)
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in args.profile.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    print(f"{total} busy samples")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"\n{title}:")
        shown = [(f, n) for f, n in counter.most_common() if args.match in f][: args.top]
        for frame, samples in shown:
            print(f"{100 * samples / max(total, 1):5.1f}%  {frame}")


if __name__ == "__main__":
    main()
