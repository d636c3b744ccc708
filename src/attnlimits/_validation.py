"""The one place where user input is checked.

Every public function validates its arguments through these helpers, so every bad input raises
:class:`InputError` (a ``ValueError``) whose message names the parameter, the value given and the
accepted range, in one line. The CLI turns it into one line on stderr and exit code 2.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["InputError", "check_int", "check_real", "check_choice", "parse_count"]


class InputError(ValueError):
    """A bad input: the message names the parameter, the value and the accepted range."""


def _fail(name: str, value, expected: str) -> InputError:
    return InputError(f"invalid {name}={value!r}: expected {expected}")


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise :class:`InputError` naming ``name`` and the range.

    Integral floats (``1e6``) are accepted; ``True``/``False`` and non-integral numbers are not.
    """
    expected = _int_range(minimum, maximum)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(name, value, expected)
    if isinstance(value, numbers.Integral):
        out = int(value)
    else:
        f = float(value)
        if not math.isfinite(f) or f != math.floor(f):
            raise _fail(name, value, expected)
        out = int(f)
    if (minimum is not None and out < minimum) or (maximum is not None and out > maximum):
        raise _fail(name, value, expected)
    return out


def _int_range(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f"an integer in [{minimum}, {maximum}]"
    if minimum is not None:
        return f"an integer >= {minimum}"
    if maximum is not None:
        return f"an integer <= {maximum}"
    return "an integer"


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


def parse_count(name: str, text: str, *, minimum: int = 1) -> int:
    """Parse a count written as ``1000``, ``1e6`` or ``1_000_000`` exactly (no rounding)."""
    s = str(text).strip().replace("_", "")
    try:
        if "e" in s.lower():
            mant, exp = s.lower().split("e")
            e = int(exp)
            if e < 0:
                raise ValueError
            from decimal import Decimal
            value = Decimal(mant) * (Decimal(10) ** e)
            if value != value.to_integral_value():
                raise ValueError
            out = int(value)
        else:
            out = int(s)
    except (ValueError, ArithmeticError):
        raise _fail(name, text, _int_range(minimum, None)) from None
    return check_int(name, out, minimum=minimum)
