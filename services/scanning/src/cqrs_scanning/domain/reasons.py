"""Every reason a provider can be given, each saying what was wrong and what to do about it.

Reasons travel in FileScanned and reach providers' screens and emails, so they never quote file
content (an NHS number found is counted and located, never repeated).
"""

from __future__ import annotations

from collections.abc import Iterable

_MB = 1024 * 1024


def _mb(size: int) -> str:
    """A size in megabytes the way people write it: 20 MB, 10.5 MB."""
    return f"{size / _MB:.1f}".removesuffix(".0") + " MB"


def _names(types: Iterable[str]) -> str:
    """File types as a provider reads them: .pdf, .docx or .xlsx."""
    listed = [f".{t}" for t in sorted(set(types))]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1]


def infected(signature: str) -> str:
    """Malware was found."""
    return (
        f"Our anti-malware check found {signature} in this file, so it has been quarantined. "
        "Do not upload it again: ask your IT support to check the computer it came from, "
        "then upload a clean copy of the evidence."
    )


def empty() -> str:
    """Nothing was uploaded."""
    return "The file is empty. Check you chose the right file and upload it again."


def too_large(size: int, limit: int) -> str:
    """Over the size limit."""
    return (
        f"The file is larger than {_mb(limit)}, the largest file we accept (it is at least "
        f"{_mb(size)}). Reduce its size, for example by saving it as PDF or splitting it into "
        "parts, and upload it again."
    )


def program() -> str:
    """An executable, whatever its name says."""
    return (
        "The file is a program (an executable), not a document, whatever its name says. "
        "Programs are never accepted as evidence: upload the document itself."
    )


def unrecognised(accepted: Iterable[str]) -> str:
    """The content matches no type we can check."""
    return (
        "We could not tell what kind of file this is from its content, so we cannot check "
        f"it. Save it as {_names(accepted)} and upload it again."
    )


def uncheckable(real: str, accepted: Iterable[str]) -> str:
    """A known type whose inside we cannot check (old Office formats, other archives)."""
    return (
        f"The file is a .{real} file, which we cannot check for hidden content or patient "
        f"data. Save it as {_names(accepted)} and upload it again."
    )


def no_extension(real: str) -> str:
    """The file name says nothing about its type."""
    return (
        f"The file name has no extension, but its content is a .{real} file. Name it with "
        f"the .{real} extension and upload it again."
    )


def name_mismatch(declared: str, what: str) -> str:
    """The name claims one type, the content is another (a renamed file)."""
    return (
        f"The file is named .{declared} but its content is {what}. Upload the real "
        f".{declared} file, or name this file for what it is if that type is accepted."
    )


def not_accepted(real: str, accepted: Iterable[str]) -> str:
    """A type the evidence requirement does not accept."""
    return (
        f"This evidence accepts {_names(accepted)} files only, and this file is .{real}. "
        "Save it as one of those types and upload it again."
    )


def pid(count: int, first_location: str) -> str:
    """NHS numbers in the content."""
    what = "an NHS number" if count == 1 else f"{count} NHS numbers"
    return (
        f"The file contains {what} (the first in {first_location}). Evidence must not "
        "contain patient-identifiable data: remove every NHS number and any other patient "
        "details, then upload the file again."
    )


def pid_in_name() -> str:
    """An NHS number in the file name."""
    return (
        "The file name contains an NHS number. Evidence must not contain "
        "patient-identifiable data: rename the file without it and upload it again."
    )


def damaged(real: str) -> str:
    """The content claims a type but cannot be opened as one."""
    return (
        f"The .{real} file is damaged or not a real .{real} file, so we could not check "
        "it. Open it, save it again and upload the new copy."
    )


def password_protected(real: str) -> str:
    """Encrypted content cannot be checked."""
    return (
        f"The .{real} file is protected by a password, so we cannot check it. Remove the "
        "password and upload it again."
    )


def macros(real: str) -> str:
    """Office macros are code."""
    return (
        f"The .{real} file contains macros, which are programs. Save it as a file without "
        "macros and upload it again."
    )


def embedded_files(real: str) -> str:
    """Objects embedded in an Office file escape the content checks."""
    return (
        f"The .{real} file has other files embedded in it, which we cannot check. Remove "
        "the embedded objects (upload them separately if they are evidence) and upload it "
        "again."
    )


def nested_archive(entry: str) -> str:
    """An archive inside an archive."""
    return (
        f"The archive contains another archive ({entry}). Archives inside archives are not "
        "accepted: upload the files it holds directly, or in a single .zip file."
    )


def decompression_bomb(entry: str, ratio: int, limit: int) -> str:
    """One entry expands far beyond its stored size."""
    return (
        f"The archive entry {entry} expands {ratio} times its stored size; the most we "
        f"accept is {limit} times. Upload the files it holds directly."
    )


def unpacked_too_large(total: int, limit: int) -> str:
    """The whole archive expands beyond the limit."""
    return (
        f"The archive expands to {_mb(total)}, more than the {_mb(limit)} we accept. "
        "Upload fewer or smaller files."
    )


def too_many_entries(count: int, limit: int) -> str:
    """An archive with too many entries to check."""
    return f"The archive holds {count} files, more than the {limit} we accept. Upload fewer files."


def in_archive(entry: str, reason: str) -> str:
    """A reason about one file inside an archive."""
    return f"In {entry}: {reason}"


def more_problems(count: int) -> str:
    """The tail of a long list of reasons."""
    return f"…and {count} more problems like these. Fix those above and upload the file again."
