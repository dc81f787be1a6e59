"""What students read: no start-up noise, cells named as Jupyter shows them, formulas offline.

An executed template (through the real grader, and in a plain Jupyter kernel as a student runs it)
holds no CUDA or absl line; no student-facing message names an nbgrader id or a cell number; the
feedback page draws its formulas in headless Chromium with the network off.
"""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader import notebooks
from grader.stage import stage_package

ROOT = Path(__file__).resolve().parents[1]
GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]
CHROMIUM = Path("/usr/bin/chromium")
TEMPLATE = "01_leaky_relu"
NOISE = re.compile(r"cuInit|CUDA|cuda drivers|absl::|cpu_feature_guard|oneDNN|is deprecated|Instructions for updating")

# Every module whose strings a student reads: reasons, verdicts, self-checks, pages.
STUDENT_FACING = sorted({path for name in (
    "grade.py", "prepare.py", "execute.py", "load.py", "notebooks.py", "selfcheck.py", "feedback.py", "checks.py",
    "builds.py", "errors.py", "results.py", "gradescope.py", "release.py", "summary.py",
    "exercises/*/selfcheck.py", "exercises/*/checks.py") for path in (ROOT / "grader").glob(name)})
CELL_NUMBER = re.compile(r"\b[Cc]ells?\s*(\d|\{\}|#|\(s\))|grade_id|nbgrader id")


def _messages(path: Path) -> list[tuple[int, str]]:
    """The module's string literals that are text (they hold a space), f-strings with {} for their values;
    docstrings are for developers and left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    inside_fstrings = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstrings \
                and id(node) not in docstrings:
            text = node.value
        else:
            continue
        if " " in text:
            found.append((node.lineno, text))
    return found


def test_no_student_facing_message_names_a_grade_id_or_a_cell_number():
    assert len(STUDENT_FACING) > 20
    offending = [f"{path.relative_to(ROOT)}:{line}: {text[:100]!r}" for path in STUDENT_FACING
                 for line, text in _messages(path) if CELL_NUMBER.search(text)]
    assert offending == []


def test_cells_are_named_by_the_heading_above_them():
    nb = notebooks.read(notebooks.assignments_dir() / f"{TEMPLATE}.ipynb")
    names = notebooks.cell_names(nb.cells)
    exercise = notebooks.solution_cells(nb)["leaky_relu"][0]
    assert names[exercise] == "the cell of exercise `leaky_relu`"
    assert names[exercise + 1] == 'the second code cell under the heading "Exercise `leaky_relu`"'
    assert names[1].startswith('the first code cell under the heading "Chapter 11')


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The template, as handed out, graded by the real grader."""
    out = tmp_path_factory.mktemp("student-text")
    run = subprocess.run([*GRADER, "grade", str(ROOT / "assignments" / f"{TEMPLATE}.ipynb"), "--out", str(out),
                          "--jobs", "1", "--timeout", "120"], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    return out / TEMPLATE


def _outputs(nb) -> list[str]:
    return [json.dumps(output) for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs]


def test_an_executed_template_shows_no_cuda_or_start_up_noise(graded):
    executed = notebooks.read(graded / f"{TEMPLATE}.executed.ipynb")
    outputs = _outputs(executed)
    assert any("leaky_relu" in o for o in outputs), "the self-check's output is missing"
    assert [o[:200] for o in outputs if NOISE.search(o)] == []
    results = json.loads((graded / "results.json").read_text())
    assert not NOISE.search(json.dumps(results))
    text = (graded / "feedback.html").read_text(encoding="utf-8")
    assert "cuInit" not in text and "CUDA" not in text
    # The stub's error is named by its heading, not by a cell number.
    assert 'the third code cell under the heading "Exercise `leaky_relu`" raised NotImplementedError' \
        in results["output"], results["output"]


def test_a_student_s_own_jupyter_kernel_shows_no_start_up_noise(tmp_path):
    """Jupyter's default kernel shows what C libraries write to stderr in the cell: TensorFlow's
    start-up lines and its cuInit error were there, above the first self-check."""
    from nbclient import NotebookClient
    nb = notebooks.read(notebooks.assignments_dir() / f"{TEMPLATE}.ipynb")
    check = next(i for i, c in enumerate(nb.cells) if c.source.startswith("grader.check("))
    nb.cells = nb.cells[:check + 1]  # the setup, the stub, its self-check (which opens a session)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "CUDA"))}
    env["PYTHONPATH"] = str(stage_package("kernel", tmp_path / "package"))  # the student bundle's package
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=env)  # the kernel's whole environment (jupyter_client)
    outputs = _outputs(nb)
    assert any("not implemented" in o for o in outputs), outputs
    assert [o[:200] for o in outputs if NOISE.search(o) or '"stderr"' in o] == []


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    # No network: every host fails to resolve and every request goes to a closed port.
    return subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
                           f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=180)


def test_the_feedback_page_loads_no_script_or_style_from_the_network(graded):
    html = (graded / "feedback.html").read_text(encoding="utf-8")
    assert re.findall(r"<script\b[^>]*\bsrc=|<link\b[^>]*\bhref=[\"']?https?:", html) == []
    assert not re.search(r"@import|url\(\s*[\"']?https?:", html)
    assert "<math" in html and "$$" not in html


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium "
                                                    "(Debian package `chromium`; .ci/run installs it)")
def test_the_feedback_page_renders_its_formulas_offline(graded, tmp_path):
    dom = _chromium("--dump-dom", (graded / "feedback.html").as_uri(), profile=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Test results for" in dom.stdout
    # The leaky ReLU's formula, max(αz, z), as MathML the browser laid out, not LaTeX left for a script.
    formula = re.search(r"<math\b[^>]*display=\"block\"[^>]*>.*?</math>", dom.stdout, re.S)
    assert formula and "<msub>" in formula.group(0) and "max" in formula.group(0)
    assert "$$" not in dom.stdout and "\\max" not in dom.stdout and "\\alpha" not in dom.stdout
    png = tmp_path / "page.png"
    shot = _chromium(f"--screenshot={png}", "--window-size=1000,2000", (graded / "feedback.html").as_uri(),
                     profile=tmp_path / "profile")
    assert shot.returncode == 0 and png.stat().st_size > 20_000, shot.stderr[-2000:]
