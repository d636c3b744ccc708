"""Run the CLI in-process (no interpreter start per example) and check the one-outcome rule."""

from __future__ import annotations

import contextlib
import io

from attnlimits.cli import main


def run_in_process(argv) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``attnlimits ARGV`` run through :func:`attnlimits.cli.main`."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in argv])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, out.getvalue(), err.getvalue()


def assert_one_outcome(argv, code: int, out: str, err: str, *, may_fail_claims: bool = False) -> None:
    """Exit 0; or 1 only where a claim may fail (reproduce); or 2 with exactly one ``error:`` line on stderr
    (other lines only ``note:``/``warning:``). Never a traceback."""
    where = f"attnlimits {' '.join(map(str, argv))} -> {code}\n{err[-2000:]}"
    assert "Traceback" not in err and "Traceback" not in out, where
    if code == 0 or (code == 1 and may_fail_claims):
        return
    assert code == 2, where
    lines = err.strip().splitlines()
    errors = [ln for ln in lines if ln.startswith("error: ")]
    others = [ln for ln in lines if not ln.startswith(("error: ", "note: ", "warning: "))]
    assert len(errors) == 1 and not others, where
