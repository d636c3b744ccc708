"""Write the ``--help`` text of every ``attnlimits`` command to ``docs/_generated/cli/`` at build time.

The user guide includes these files, so each command's page shows the options of the code it documents.
"""

from __future__ import annotations

from pathlib import Path


def _commands(group, prefix=()):
    import click

    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, path)


def write_help(outdir: Path) -> list:
    """One ``NAME.txt`` per command (``sweep-run.txt`` for ``attnlimits sweep run``); return the names."""
    from click.testing import CliRunner

    from attnlimits.cli import app

    outdir.mkdir(parents=True, exist_ok=True)
    runner = CliRunner()
    names = []
    for path, _ in [((), app), *_commands(app)]:
        result = runner.invoke(app, [*path, "--help"], prog_name="attnlimits", terminal_width=100)
        if result.exit_code != 0:
            raise RuntimeError(f"attnlimits {' '.join(path)} --help exited {result.exit_code}: {result.output}")
        name = "-".join(path) or "attnlimits"
        target = outdir / f"{name}.txt"
        if not target.exists() or target.read_text(encoding="utf-8") != result.output:
            target.write_text(result.output, encoding="utf-8")
        names.append(name)
    return names
