"""An interchange file and its documents' folder as one ZIP archive.

``cases.zip`` holds ``cases.jsonl`` and ``cases.jsonl.documents/<sha256>``,
exactly the file and folder ``export_cases --output`` writes side by side.
Writing and reading go through temporary files in chunks, so an archive of
any size uses the same memory. Reading accepts only that layout: one
``.jsonl`` file at the top and files named by a SHA-256 in its documents
folder; anything else (another folder, a path with ``..``, a link) is
refused before a byte is extracted.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")


class ArchiveError(ValueError):
    """The archive is not an interchange archive (the message says why)."""


def is_archive(path: str | os.PathLike) -> bool:
    return str(path).lower().endswith(".zip")


def write_archive(target: str | os.PathLike, export, name: str = "") -> object:
    """Export (``export(stream, documents=folder)``) into the ZIP ``target``,
    the JSON Lines file inside called ``name`` (default: the archive's name
    with .jsonl); returns what ``export`` returned."""
    target = Path(target)
    name = name or target.stem + ".jsonl"
    with tempfile.TemporaryDirectory(prefix="msp-export-") as folder:
        jsonl = Path(folder) / name
        documents = Path(folder) / f"{name}.documents"
        with jsonl.open("w", encoding="utf-8", newline="\n") as stream:
            result = export(stream, documents=documents)
        partial = target.with_name(target.name + ".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(jsonl, name)
            for path in sorted(documents.iterdir()) if documents.is_dir() else []:
                # Documents are mostly compressed already (PDF, JPEG, DOCX).
                archive.write(path, f"{name}.documents/{path.name}", zipfile.ZIP_STORED)
        partial.replace(target)
    return result


def _layout(archive: zipfile.ZipFile) -> str:
    """The name of the one JSON Lines file, after checking every member."""
    files = [m for m in archive.infolist() if not m.is_dir()]
    tops = [m.filename for m in files if "/" not in m.filename]
    if len(tops) != 1 or not tops[0].endswith(".jsonl"):
        raise ArchiveError("the archive must hold exactly one .jsonl file at its top")
    folder = f"{tops[0]}.documents/"
    for member in files:
        if member.filename == tops[0]:
            continue
        rest = member.filename.removeprefix(folder)
        is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
        if rest == member.filename or not _SHA256.fullmatch(rest) or is_link:
            raise ArchiveError(
                f"unexpected file {member.filename!r} (only {tops[0]} and "
                f"{folder}<sha256> may be in the archive)"
            )
    return tops[0]


@contextmanager
def import_source(path: str | os.PathLike) -> Iterator[tuple[Path, Path | None]]:
    """(JSON Lines file, documents folder or None) for a stored upload, which
    is either a JSON Lines file or an archive (told apart by its content)."""
    if zipfile.is_zipfile(path):
        with opened_archive(path) as found:
            yield found
    else:
        yield Path(path), None


@contextmanager
def opened_archive(path: str | os.PathLike) -> Iterator[tuple[Path, Path]]:
    """(JSON Lines file, documents folder) extracted to a private temporary
    folder, removed afterwards whatever happens."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"not a ZIP archive ({exc})") from exc
    folder = Path(tempfile.mkdtemp(prefix="msp-import-"))
    try:
        with archive:
            name = _layout(archive)
            for member in archive.infolist():
                if member.is_dir():
                    continue
                target = folder / member.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
        yield folder / name, folder / f"{name}.documents"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
