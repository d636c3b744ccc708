"""Write ``claim_figures_quick_seed0.json``: every claim's figures (kind, name, data, caption) from
``attnlimits reproduce --quick --seed 0``, with lists longer than 200 thinned to 200 evenly spaced items (the
figures stay the same shape; the file stays small). Used by ``test_figure_titles.py``.

Run from the repository root, with the store of a quick run to reuse its work units::

    attnlimits reproduce --quick --seed 0 --out /tmp/q
    python tests/report/data/make_claim_figures.py /tmp/q/store.sqlite
"""

import json
import sys
from pathlib import Path

import numpy as np

from attnlimits._json import to_jsonable
from attnlimits.claims import Context, run_claim, select_claims
from attnlimits.sweep._store import UnitStore

LONGEST = 200


def thin(value):
    if isinstance(value, dict):
        return {k: thin(v) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) > LONGEST and not any(isinstance(v, (list, dict)) for v in value):
            idx = np.linspace(0, len(value) - 1, LONGEST).round().astype(int)
            value = [value[i] for i in idx]
        return [thin(v) for v in value]
    return value


def main(store_path):
    store = UnitStore(store_path)
    figures = []
    try:
        for claim in select_claims():
            result = run_claim(claim, Context(quick=True, seed=0, store=store, directory=Path(store_path).parent))
            for fig in result.figures:
                figures.append({"name": fig.name, "kind": fig.kind, "data": thin(to_jsonable(fig.data)),
                                "caption": fig.caption})
    finally:
        store.close()
    out = Path(__file__).with_name("claim_figures_quick_seed0.json")
    out.write_text(json.dumps(figures, allow_nan=True), encoding="utf-8")
    print(f"{len(figures)} figures -> {out} ({out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main(sys.argv[1])
