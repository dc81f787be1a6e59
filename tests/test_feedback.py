"""The feedback page, built from a real grading run of an example submission, read back as HTML and
opened in a real browser (headless Chromium)."""
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from grader import notebooks
from grader.exercises import EXERCISES as _ALL
from grader.feedback import write_feedback_html
from grader.results import SubmissionResult
from grader.results import TestResult as Check  # not Test*: pytest would try to collect it

EXAMPLE = "bob_update_ops_and_clip_by_norm"  # fails some tests of two exercises, passes the others
EXERCISES = list(_ALL)
CHROMIUM = Path("/usr/bin/chromium")


class _Text(HTMLParser):
    """The text a reader sees (not scripts or styles), and every URL the page would load."""

    def __init__(self):
        super().__init__()
        self.parts, self.loads, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def _read(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return " ".join("".join(parser.parts).split()), parser.loads


def _flat(text: str) -> str:
    return " ".join(text.split())


def _result(data: dict, name: str) -> SubmissionResult:
    # results.json keeps no list of problems (they are in "output"); this submission has none.
    tests = [Check(t["extra_data"]["exercise"], t["name"].removeprefix(t["extra_data"]["exercise"] + ": "),
                        t["max_score"], t["score"], t["output"]) for t in data["tests"]]
    return SubmissionResult(name, tests, execution_time=data["execution_time"])


@pytest.fixture(scope="module")
def graded(bob_graded):
    assert bob_graded.name == EXAMPLE
    data = json.loads((bob_graded / "results.json").read_text())
    executed = []
    for path in sorted(bob_graded.glob("*.executed.ipynb")):
        nb = notebooks.read(path)
        executed.append((path.name.replace(".executed", ""), nb, notebooks.solution_cells(nb)))
    page = write_feedback_html(_result(data, EXAMPLE), executed, bob_graded / "feedback.html")
    return data, executed, page


def test_the_page_shows_the_score_every_exercise_and_what_failed(graded):
    data, executed, page = graded
    text, loads = _read(page.read_text(encoding="utf-8"))
    max_score = sum(t["max_score"] for t in data["tests"])
    assert f"Score: {data['score']:g} / {max_score:g}" in text
    assert {t["extra_data"]["exercise"] for t in data["tests"]} == set(EXERCISES)
    for exercise in EXERCISES:
        assert f"Test results for {exercise}:" in text, exercise
    failed = [t for t in data["tests"] if t["status"] == "failed"]
    assert failed, "the example should fail some tests"
    for test in failed:
        assert _flat(test["output"]) in text
    # Self-contained: images are embedded, formulas are MathML; nothing is fetched.
    assert all(src.startswith("data:") for src in loads), loads


def test_each_exercise_s_results_follow_its_own_cell(graded):
    _, executed, page = graded
    text, _ = _read(page.read_text(encoding="utf-8"))
    for name, nb, exercises in executed:
        heading = text.index(f"of {len(executed)}: {name}")
        for exercise, cells in exercises.items():
            code = _flat(nb.cells[cells[-1]].source)
            box = text.index(f"Test results for {exercise}:")
            assert heading < text.index(code, heading) < box, exercise
            # ... and before the next cell of the notebook
            following = [c for c in nb.cells[cells[-1] + 1:] if c.source.strip()]
            if following:
                assert box < text.index(_flat(following[0].source)[:40], box), exercise


def test_student_text_is_escaped_and_student_markup_cannot_run(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Mine\n\n<script>alert('md')</script><img src=x onerror=alert(1)>"),
        nbformat.v4.new_code_cell("def f(): pass", metadata={"nbgrader": {"solution": True, "grade_id": "leaky_relu"}},
                                  outputs=[nbformat.v4.new_output("display_data", data={
                                      "text/plain": "shown", "application/javascript": "alert('js')",
                                      "text/html": "<b>bold</b><script>alert('html')</script>"})]),
    ])
    result = SubmissionResult("<i>eve</i>", [
        Check("leaky_relu", "<b>name</b>", 1.0, 0.0, "differs: <script>alert('out')</script>\n\nsecond line"),
        Check("reuse_layers", "restores", 1.0, 1.0, "ok & fine")],
        problems=["file <x>.ipynb\n\nis odd"])  # a blank line must not end the HTML block
    html = write_feedback_html(result, [("a<b>.ipynb", nb, notebooks.solution_cells(nb))],
                               tmp_path / "feedback.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "onerror" not in html and "alert('js')" not in html
    assert "<i>eve</i>" not in html and "<b>name</b>" not in html and "<x>" not in html
    assert re.search(r"<h1[^>]*>Mine", html) and "<b>bold</b>" in html  # harmless markup still renders
    text, _ = _read(html)
    assert "Score: 1 / 2" in text and "Feedback: <i>eve</i>" in text and "file <x>.ipynb is odd" in text
    assert "differs: <script>alert('out')</script> second line" in text  # shown as text, both lines
    # reuse_layers is in no notebook: its results are listed at the top, before the notebook
    assert (text.index("Test results for reuse_layers:") < text.index("a<b>.ipynb")
            < text.index("Test results for leaky_relu:"))


def _chromium(*args: str, user_data: Path) -> subprocess.CompletedProcess:
    # MAP * ~NOTFOUND: no host resolves, so the page is shown as it would be offline.
    return subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
                           f"--user-data-dir={user_data}", *args],
                          capture_output=True, text=True, timeout=180)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium "
                                                    "(Debian package `chromium`; .ci/run installs it)")
def test_the_page_renders_in_a_real_browser(graded, tmp_path):
    data, _, page = graded
    dom = _chromium("--dump-dom", page.as_uri(), user_data=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    text, _ = _read(dom.stdout)
    max_score = sum(t["max_score"] for t in data["tests"])
    assert f"Score: {data['score']:g} / {max_score:g}" in text
    for exercise in EXERCISES:
        assert f"Test results for {exercise}:" in text, exercise

    png = tmp_path / "page.png"
    shot = _chromium(f"--screenshot={png}", "--window-size=1280,3000", "--hide-scrollbars", page.as_uri(),
                     user_data=tmp_path / "profile")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000, "the screenshot looks blank"


_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _data_uris(html: str) -> list[bytes]:
    """Every data: URI anywhere in the page (attributes, CSS, text), decoded."""
    import base64
    from urllib.parse import unquote_to_bytes
    found = []
    for match in re.finditer(r"data:([^,\"'\s)]*),([^\"'\s)<>]*)", html, flags=re.I):
        meta, payload = match.groups()
        if meta.lower().endswith(";base64"):
            payload = re.sub(r"[^A-Za-z0-9+/=_-]", "", payload)
            found.append(base64.b64decode(payload + "=" * (-len(payload) % 4), altchars=b"+/"))
        else:
            found.append(unquote_to_bytes(payload))
    return found


def test_the_page_reads_no_local_file_named_by_the_student(root, tmp_path, monkeypatch):
    """Markdown, HTML and outputs naming files of the grader's machine embed none of them: only images
    inside the notebook (outputs, attachments) are shown; every other <img> is a placeholder with its alt."""
    submission = tmp_path / "submissions" / "mallory"
    submission.mkdir(parents=True)
    secret = submission / "secret.png"  # beside the notebook
    secret.write_bytes(b"\x89PNG\r\n\x1a\nSECRET-BESIDE-THE-NOTEBOOK " * 4)
    outside = tmp_path / "outside.txt"
    outside.write_text("SECRET-OUTSIDE-THE-SUBMISSION\n" * 4)
    (submission / "link.png").symlink_to(root / "grader" / "checks.py")
    (submission / "ref").symlink_to(root / "reference")
    (submission / "out.png").symlink_to(outside)
    files = {  # what the student names -> the file it would read
        "reference/01_leaky_relu.ipynb": root / "reference" / "01_leaky_relu.ipynb",
        "./reference/02_batch_norm.ipynb": root / "reference" / "02_batch_norm.ipynb",
        "/etc/passwd": Path("/etc/passwd"),
        "../../grader/checks.py": root / "grader" / "checks.py",
        "grader/harness.py": root / "grader" / "harness.py",
        (root / "grader" / "exercises" / "__init__.py").as_uri(): root / "grader" / "exercises" / "__init__.py",
        "file://localhost/etc/passwd": Path("/etc/passwd"),
        str(root / "reference" / "03_gradient_clipping.ipynb"): root / "reference" / "03_gradient_clipping.ipynb",
        "secret.png": secret,
        str(secret): secret,
        secret.as_uri(): secret,
        "link.png": root / "grader" / "checks.py",
        str(submission / "link.png"): root / "grader" / "checks.py",
        "ref/04_layer_reuse.ipynb": root / "reference" / "04_layer_reuse.ipynb",
        str(submission / "ref" / "04_layer_reuse.ipynb"): root / "reference" / "04_layer_reuse.ipynb",
        str(submission / "out.png"): outside,
        "../outside.txt": outside,
        "pyproject.toml": root / "pyproject.toml",
        "https://example.com/x.png": None,
        "//example.com/y.png": None,
    }
    markdown = []
    for k, name in enumerate(files):
        markdown += [f"![alt{k}]({name})", f'<img src="{name}" alt="html{k}">', f"<img src='{name}'/>",
                     f"![ref{k}][r{k}]\n\n[r{k}]: {name}"]
    markdown.append("<p>inline <img src=../../grader/checks.py alt=inline> and <IMG SRC=/etc/passwd></p>")
    markdown.append("![dot](attachment:dot.png) ![gone](attachment:missing.png)")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("\n\n".join(markdown), attachments={"dot.png": {"image/png": _PNG}}),
        nbformat.v4.new_code_cell(
            "def f(): pass", metadata={"nbgrader": {"solution": True, "grade_id": "leaky_relu"}},
            outputs=[nbformat.v4.new_output("display_data", data={"image/png": _PNG, "text/plain": "png"},
                                            metadata={"filenames": {"image/png": str(secret)}}),
                     nbformat.v4.new_output("display_data", data={
                         "text/html": '<img src="/etc/passwd" alt="from-html-output"><img src="reference/01_leaky_relu.ipynb">'}),
                     nbformat.v4.new_output("display_data", data={
                         "text/markdown": "![from-markdown-output](grader/checks.py) ![x](attachment:dot.png)"})]),
        nbformat.v4.new_raw_cell('<img src="grader/checks.py" alt="raw">'),
    ])
    nbformat.write(nb, str(submission / "01_leaky_relu.ipynb"))
    monkeypatch.chdir(root)  # where the grader runs: relative names resolve in the project
    result = SubmissionResult("mallory", [Check("leaky_relu", "matches", 1.0, 0.0, "no")])
    html = write_feedback_html(result, [("01_leaky_relu.ipynb", nb, notebooks.solution_cells(nb))],
                               submission / "feedback.html").read_text(encoding="utf-8")

    blobs = _data_uris(html)
    assert blobs, "the notebook's own images should be embedded"
    secrets = {path: path.read_bytes() for path in set(files.values()) if path is not None and path.exists()}
    for path, content in secrets.items():
        chunk = content.strip()[:200]
        assert len(chunk) > 8, path
        assert not [b for b in blobs if chunk in b or (b.strip() and b.strip() in content)], f"{path} was embedded"
        assert content.decode(errors="ignore").strip()[:200] not in html, path
    assert not re.search(r"file:/", html, flags=re.I), "the page names a file:// URL"
    _, loads = _read(html)
    assert all(src.startswith("data:image/") or "mathjax" in src.lower() or src == "" for src in loads), loads
    # the notebook's own images stay: the attachment and the output image
    assert sum(b == __import__("base64").b64decode(_PNG) for b in blobs) == 2
    # every other image became a placeholder that keeps its alt text
    text, _ = _read(html)
    for k in range(len(files)):
        assert f"alt{k}" in text and f"html{k}" in text, k
    for alt in ("inline", "gone", "from-html-output", "from-markdown-output", "raw"):
        assert alt in text, alt


def test_pages_written_by_several_grading_threads_at_once_all_render(tmp_path):
    """Submissions are graded in threads; nbconvert's markdown renderer is not thread-safe (two pages at
    once failed with "pop from empty list" grading the examples with --jobs 2)."""
    import threading

    from grader.results import SubmissionResult, TestResult
    nb = notebooks.read(notebooks.assignments_dir() / "06_regularization.ipynb")
    result = SubmissionResult("s", tests=[TestResult("dropout", "a test", 1.0, 0.0, "what differed")])
    errors = []

    def write(i):
        try:
            write_feedback_html(result, [("06_regularization.ipynb", nb, notebooks.solution_cells(nb))],
                                tmp_path / f"page{i}.html")
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(repr(error))
    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert all((tmp_path / f"page{i}.html").exists() for i in range(6))
