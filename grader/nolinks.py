"""No symbolic links, named pipes or device nodes made by student code.

The grader writes into a submission's folder while the submission's processes run (the builder's
job, the pretrained models, the kernels' connection files), and a process the student left behind
can plant a link there, between the grader making a folder and writing into it, that points at any
file of the grader's machine; or a named pipe that blocks the grader forever. Every sandboxed
program calls `forbid()` before any student code: a Landlock ruleset that handles only these
rights and grants none of them, so that everything else stays as the sandbox made it. The grader's
own writes there also refuse to follow links (grader/untrusted_folder.py), for machines without
Landlock.

`python -m grader.nolinks MODULE ARGS...` forbids, then runs MODULE as `python -m` would.
"""
from __future__ import annotations

import runpy
import sys

FORBIDDEN_NAMES = ("MAKE_SYM", "MAKE_FIFO", "MAKE_BLOCK", "MAKE_CHAR")


def forbidden_rights():
    """The Landlock rights no sandboxed process gets (None without py-landlock)."""
    try:
        from py_landlock import AccessFs
    except ImportError:
        return None
    rights = AccessFs(0)
    for name in FORBIDDEN_NAMES:
        rights |= AccessFs[name]
    return rights


def forbid() -> str | None:
    """Restrict this process and every process it starts; None, or why it could not be done."""
    rights = forbidden_rights()
    if rights is None:
        return "py-landlock is not installed"
    try:
        import os

        from py_landlock import AccessFs
        from py_landlock.landlock_sys import (PathBeneathAttr, RulesetAttr, add_rule, create_ruleset,
                                              get_abi_version, restrict_self)
        from py_landlock.prctl import set_no_new_privs
        set_no_new_privs()
        # A ruleset refuses moving a file to another folder unless a rule grants it (REFER, ABI 2):
        # granted everywhere, as without the ruleset.
        refer = AccessFs.REFER if int(get_abi_version()) >= 2 else AccessFs(0)
        attr = RulesetAttr()
        attr.handled_access_fs = int(rights | refer)
        ruleset = create_ruleset(attr)
        try:
            if refer:
                root = os.open("/", os.O_PATH | os.O_CLOEXEC)
                try:
                    rule = PathBeneathAttr()
                    rule.allowed_access, rule.parent_fd = int(refer), root
                    add_rule(ruleset, rule)
                finally:
                    os.close(root)
            restrict_self(ruleset, None)
        finally:
            os.close(ruleset)
    except Exception as error:  # noqa: BLE001 - an old kernel: the grader's own writes still hold
        return f"{type(error).__name__}: {error}"
    return None


def main() -> None:
    why = forbid()
    if why:
        print(f"grader.nolinks: links not forbidden ({why})", file=sys.stderr)
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
