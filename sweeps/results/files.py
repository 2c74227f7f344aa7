"""The one way nnsweep writes a file: whole or not at all, never through a link.

Every result file (chunk files, runs.csv, curves, manifest, summary, plots,
report, baselines, gallery pages) is written here: to a temporary file in the
same directory, named with this process's id and a random part, flushed and
fsynced, then renamed over the final name. A reader, a kill or a full disk
never leaves half a file under the final name.

Links: ``os.replace`` replaces a final name that is a symbolic link as a link
(the file it pointed to is untouched), and the temporary file is created with
``O_EXCL | O_NOFOLLOW``. A directory inside the results directory that is a
link (``plots/`` planted as one) is refused rather than removed: it may be the
user's own arrangement, and refusing never touches anything outside.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

TMP_RE = re.compile(r"^\..+\.(\d+)-[0-9a-f]{8}\.tmp$")


class ResultsIOError(OSError):
    """A file could not be written or read: one line naming the path and the cause."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "I/O error"


def _cause(e: OSError) -> str:
    if e.strerror:
        return e.strerror
    return str(e).splitlines()[0] if str(e) else type(e).__name__


def io_error(path: Path | str, what: str, e: OSError) -> ResultsIOError:
    """The project's one-line I/O error for ``e`` met while doing ``what`` at ``path``."""
    if isinstance(e, ResultsIOError):
        return e
    err = ResultsIOError(f"cannot {what} {str(path)!r}: {_cause(e)}")
    err.errno = e.errno
    return err


def check_no_links(path: Path, root: Path | None) -> None:
    """Refuse if a directory between ``root`` (exclusive) and ``path`` is a link."""
    if root is None:
        return
    root, parent = Path(root), Path(path).parent
    try:
        rel = parent.relative_to(root)
    except ValueError:
        return
    here = root
    for part in rel.parts:
        here = here / part
        if here.is_symlink():
            raise ResultsIOError(
                f"cannot write {str(path)!r}: {str(here)!r} is a symbolic link; nnsweep "
                "writes only into real directories inside the results directory: remove the link"
            )


def make_dir(path: Path, root: Path | None = None) -> Path:
    """``mkdir -p`` of ``path``, refusing links below ``root``."""
    path = Path(path)
    check_no_links(path / "x", root)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise io_error(path, "create the directory", e) from None
    return path


def write_with(path: Path, fill: Callable[[Path], None], root: Path | None = None) -> Path:
    """Call ``fill(tmp)`` to write a temporary file, then make it ``path`` atomically."""
    path = Path(path)
    check_no_links(path, root)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666))
        fill(tmp)
        fd = os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise io_error(path, "write", e) from None
        raise
    return path


def write_pieces(path: Path, pieces: Iterable[bytes], root: Path | None = None) -> Path:
    """Write the concatenation of ``pieces`` (read lazily) to ``path`` atomically."""

    def fill(tmp: Path) -> None:
        with open(tmp, "wb") as out:
            for piece in pieces:
                out.write(piece)

    return write_with(path, fill, root)


def write_bytes(path: Path, data: bytes, root: Path | None = None) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return write_pieces(path, [data], root)


def write_text(path: Path, text: str, root: Path | None = None) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_pieces(path, [text.encode("utf-8")], root)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(directory: Path) -> list[Path]:
    """Remove the temporary files of dead processes in ``directory``; return them."""
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        m = TMP_RE.match(entry.name)
        if m and entry.is_file(follow_symlinks=False) and not _alive(int(m.group(1))):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed
