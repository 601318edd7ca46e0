"""Time the results engine's roll-up, disclosure control and indices against numpy's bincount.

Run: .venv/bin/python bench/disclosure.py [--units 5000] [--respondents 100000] [--items 40]

Generates in memory (numpy, fixed seed) a tree of --units units over 4–6 levels, respondents
attached to units (about half at the leaves), and answers 1–5 to --items items with 5 %
skipped. The baseline is the floor for reading the answers: one ``np.bincount`` over the same
answers into per (unit, item, value) histograms. (b) is everything after that: building the
tree, the unit-level and per-item move-up decisions, distributions (k_dist), the published
histograms over the included answers, means and construct/total indices – the whole of
``publication.publish``. Each is the median of --repeat runs. Target: (b) within 10× of the
baseline. Complementary suppression is timed too, for information.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tillit.settings")

import django  # noqa: E402

django.setup()

from tillit.results.disclosure import Thresholds  # noqa: E402
from tillit.results.publication import ItemSpec, publish  # noqa: E402
from tillit.results.statistics import Construct, LinearMap, Scoring, Tree  # noqa: E402


def make_tree(rng: np.random.Generator, n_units: int) -> tuple[list, np.ndarray]:
    """Units over 4–6 levels: level sizes grow roughly geometrically; parents drawn above."""
    shares = np.array([0.0, 0.004, 0.03, 0.12, 0.3, 0.546])
    sizes = np.maximum(1, np.round(shares * (n_units - 1)).astype(int))
    sizes[-1] = n_units - 1 - sizes[1:-1].sum()
    pairs, depth = [("u0", None)], [0]
    previous = [0]
    for level, size in enumerate(sizes[1:], start=1):
        current = []
        for _ in range(size):
            # A few branches stop early, so leaves sit at levels 4, 5 and 6.
            parent = previous[rng.integers(len(previous))]
            pairs.append((f"u{len(pairs)}", f"u{parent}"))
            depth.append(level)
            current.append(len(pairs) - 1)
        previous = current if level < 3 else current + previous[: len(previous) // 4]
    return pairs, np.array(depth)


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    rng = np.random.default_rng(4)
    pairs, depth = make_tree(rng, args.units)
    weights = np.where(depth >= 4, 3.0, 1.0)
    unit_of = rng.choice(len(pairs), size=args.respondents, p=weights / weights.sum())
    answers = rng.integers(1, 6, size=(args.respondents, args.items))
    answered = rng.random((args.respondents, args.items)) >= 0.05
    person, item = np.nonzero(answered)
    value = answers[person, item]
    unit = unit_of[person]
    n_answers = len(value)
    print(
        f"{len(pairs)} units, {int(depth.max()) + 1} levels, {args.respondents} respondents, "
        f"{args.items} items, {n_answers} answers"
    )

    def baseline() -> np.ndarray:
        flat = (unit * args.items + item) * 5 + (value - 1)
        counts = np.bincount(flat, minlength=len(pairs) * args.items * 5)
        return counts.reshape(len(pairs), args.items, 5)

    base_time, histograms = timed(baseline, args.repeat)
    n_direct = np.bincount(unit_of, minlength=len(pairs))
    items = [ItemSpec(f"q{i}") for i in range(args.items)]
    by_item = {spec.id: histograms[:, i] for i, spec in enumerate(items)}
    constructs = tuple(
        Construct(f"c{c}", tuple(f"q{i}" for i in range(c * 8, min(c * 8 + 8, args.items))))
        for c in range((args.items + 7) // 8)
    )
    scoring = Scoring(constructs, {spec.id: LinearMap(1, 5) for spec in items})
    thresholds = Thresholds()

    def engine(mode: str):
        tree = Tree.from_units(pairs)
        return publish(tree, n_direct, items, by_item, thresholds, scoring=scoring, mode=mode)

    engine_time, result = timed(lambda: engine("move_up"), args.repeat)
    comp_time, comp = timed(lambda: engine("complementary"), args.repeat)

    shown = int(result.units.shown.sum())
    print(f"move-up: {shown} units shown, {int(result.units.left_out[0])} answers left out")
    print(
        f"complementary: {int(comp.units.shown.sum())} units shown, "
        f"{int((comp.units.reason == 'residual_protection').sum())} hidden for protection"
    )
    print(f"baseline  numpy bincount over the answers:            {base_time * 1000:8.1f} ms")
    print(f"(b) roll-up + disclosure + indices (move-up):         {engine_time * 1000:8.1f} ms")
    print(f"    the same with complementary suppression:          {comp_time * 1000:8.1f} ms")
    ratio = engine_time / base_time
    print(f"ratio (b) / baseline: {ratio:.1f}x (target within 10x)")


if __name__ == "__main__":
    main()
