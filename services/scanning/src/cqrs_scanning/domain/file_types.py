"""The file-type policy: the real type (from content) must match the name and the requirement.

Real types are named by their usual extension (``pdf``, ``docx``, ``jpg``); plain text is
``text`` and may be named ``.txt`` or ``.csv``. Only types whose inside we can check are ever
accepted; an evidence requirement that lists no types accepts all of those.
"""

from __future__ import annotations

from collections.abc import Iterable

from cqrs_scanning.domain import reasons

TEXT = "text"
PROGRAM = "program"

#: Extensions a file of each checkable real type may carry.
NAMES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "docx": frozenset({"docx"}),
    "xlsx": frozenset({"xlsx"}),
    TEXT: frozenset({"txt", "csv"}),
    "jpg": frozenset({"jpg", "jpeg"}),
    "png": frozenset({"png"}),
    "tif": frozenset({"tif", "tiff"}),
    "zip": frozenset({"zip"}),
}
#: Types whose text is searched for patient-identifiable data (images are not read: no OCR).
TEXT_BEARING = frozenset({"pdf", "docx", "xlsx", TEXT})
#: Archive formats: only zip is opened; an archive inside an archive is refused.
ARCHIVES = frozenset(
    {
        "zip",
        "7z",
        "rar",
        "gz",
        "tar",
        "bz2",
        "xz",
        "cab",
        "Z",
        "lz",
        "lz4",
        "lzo",
        "zst",
        "br",
        "ar",
        "deb",
        "rpm",
        "crx",
    }
)
_ALIASES = {"jpeg": "jpg", "tiff": "tif"}
CHECKABLE_NAMES = frozenset(name for names in NAMES.values() for name in names)


def canonical(extension: str) -> str:
    """One spelling per type: ``JPEG`` and ``.jpeg`` become ``jpg``."""
    name = extension.strip().lower().removeprefix(".")
    return _ALIASES.get(name, name)


def extension_of(file_name: str) -> str | None:
    """The declared type of a file name (browsers may send a whole Windows path)."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base.strip("."):
        return None
    return canonical(base.rsplit(".", 1)[-1]) or None


def accepted_types(accepted: Iterable[str]) -> frozenset[str]:
    """The requirement's accepted types that we can check; all checkable ones when none are named."""
    named = {canonical(t) for t in accepted}
    checkable = frozenset(canonical(n) for n in CHECKABLE_NAMES)
    return frozenset(named & checkable) if named else checkable


def describe(real: str) -> str:
    """A real type in a provider's words."""
    return "plain text" if real == TEXT else f"a .{real} file"


def type_reasons(real: str | None, file_name: str, accepted: Iterable[str]) -> list[str]:  # noqa: PLR0911 - one return per rule, in order
    """Why this file's real type is not acceptable under this name and requirement (empty: it is)."""
    allowed = accepted_types(accepted)
    offer = allowed or accepted_types(())
    if real is None:
        return [reasons.unrecognised(offer)]
    if real == PROGRAM:
        return [reasons.program()]
    if real not in NAMES:
        return [reasons.uncheckable(real, offer)]
    declared = extension_of(file_name)
    if declared is None:
        return [reasons.no_extension(min(NAMES[real]) if real == TEXT else real)]
    if declared not in {canonical(n) for n in NAMES[real]}:
        return [reasons.name_mismatch(declared, describe(real))]
    if declared not in allowed:
        return [reasons.not_accepted(declared, offer)]
    return []
