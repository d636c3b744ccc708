"""The dense NumPy script a researcher writes today: the baseline of the whole-process benchmark (issue 13).

Per sample: K, an n × d float64 matrix of standard normals, normalised row by row (in blocks of at most
5e5 rows); the scores K[:, 0] for the query q = e_1; w = exp(β(s − max s)) / Σ; O = w @ K by BLAS; the
max weight and |O_{2..d}|² (= |P⊥O|², attnlimits' ``tangent_sq``). Prints one JSON object with the means.

    python benchmarks/dense_baseline.py --d 64 --n 1e6 --beta 75 --samples 10 --seed 1
"""

from __future__ import annotations

import argparse
import json

import numpy as np

#: Rows normalised at a time.
ROWS = 500_000


def one_sample(rng: np.random.Generator, n: int, d: int, beta: float) -> tuple[float, float]:
    """(max weight, |O_{2..d}|²) of one query q = e_1 attending to n dense uniform keys."""
    keys = rng.standard_normal((n, d))
    for start in range(0, n, ROWS):
        block = keys[start:start + ROWS]
        block /= np.linalg.norm(block, axis=1, keepdims=True)
    scores = keys[:, 0]
    w = np.exp(beta * (scores - scores.max()))
    w /= w.sum()
    out = w @ keys
    return float(w.max()), float(out[1:] @ out[1:])


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--d", type=int, required=True)
    p.add_argument("--n", type=lambda s: int(float(s)), required=True)
    p.add_argument("--beta", type=float, required=True)
    p.add_argument("--samples", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    rows = np.array([one_sample(rng, args.n, args.d, args.beta) for _ in range(args.samples)])
    print(json.dumps({"d": args.d, "n": args.n, "beta": args.beta, "samples": args.samples,
                      "max_weight": float(rows[:, 0].mean()), "tangent_sq": float(rows[:, 1].mean())}))


if __name__ == "__main__":
    main()
