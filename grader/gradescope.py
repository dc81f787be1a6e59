"""The Gradescope autograder bundle: setup.sh, run_autograder, and this project's source.

The instructor uploads it to Gradescope, so it carries what grading needs and students never see:
reference/ (the solutions) and the hidden checks. setup.sh installs the grader editable from it
(`pip install -e`), so the grader finds reference/ beside its own source.

Gradescope unpacks the zip into /autograder/source, runs setup.sh once while it
builds the image, then for every submission copies run_autograder to
/autograder/run_autograder and runs it with the student's files in
/autograder/submission; it reads /autograder/results/results.json, which
`grader grade` already writes in its schema.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SOURCE_PARTS = ("pyproject.toml", "README.md", "grader", "reference", "assignments")
EXCLUDED = {"__pycache__", "tests", ".ipynb_checkpoints"}
VENV = "/opt/ch11-grader"

SETUP_SH = f"""\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
# The bundle is unpacked in /autograder/source: the project's source is in ./source.
set -euo pipefail
here="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
venv={VENV}

# A virtual environment of its own: the system Python of newer images refuses
# `pip install` (PEP 668), and Debian's python3 has no venv or pip until installed.
if ! command -v python3 >/dev/null || ! python3 -m venv "$venv"; then
  rm -rf "$venv"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-pip python3-venv
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --upgrade pip
# Editable: the grader runs from ./source, where it finds reference/ and assignments/ beside
# grader/ (the installable wheel holds no reference solutions, so a plain install could not grade).
"$venv/bin/python" -m pip install -e "$here/source"
ln -sf "$venv/bin/grader" /usr/local/bin/grader
# bubblewrap isolates student code where the container allows namespaces; elsewhere the grader
# falls back to Landlock and says so at the start of each run.
if ! command -v bwrap >/dev/null && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) \
    || echo "setup.sh: note: bubblewrap not installed; student code runs under the Landlock fallback" >&2
fi

# Grade the blank templates once: this computes the reference's numbers into the
# image's cache, so each student's run only trains the student's side. (The English ones:
# assignments/zh/ holds the same code.)
grader grade "$here/source/assignments"/*.ipynb --out /tmp/ch11-grader-warmup >/dev/null \\
  || echo "setup.sh: warning: grading the templates failed; check the install above" >&2
rm -rf /tmp/ch11-grader-warmup
"""

RUN_AUTOGRADER = f"""\
#!/usr/bin/env bash
# Gradescope runs this for every submission. It must leave results/results.json
# behind whatever happens, or the student sees only "the autograder failed".
# AUTOGRADER_ROOT (default /autograder) lets a test run it in a temporary folder;
# GRADER_ARGS adds options to `grader grade`, e.g. GRADER_ARGS="--timeout 120".
set -uo pipefail
root="${{AUTOGRADER_ROOT:-/autograder}}"
graded="$root/results/graded"
results="$root/results/results.json"
log="$root/results/grader.log"
export PATH="{VENV}/bin:$PATH"

mkdir -p "$root/results"
rm -rf "$graded" "$results"
# The submission's name is its folder's, so its results are in graded/submission/.
grader grade "$root/submission" --layout single --out "$graded" ${{GRADER_ARGS:-}} 2>&1 | tee "$log"
status=${{PIPESTATUS[0]}}

if [ -s "$graded/submission/results.json" ]; then
  # Messages as Markdown, the format Gradescope's page renders best (code names in backticks).
  python -c 'import sys; from grader.gradescope import for_gradescope; for_gradescope(*sys.argv[1:])' \\
    "$graded/submission/results.json" "$results" || cp "$graded/submission/results.json" "$results"
  exit 0
fi

# Grading produced nothing: still a valid results.json, scored 0, saying why.
python3 - "$results" "$status" "$log" <<'PY' || \\
  printf '%s\\n' '{{"score": 0, "output": "The grader could not grade this submission; please tell your instructor.", "tests": []}}' > "$results"
import json
import sys

path, status, log = sys.argv[1:]
try:
    with open(log, encoding="utf-8", errors="replace") as f:
        tail = [line.rstrip() for line in f if line.strip()][-10:]
except OSError:
    tail = []
output = (f"The grader could not grade this submission (grader exit status {{status}}), so it scores 0. "
          "Please tell your instructor." + ("\\n\\nLast lines of the grader's output:\\n" + "\\n".join(tail) if tail else ""))
with open(path, "w", encoding="utf-8") as f:
    json.dump({{"score": 0.0, "execution_time": 0.0, "output": output, "tests": []}}, f, indent=2)
    f.write("\\n")
PY
exit 0
"""


# Outside code spans, what Markdown would read as markup in a grader's message: alpha*z, [0.5, 1.0], <op>.
_MARKUP = re.compile(r"([\\`*_\[\]<>#|~])")
_CODE_SPAN = re.compile(r"(`[^`\n]+`)")


def markdown(text: str) -> str:
    """A plain-text message as Markdown that shows the same text: `code spans` kept, every other markup
    character escaped, each line break kept (a single newline would join the lines)."""
    parts = _CODE_SPAN.split(text)
    escaped = "".join(part if i % 2 else _MARKUP.sub(r"\\\1", part) for i, part in enumerate(parts))
    return "\n".join(line.rstrip() + ("  " if line.strip() else "") for line in escaped.split("\n")).rstrip()


def for_gradescope(source: str | Path, target: str | Path) -> None:
    """Copy a results.json for Gradescope's page: its messages as Markdown (output_format "md")."""
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    data["output"] = markdown(str(data.get("output", "")))
    for test in data.get("tests", []):
        test["output"] = markdown(str(test.get("output", "")))
    data["output_format"] = data["test_output_format"] = "md"
    Path(target).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _source_files(source: Path):
    for part in SOURCE_PARTS:
        top = source / part
        if top.is_file():
            yield top
            continue
        for path in sorted(top.rglob("*")):
            relative = path.relative_to(source)
            if path.is_file() and not EXCLUDED.intersection(relative.parts) and path.suffix != ".pyc":
                yield path


def _add(bundle: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    # Fixed timestamps: the same source gives the same zip, byte for byte.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16  # unix mode, regular file
    bundle.writestr(info, data)


def build_bundle(zip_path: Path, source: Path = PROJECT) -> Path:
    """Write the autograder zip: setup.sh, run_autograder, and the project under source/."""
    missing = [p for p in SOURCE_PARTS if not (source / p).exists()]
    if missing:
        raise FileNotFoundError(f"the bundle needs the project's source tree; {source} lacks {', '.join(missing)} "
                                "(build it from a checkout of the grader)")
    zip_path = Path(zip_path)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{zip_path.name}.", dir=zip_path.parent)
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w") as bundle:
            _add(bundle, "setup.sh", SETUP_SH.encode(), executable=True)
            _add(bundle, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
            for path in _source_files(source):
                _add(bundle, f"source/{path.relative_to(source).as_posix()}", path.read_bytes())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the bundle from a course's other staff
        os.replace(tmp, zip_path)
    except BaseException:
        os.unlink(tmp)
        raise
    return zip_path
