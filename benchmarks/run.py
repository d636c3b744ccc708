"""Every benchmark of the project in one table: ``python benchmarks/run.py [--quick] [--device cpu|cuda|all]``.

Imports every ``benchmarks/bench_*.py`` and calls its ``rows(device=..., quick=...)``, which returns records
``{"benchmark", "measured", "baseline", "ratio", "target"}`` (ratio = baseline time / our time, > 1 faster,
each baseline measured in the same run). Prints them with the machine they ran on (CPU model, cores, thread
count, numpy/torch versions, GPU), and saves them with ``--json`` (stdout) or ``--out FILE``.

Threads: every row runs with ``--threads`` BLAS/OpenMP/torch threads (default 1), set before numpy is
imported, so numpy and torch compare like for like and a loaded machine does not turn thread hand-offs into
the measurement.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], prog="benchmarks/run.py")
    p.add_argument("--device", choices=["cpu", "cuda", "all"], default="cpu",
                   help="cpu rows, GPU rows (skipped with a message without a GPU), or both")
    p.add_argument("--quick", action="store_true", help="smaller sizes (about 20 s per benchmark file)")
    p.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP/torch threads (default 1)")
    p.add_argument("--only", default=None, help="run only bench_ONLY.py (e.g. engine)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--out", type=Path, default=None, help="also save the JSON record to this file")
    args = p.parse_args(argv)
    if args.threads < 1:
        p.error(f"invalid --threads={args.threads}: expected an integer >= 1")
    return args


def set_threads(threads: int) -> None:
    """Pin BLAS/OpenMP threads (before numpy and torch are imported) and torch's intra-op threads."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)


def machine(threads: int) -> dict:
    """A label of the machine: CPU model, cores, threads used, library versions, GPU where present."""
    import numpy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info = {"cpu": cpu, "cores": cores, "threads": threads, "python": platform.python_version(),
            "numpy": numpy.__version__, "torch": None, "gpu": None}
    try:
        import torch

        info["torch"] = torch.__version__
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return info


def bench_files(only: str | None) -> list[Path]:
    files = sorted(HERE.glob("bench_*.py"))
    if only:
        files = [f for f in files if f.stem == f"bench_{only}"]
        if not files:
            raise SystemExit(f"error: invalid --only={only!r}: expected one of "
                             + ", ".join(f.stem[6:] for f in sorted(HERE.glob('bench_*.py'))))
    return files


def run_file(path: Path, device: str, quick: bool) -> list[dict]:
    """The rows of one benchmark file, each tagged with its area; a failure becomes one row saying so."""
    area = path.stem[len("bench_"):]
    start = time.perf_counter()
    try:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out = list(module.rows(device=device, quick=quick))
    except Exception as exc:  # one broken file must not hide the others
        traceback.print_exc(file=sys.stderr)
        out = [{"benchmark": f"{path.name} failed", "measured": f"error: {type(exc).__name__}: {exc}",
                "baseline": "—", "ratio": None, "target": "—"}]
    seconds = time.perf_counter() - start
    for r in out:
        r.setdefault("area", area)
        r["area"] = area
    print(f"{path.name} ({device}): {len(out)} rows in {seconds:.1f} s", file=sys.stderr)
    return out


def print_table(record: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    m = record["machine"]
    title = (f"attnlimits benchmarks — {m['cpu']}, {m['cores']} cores, {m['threads']} thread(s), "
             f"numpy {m['numpy']}, torch {m['torch'] or 'absent'}, GPU {m['gpu'] or 'none'}"
             + (" (quick)" if record["quick"] else ""))
    table = Table(title=title, show_lines=True)
    for col, justify in (("area", "left"), ("benchmark", "left"), ("measured", "left"), ("baseline", "left"),
                         ("ratio", "right"), ("target", "left")):
        table.add_column(col, justify=justify, overflow="fold")
    for r in record["rows"]:
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.3g}×"
        table.add_row(r["area"], r["benchmark"], r["measured"], r["baseline"], ratio, r["target"])
    Console(width=max(120, Console().width)).print(table)


def main(argv=None) -> int:
    args = parse_args(argv)
    set_threads(args.threads)
    sys.path[:0] = [str(HERE), str(SRC)]
    devices = ["cpu", "cuda"] if args.device == "all" else [args.device]
    rows = [r for device in devices for f in bench_files(args.only) for r in run_file(f, device, args.quick)]
    record = {"machine": machine(args.threads), "quick": args.quick, "device": args.device,
              "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "rows": rows}
    if args.out:
        args.out.write_text(json.dumps(record, indent=1) + "\n")
    if args.json:
        print(json.dumps(record))
    else:
        print_table(record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
