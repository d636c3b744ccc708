"""The ``attnlimits`` command line: thin — parse, validate, call, render (tables or JSON); no maths.

Every command that prints results takes ``--json``. Bad input of any kind ends in one line on stderr
naming the parameter, the value and the accepted range, and exit code 2.
"""

from __future__ import annotations

import os
import sys

import click

from .._validation import InputError
from ._common import one_line_warnings
from .attention import attention_command
from .extrapolate import extrapolate_command
from .forecast import forecast_command
from .heat import heat_command
from .keys import keys_command
from .reproduce import reproduce_command
from .schedule import schedule_command
from .simulate import simulate_command
from .tail import tail_command
from .theory import theory_command
from .sweep import sweep_command

__all__ = ["app", "main", "EXIT_INTERNAL"]

#: Exit code of an unexpected exception (a bug): EX_SOFTWARE of sysexits.h.
EXIT_INTERNAL = 70

# click >= 8.2 names it NoArgsIsHelpError; older releases NoArgsIsHelp (absent before 8.1.8)
_NO_ARGS_IS_HELP = tuple(getattr(click.exceptions, n) for n in ("NoArgsIsHelpError", "NoArgsIsHelp")
                         if hasattr(click.exceptions, n))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="attnlimits")
def app():
    """Scaling limits of long-context softmax attention: simulate, predict, reproduce, estimate."""


app.add_command(simulate_command)
app.add_command(theory_command)
app.add_command(sweep_command)
app.add_command(heat_command)
app.add_command(keys_command)
app.add_command(tail_command)
app.add_command(schedule_command)
app.add_command(attention_command)
app.add_command(reproduce_command)
app.add_command(forecast_command)
app.add_command(extrapolate_command)


def main(argv=None) -> None:
    """Entry point of the console script: runs :data:`app`, mapping bad input to exit code 2.

    Warnings print as one line each (``warning: ...``); an unexpected exception — a bug, never bad input,
    which the commands refuse up front — prints one line naming it and exits with code 70 (EX_SOFTWARE),
    never a traceback (set ``ATTNLIMITS_TRACEBACK=1`` to see it)."""
    try:
        with one_line_warnings():
            app.main(args=argv, prog_name="attnlimits", standalone_mode=False)
    except InputError as exc:
        _fail(str(exc), 2)
    except _NO_ARGS_IS_HELP as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(2)
    except click.ClickException as exc:
        _fail(exc.format_message().replace("\n", " "), exc.exit_code)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except MemoryError:
        _fail("out of memory: the request needs more memory than is free; use smaller sizes", EXIT_INTERNAL)
    except Exception as exc:  # a bug: one line, no traceback (the property test asserts it never happens)
        if os.environ.get("ATTNLIMITS_TRACEBACK"):
            raise
        _fail(f"internal error ({type(exc).__name__}: {' '.join(str(exc).split())[:300]}); please report it", EXIT_INTERNAL)
    sys.exit(0)


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)
