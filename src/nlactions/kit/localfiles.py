"""Local files apps may open (SQLite databases): only under directories the operator allow-listed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

__all__ = ["LocalFileRefused", "vet_local_file"]


class LocalFileRefused(Exception):
    """A local file path outside the allow-listed directories, or not an existing regular file."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def vet_local_file(path: str, allowed: Sequence[Path]) -> Path:
    """The real path of ``path`` (relative ones under the first allowed directory) if it may be opened.

    Symbolic links and ``..`` are resolved before the check, so neither leads outside ``allowed``.
    """
    if not allowed:
        raise LocalFileRefused(
            "This server opens no local database files: its administrator has not allow-listed a directory "
            "(NLACTIONS_SQLITE_APP_DIRS)."
        )
    if not path.strip() or "\x00" in path:
        raise LocalFileRefused("The file path is empty or not valid.")
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = Path(allowed[0]) / candidate
    real = Path(os.path.realpath(candidate))
    roots = [Path(os.path.realpath(directory)) for directory in allowed]
    if not any(real.is_relative_to(root) and real != root for root in roots):
        raise LocalFileRefused(
            f"The file {path!r} is outside the directories this server allows "
            f"({', '.join(str(root) for root in roots)})."
        )
    if not real.is_file():
        raise LocalFileRefused(f"The file {path!r} does not exist (or is not a regular file).")
    return real
