"""Rich consoles for the CLI that keep keys and ids whole when the output is piped.

On a terminal Rich wraps to the terminal's width. Piped or redirected, Rich would assume
80 columns and wrap lines or cut table cells (`pbk_S2ov…`); these consoles then neither
wrap lines nor narrow tables, so what a script reads is what was printed.
"""

from __future__ import annotations

from rich.console import Console

# wide enough for any table we print; Rich sizes a table to its content, not to this width
PIPED_WIDTH = 10_000


def cli_console(*, stderr: bool = False) -> Console:
    """Messages (stderr) or results (stdout): the terminal's width, or no wrapping when piped."""
    console = Console(stderr=stderr)
    if console.is_terminal:
        return console
    return Console(stderr=stderr, width=PIPED_WIDTH, soft_wrap=True)
