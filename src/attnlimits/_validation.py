"""The one place where user input is checked.

Every public function validates its arguments through these helpers, so every bad input raises
:class:`InputError` (a ``ValueError``) whose message names the parameter, the value given and the
accepted range, in one line. The CLI turns it into one line on stderr and exit code 2.

One rule for counts everywhere (CLI, sweep TOML, Python): a count is an integral number written in any
form — ``10000``, ``1e4``, ``10000.0``, ``2.5e1``, ``10_000`` (or the int/float itself); a non-integral one
(``1.5``) is refused. The documented ranges are the constants below (:data:`MAX_D`, :data:`MAX_N`,
:data:`MAX_BETA`, :data:`LAM_RANGE`, :data:`MAX_TOP_K`, :data:`MAX_SEED`) and the memory rule of
:func:`check_memory`; commands and public functions call the named checks (:func:`check_dimension`,
:func:`check_keys`, ...) instead of restating a range.
"""

from __future__ import annotations

import math
import numbers
import os
from decimal import Decimal, InvalidOperation

__all__ = ["InputError", "check_int", "check_real", "check_sinks", "check_choice", "parse_count", "check_dimension", "check_keys",
           "check_beta", "check_lam", "check_seed", "check_top_k", "check_memory", "physical_memory",
           "check_output_path", "check_output_dir", "available_cpus", "cap_workers", "format_bytes",
           "check_kappa", "MAX_D", "MAX_N", "MAX_BETA", "LAM_RANGE", "MAX_TOP_K", "MAX_SEED", "MAX_KAPPA"]

#: Largest dimension d (keys on S^{d−1}).
MAX_D = 4096
#: Largest number of keys n.
MAX_N = 10**18
#: Largest inverse temperature β.
MAX_BETA = 1e30
#: λ = β/β*_n is accepted in this closed interval (the range the theory is guaranteed on).
LAM_RANGE = (1e-6, 1e6)
#: Largest concentration κ of a von Mises–Fisher key law (κ = 1e8 already holds the keys within ~1e−4 rad
#: of the mean direction; beyond, the law's numerics leave float64).
MAX_KAPPA = 1e8
#: Largest number of top weights kept per replicate.
MAX_TOP_K = 10_000
#: Highest harmonic degree the heat dynamics seeds: the off-mode power sums O(ℓ²) harmonics over every
#: particle on S^2, and a lattice of n points resolves degree ℓ only for n ≫ ℓ² (S^2) or ℓ (S^1).
MAX_MODE = 64
#: Seeds are integers in [0, MAX_SEED] (128 bits: every entropy numpy draws for a fresh run is one).
MAX_SEED = 2**128 - 1
#: A request may use at most this fraction of the machine's physical memory.
MEMORY_FRACTION = 0.5


class InputError(ValueError):
    """A bad input: the message names the parameter, the value and the accepted range."""


def _fail(name: str, value, expected: str) -> InputError:
    return InputError(f"invalid {name}={_show(value)}: expected {expected}")


def _show(value) -> str:
    """A value as the user typed it: a plain token (``1.5``, ``1e400``) bare, anything else as its repr."""
    if isinstance(value, str) and value and value.isprintable() and not any(c.isspace() or c in "'\"" for c in value):
        return value if len(value) <= 80 else repr(value[:80] + "…")
    return repr(value)


def _show_int(v: int) -> str:
    """4096 → '4096'; 10**18 → '1e18'; 2**128 − 1 → '2**128 - 1'."""
    s = str(v)
    if v >= 10**6 and s.rstrip("0") == "1":
        return f"1e{len(s) - 1}"
    if v == MAX_SEED:
        return "2**128 - 1"
    return s


def _int_range(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f"an integer in [{_show_int(minimum)}, {_show_int(maximum)}]"
    if minimum is not None:
        return f"an integer >= {_show_int(minimum)}"
    if maximum is not None:
        return f"an integer <= {_show_int(maximum)}"
    return "an integer"


def _integral_text(text: str):
    """The int written in ``text`` (any decimal or float form), None if it is not an exact integer.

    Decimal arithmetic is exact, so ``2.5e1`` is 25 and ``1e18 + 0.5`` is not integral; an absurd
    exponent (``1e999999``) is returned as a float infinity rather than built digit by digit.
    """
    s = text.strip().replace("_", "")
    try:
        dec = Decimal(s)
    except InvalidOperation:
        return None
    if not dec.is_finite():
        return None
    if dec.adjusted() > 60:  # > 1e60: beyond every range here; don't materialise the digits
        return math.inf if dec > 0 else -math.inf
    if dec != dec.to_integral_value():
        return None
    return int(dec)


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise :class:`InputError` naming ``name`` and the range.

    Parameters
    ----------
    name : str
        The parameter's name as the user wrote it (``"n"``, ``"grid.d"``, ``"top-k"``).
    value : int, float or str
        An integral number in any form: ``10000``, ``1e4``, ``10000.0``, ``"2.5e1"``, ``"10_000"``.
        ``True``/``False``, non-integral and non-finite numbers are refused.
    minimum, maximum : int, optional
        Inclusive bounds.

    Returns
    -------
    int
    """
    expected = _int_range(minimum, maximum)
    if isinstance(value, bool):
        raise _fail(name, value, expected)
    if isinstance(value, str):
        out = _integral_text(value)
        if out is None:
            raise _fail(name, value, expected)
    elif isinstance(value, numbers.Integral):
        out = int(value)
    elif isinstance(value, numbers.Real):
        f = float(value)
        if math.isnan(f) or (math.isfinite(f) and f != math.floor(f)):
            raise _fail(name, value, expected)
        out = int(f) if math.isfinite(f) else f
    else:
        raise _fail(name, value, expected)
    if (minimum is not None and out < minimum) or (maximum is not None and out > maximum) or not math.isfinite(out):
        raise _fail(name, value, expected)
    return int(out)


def parse_count(name: str, text, *, minimum: int = 1, maximum: int | None = None) -> int:
    """A count ≥ ``minimum`` written as ``1000``, ``1e6``, ``1000.0``, ``2.5e1`` or ``1_000_000`` (exactly,
    no rounding); the same rule as :func:`check_int`."""
    return check_int(name, text, minimum=minimum, maximum=maximum)


def check_real(name: str, value, *, lower: float | None = None, upper: float | None = None,
               lower_open: bool = False, upper_open: bool = False) -> float:
    """Return ``value`` as a finite float inside the stated interval, or raise :class:`InputError`."""
    lo = "-inf" if lower is None else f"{lower:g}"
    hi = "inf" if upper is None else f"{upper:g}"
    expected = f"a finite number in {'(' if lower_open or lower is None else '['}{lo}, {hi}{')' if upper_open or upper is None else ']'}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(name, value, expected)
    f = float(value)
    if not math.isfinite(f):
        raise _fail(name, value, expected)
    if lower is not None and (f < lower or (lower_open and f == lower)):
        raise _fail(name, value, expected)
    if upper is not None and (f > upper or (upper_open and f == upper)):
        raise _fail(name, value, expected)
    return f


def check_choice(name: str, value, choices) -> str:
    """Return ``value`` if it is one of ``choices``, else raise :class:`InputError` listing them."""
    if value not in choices:
        raise _fail(name, value, "one of " + ", ".join(map(str, choices)))
    return value


# ---------------------------------------------------------------------------- the documented ranges
def check_dimension(d, name: str = "d") -> int:
    """d in [2, :data:`MAX_D`] (keys on S^{d−1})."""
    return check_int(name, d, minimum=2, maximum=MAX_D)


def check_keys(n, name: str = "n", *, minimum: int = 1) -> int:
    """A number of keys (or particles, context length) in [minimum, :data:`MAX_N`]."""
    return check_int(name, n, minimum=minimum, maximum=MAX_N)


def check_beta(beta, name: str = "beta", *, positive: bool = False) -> float:
    """β in [0, :data:`MAX_BETA`] (``positive``: (0, MAX_BETA])."""
    return check_real(name, beta, lower=0.0, upper=MAX_BETA, lower_open=positive)


def check_lam(lam, name: str = "lam") -> float:
    """λ = β/β*_n in :data:`LAM_RANGE`."""
    return check_real(name, lam, lower=LAM_RANGE[0], upper=LAM_RANGE[1])


def check_kappa(kappa, name: str = "kappa") -> float:
    """κ of a von Mises–Fisher law in [0, :data:`MAX_KAPPA`]."""
    return check_real(name, kappa, lower=0.0, upper=MAX_KAPPA)


def check_seed(seed, name: str = "seed"):
    """A seed: None (fresh entropy), an integer in [0, :data:`MAX_SEED`], a non-empty sequence of such integers,
    or a ``numpy.random.SeedSequence`` (returned unchanged).

    Parameters
    ----------
    seed : object
    name : str
        The parameter's name in the error message.

    Returns
    -------
    None, int, list of int or SeedSequence

    Raises
    ------
    InputError
        Anything else (one line). A ``numpy.random.Generator`` is refused: every result records its root
        entropy, which a Generator does not expose (see :mod:`attnlimits._rng`).
    """
    kind = type(seed).__name__
    if seed is None or kind == "SeedSequence":
        return seed
    if kind == "Generator":
        raise InputError(f"invalid {name}=Generator: expected None, an integer in [0, 2**128 - 1] or a SeedSequence "
                         "(a Generator does not expose the entropy every result records; pass the seed it was made from)")
    if isinstance(seed, (list, tuple)):
        if not seed:
            raise InputError(f"invalid {name}=[]: expected a non-empty sequence of integers in [0, 2**128 - 1]")
        return [check_int(name, s, minimum=0, maximum=MAX_SEED) for s in seed]
    return check_int(name, seed, minimum=0, maximum=MAX_SEED)


def check_top_k(k, n: int | None = None, name: str = "top-k") -> int:
    """Top weights kept: k in [1, min(n, :data:`MAX_TOP_K`)] (without n: [1, MAX_TOP_K])."""
    return check_int(name, k, minimum=1, maximum=MAX_TOP_K if n is None else max(1, min(int(n), MAX_TOP_K)))


# ---------------------------------------------------------------------------- memory and CPUs
def format_bytes(nbytes: float) -> str:
    """1536 → '1.5 KiB' (binary units up to EiB, then scientific)."""
    value = float(nbytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if abs(value) < 1024.0 or unit == "EiB":
            return f"{value:.3g} {unit}" if abs(value) < 1e6 else f"{float(nbytes):.3g} B"
        value /= 1024.0
    return f"{float(nbytes):.3g} B"


def physical_memory() -> int:
    """Bytes of physical memory of this machine (``os.sysconf``; 0 where unknown)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 0


def check_memory(what: str, nbytes: float) -> None:
    """Refuse a request whose estimated memory ``nbytes`` exceeds half of the physical memory.

    Parameters
    ----------
    what : str
        The request in the user's words (``"heat n=1e12, d=2"``), named in the message.
    nbytes : float
        The estimate (may be a float: absurd sizes need not fit an int64).
    """
    phys = physical_memory()
    if phys and float(nbytes) > MEMORY_FRACTION * phys:
        raise InputError(f"invalid {what}: needs about {format_bytes(nbytes)} of memory; expected at most half of "
                         f"this machine's {format_bytes(phys)} ({format_bytes(MEMORY_FRACTION * phys)})")


def available_cpus() -> int:
    """CPUs this process may run on (``os.sched_getaffinity``; ``os.cpu_count`` where that is missing)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def cap_workers(workers, name: str = "workers") -> tuple[int, str | None]:
    """(workers capped at :func:`available_cpus`, a note saying so or None); workers must be ≥ 1."""
    w = check_int(name, workers, minimum=1)
    cpus = available_cpus()
    if w > cpus:
        return cpus, f"note: {name}={w} capped at the {cpus} CPUs available to this process"
    return w, None


# ---------------------------------------------------------------------------- output paths
def check_output_path(name: str, path, *, suffixes=None, figure: bool = False) -> str:
    """Check an output file path before any work: its directory exists and is writable, and its suffix is
    one of ``suffixes`` (or, with ``figure``, a format matplotlib can write:
    ``FigureCanvasBase.get_supported_filetypes``). Returns the path as str."""
    p = os.fspath(path)
    if not p or "\x00" in p or p.endswith(os.sep) or os.path.isdir(p):
        raise _fail(name, p, "a file path (not a directory)")
    parent = os.path.dirname(os.path.abspath(p))
    if not os.path.isdir(parent):
        raise _fail(name, p, f"a path in an existing directory ({parent} does not exist)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise _fail(name, p, f"a path in a writable directory ({parent} is not writable)")
    if os.path.exists(p) and not os.access(p, os.W_OK):
        raise _fail(name, p, "a writable file (it exists and is read-only)")
    if figure:
        from matplotlib.backend_bases import FigureCanvasBase  # lazily: only commands that draw get here

        suffixes = sorted(FigureCanvasBase.get_supported_filetypes())
    if suffixes:
        ext = os.path.splitext(p)[1].lower().lstrip(".")
        if ext not in suffixes:
            raise _fail(name, p, "a file name ending in one of " + ", ".join("." + s for s in suffixes))
    return p


def check_output_dir(name: str, path) -> str:
    """Check an output directory before any work: an existing writable directory, or a new one whose
    parent exists and is writable. Returns the path as str."""
    p = os.fspath(path)
    if not p or "\x00" in p:
        raise _fail(name, p, "a directory path")
    if os.path.exists(p):
        if not os.path.isdir(p):
            raise _fail(name, p, "a directory (a file of that name exists)")
        if not os.access(p, os.W_OK | os.X_OK):
            raise _fail(name, p, "a writable directory")
        return p
    parent = os.path.dirname(os.path.abspath(p))
    if not os.path.isdir(parent):
        raise _fail(name, p, f"a directory whose parent exists ({parent} does not exist)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise _fail(name, p, f"a directory in a writable parent ({parent} is not writable)")
    return p


def check_sinks(sinks, name: str = "sinks") -> tuple:
    """The scores of fixed keys (attention sinks, :ref:`theory-sinks`) as a tuple of finite floats, or InputError naming
    ``name``: any real (a score > 1 is above every random key); None or an empty sequence gives ().

    Parameters
    ----------
    sinks : float, sequence of float, array or None
        The scores, in the units of ⟨q,K⟩.
    name : str
        Parameter name for the message.

    Returns
    -------
    tuple of float
        The scores.
    """
    if sinks is None:
        return ()
    if isinstance(sinks, numbers.Real) and not isinstance(sinks, bool):
        sinks = (sinks,)
    if isinstance(sinks, (list, tuple)):
        items = list(sinks)
    else:  # an array's elements, or one value (a string or other object is then refused as a number)
        items = sinks.ravel().tolist() if hasattr(sinks, "ravel") else [sinks]
    out = []
    for v in items:
        try:
            out.append(check_real(name, v))
        except InputError:
            raise InputError(f"invalid {name}={v!r}: expected a finite number (a fixed key's score in the units of "
                             "<q,K>, any real; > 1 is above every random key)") from None
    return tuple(out)
