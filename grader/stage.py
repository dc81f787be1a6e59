"""Stage the part of the grader package that sandboxed processes may see.

Student code runs with a copy of an allowlist of the grader's files on its PYTHONPATH, never
the package itself: the checks, the measurements, the judge and the reference stay outside.
Deny by default: only what the lists below name is copied; a listed file that does not exist
(yet) is skipped.

    stage_package("kernel", dest)   # what notebooks import (grader.check, grader.data, MNIST)
    stage_package("builder", dest)  # + what the builder needs to build the checks' graphs
    stage_package("forks", dest)    # the kernel's + the fork server (grader/zygote.py)
"""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent

# Paths (glob patterns) relative to the grader package.
# (No MNIST file: stage_package writes the sample's public part, without the grading split.)
# What a student installs (the release bundle's package), and what a sandboxed kernel imports.
PUBLIC_FILES: tuple[str, ...] = ("__init__.py", "selfcheck.py", "quiet_import.py", "data.py", "handin.py",
                                 "i18n.py", "exercises/*/selfcheck.py")
KERNEL_FILES: tuple[str, ...] = PUBLIC_FILES + ("nolinks.py",)
BUILDER_FILES: tuple[str, ...] = KERNEL_FILES + ("graphs.py", "builder.py", "recording.py", "exercises/*/model.py",
                                                 "exercises/*/build.py")
# The fork server's sandbox (grader/zygote.py): the kernel's files and the server itself; the builder's
# own modules reach the builder it forks on a descriptor, never as files its kernels could read.
FORKS_FILES: tuple[str, ...] = KERNEL_FILES + ("zygote.py",)
KINDS: dict[str, tuple[str, ...]] = {"public": PUBLIC_FILES, "kernel": KERNEL_FILES, "builder": BUILDER_FILES,
                                     "forks": FORKS_FILES}
# Packages of the staged tree that get an empty __init__.py when the kind has files below them
# but their own __init__.py is not on the list (so that `grader.exercises.<id>.build` imports
# without running the real `grader/exercises/__init__.py`).
EMPTY_INIT_UNDER = "exercises"


def staged_files(kind: str, package: Path = PACKAGE) -> list[Path]:
    """The package's files of `kind`, relative to the package, in a stable order."""
    try:
        patterns = KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown package kind {kind!r} (one of {', '.join(KINDS)})") from None
    found: dict[Path, None] = {}
    for pattern in patterns:
        for path in sorted(package.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                found[path.relative_to(package)] = None
    return list(found)


def _stage_catalogs(target: Path, files: list[Path]) -> None:
    """Each language's messages, compiled (locale/<locale>/LC_MESSAGES/grader.mo), holding only the
    messages that the staged files hold: the whole catalog would carry the hidden checks' words."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    texts = {node.value for relative in files if relative.suffix == ".py"
             for node in ast.walk(ast.parse((PACKAGE / relative).read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    for po in sorted((PACKAGE / "locale").glob("*/LC_MESSAGES/grader.po")):
        with open(po, "rb") as f:
            catalog = read_po(f)
        for message in list(catalog):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            if message.id and not texts.intersection(ids):
                del catalog[message.id]
        mo = target / po.relative_to(PACKAGE).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with open(mo, "wb") as f:
            write_mo(f, catalog)


def stage_package(kind: str, dest: Path) -> Path:
    """Copy the allowlist of `kind` into dest/grader/ and return `dest` (for PYTHONPATH)."""
    dest = Path(dest)
    target = dest / "grader"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    files = staged_files(kind)
    for relative in files:
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE / relative, target / relative)
    for relative in files:  # exercises/ and exercises/<id>/ become (empty) packages
        parts = relative.parts
        if parts[0] != EMPTY_INIT_UNDER:
            continue
        for depth in range(1, len(parts)):
            init = target.joinpath(*parts[:depth], "__init__.py")
            if not init.exists():
                init.write_text("")
    _stage_catalogs(target, files)
    from .data import PUBLIC_SAMPLE, write_public_sample
    write_public_sample(target / "mnist" / PUBLIC_SAMPLE)  # the sample without its grading split
    for path in target.rglob("*"):  # the sandbox binds it read-only anyway
        if path.is_file():
            path.chmod(0o444)
    return dest
