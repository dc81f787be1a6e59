"""中文 and English: every student-facing text in both languages (grader/i18n.py, grader/catalogs.py).

- The catalogs: a fresh Babel extraction of the messages and of the notebooks' markdown, compared with
  the Chinese catalogs (every message there, translated, not fuzzy), compiled .mo files current, no
  message Babel would misread.
- No English sentence that is not code in what a Chinese student reads: the self-checks' output and a
  feedback page (the detector is tested on both kinds of text first).
- A submission made from the Chinese templates, graded with --lang zh, gets exactly the English
  grading's scores; its page renders its Chinese in headless Chromium (glyphs, not boxes).
- The Chinese student bundle, pip-installed into a fresh virtual environment, self-checks in Chinese.
"""
from __future__ import annotations

import ast
import io
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from grader import catalogs, i18n, notebooks
from grader.exercises import EXERCISES
from submissions import fill, solutions, variant, write_submission

ROOT = Path(__file__).resolve().parents[1]
GRADER = [sys.executable, "-c", "from grader.cli import main; main()"]
CHROMIUM = Path("/usr/bin/chromium")
VARIANTS = Path(__file__).parent / "variants"
BOB = "bob_update_ops_and_clip_by_norm"
BOB_SOLUTIONS = {"bn_update_ops": "wrong_forgets_update_ops", "clipped_apply_gradients": "wrong_clip_by_norm"}
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


# --------------------------------------------------------------------------- an English sentence, not code
_CODE_ELEMENTS = {"pre", "code", "kbd", "samp", "var", "math", "style", "script", "title"}
_WORD = re.compile(r"[A-Za-z]{2,}[,;:.!?]?")


def english_sentences(text: str, words: int = 4) -> list[str]:
    """Runs of `words` or more English words in `text`, once code is set aside: `quoted code`, and any
    token holding a digit, _ . / = ( ) [ ] { } * ' " or other code marks (identifiers, numbers, paths,
    calls), and what follows an exception's name (`ValueError: ...`: the library's own words, a
    value like any other). Chinese text around a few English terms (ELU、Adam、He 初始化) has no such run."""
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\b[A-Z]\w*(Error|Exception|Exit)\s*[:：][^\n]*", " ", text)
    runs, run = [], []
    for token in re.split(r"\s+", text):
        if _WORD.fullmatch(token) and not CJK.search(token):
            run.append(token)
            continue
        if len(run) >= words:
            runs.append(" ".join(run))
        run = []
    if len(run) >= words:
        runs.append(" ".join(run))
    return runs


class _Prose(HTMLParser):
    """The text of a page outside code (pre, code, math, styles): what is written in a language."""

    def __init__(self):
        super().__init__()
        self.parts, self._inside = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in _CODE_ELEMENTS:
            self._inside += 1
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _CODE_ELEMENTS:
            self._inside = max(0, self._inside - 1)
        self.parts.append(" ")

    def handle_data(self, data):
        if not self._inside:
            self.parts.append(data)


def prose(html: str) -> str:
    parser = _Prose()
    parser.feed(html)
    return "".join(parser.parts)


def test_the_detector_finds_an_english_sentence_and_leaves_code_alone():
    zh = "未通过：rate=0.5 时 `tf.layers.dropout(inputs, rate)` 的输出形状为 (2, 3)；ELU、Adam 和 He 初始化"
    assert english_sentences(zh) == []
    assert english_sentences("训练书中的网络 tf.train.MomentumOptimizer(learning_rate, momentum=0.9) 达到") == []
    assert english_sentences(zh + " the moving mean did not change after one step") == [
        "the moving mean did not change after one step"]
    page = ("<html><body><h1>反馈</h1><pre>Epoch 0 validation accuracy is good</pre>"
            "<p>得分 <code>with this code in it</code></p></body></html>")
    assert english_sentences(prose(page)) == []
    assert english_sentences(prose(page.replace("得分", "Every test passed here"))) == ["Every test passed here"]


# --------------------------------------------------------------------------- the catalogs
@pytest.mark.parametrize("domain", catalogs.DOMAINS)
def test_every_student_facing_message_has_a_chinese_translation(domain):
    assert catalogs.missing("zh", domain) == []


def test_a_message_without_translation_is_found(tmp_path, monkeypatch):
    """The check above can fail: a new message, one left fuzzy and one left empty are each reported."""
    from babel.messages.pofile import write_po
    catalog = catalogs.read_po("zh", "grader")
    catalog["Every test passed."].flags.add("fuzzy")
    catalog["Score: {points}"].string = ""
    copy = tmp_path / "zh_CN" / "LC_MESSAGES" / "grader.po"
    copy.parent.mkdir(parents=True)
    with open(copy, "wb") as f:
        write_po(f, catalog)
    fresh = catalogs.extract("grader")
    fresh.add("A sentence added to the grader today.")
    monkeypatch.setattr(catalogs, "extract", lambda domain: fresh)
    monkeypatch.setattr(catalogs, "po_path", lambda lang, domain: copy)
    assert sorted(catalogs.missing("zh", "grader")) == [
        "A sentence added to the grader today.", "Every test passed.", "Score: {points}"]


@pytest.mark.parametrize("domain", catalogs.DOMAINS)
def test_the_compiled_catalogs_are_current_and_babel_finds_no_error(domain):
    from babel.messages.mofile import write_mo
    catalog = catalogs.read_po("zh", domain)
    errors = [(m.id, [str(e) for e in errs]) for m, errs in catalog.check()]
    assert errors == []  # e.g. placeholders of a translation that differ from the message's
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    committed = catalogs.po_path("zh", domain).with_suffix(".mo").read_bytes()
    assert compiled.getvalue() == committed, f"run: pybabel compile -D {domain} -d grader/locale"


def test_no_message_is_an_f_string_or_holds_a_percent_format():
    """gettext looks a message up by its text: an f-string's text differs with every value. Babel reads
    `% s`, `% d`... in a message as a printf format and then requires the translation to keep it."""
    marked = []
    for path in (ROOT / "grader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in ("_", "N_", "ngettext") and node.args:
                marked.append((path.name, node.lineno, node.args[0]))
    assert len(marked) > 300
    assert [(p, n) for p, n, arg in marked if isinstance(arg, (ast.JoinedStr, ast.BinOp))] == []
    inside = []  # Babel does not look into an f-string's {...}: a message there is never extracted
    for path in (ROOT / "grader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FormattedValue):
                inside += [(path.name, n.lineno) for n in ast.walk(node.value) if isinstance(n, ast.Call)
                           and isinstance(n.func, ast.Name) and n.func.id in ("_", "N_", "ngettext")]
    assert inside == []
    assert not [m for m in catalogs.extract("grader") if m.id and m.python_format]
    assert not [m for m in catalogs.extract("notebooks") if m.id and m.python_format]


@pytest.mark.parametrize("domain", catalogs.DOMAINS)
def test_no_chinese_translation_holds_an_english_sentence(domain):
    for message in catalogs.read_po("zh", domain):
        if not message.id:
            continue
        for text in (message.string if isinstance(message.string, tuple) else (message.string,)):
            text = re.sub(r"\$\$?[^$]+\$\$?|\{\w*\}", " ", text)  # formulas; placeholders are values
            assert english_sentences(text) == [], text
            assert CJK.search(text), message.id


def test_the_language_is_chosen_by_argument_then_environment_then_locale(monkeypatch):
    for key in ("GRADER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(i18n, "_chosen", None)
    assert i18n.language() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.language() == "zh" and i18n._("Every test passed.") == "所有测试都通过了。"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")  # LC_ALL over LANG, as POSIX
    assert i18n.language() == "en"
    monkeypatch.setenv("GRADER_LANG", "zh")
    assert i18n.language() == "zh"
    with i18n.using("en"):
        assert i18n._("Every test passed.") == "Every test passed."
    assert i18n.language() == "zh"
    with pytest.raises(ValueError):
        i18n.check_language("fr")


# --------------------------------------------------------------------------- the self-checks in Chinese
def _namespace(source: str) -> dict:
    import numpy as np
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    namespace = {"tf": tf, "np": np, "he_init": tf.variance_scaling_initializer(scale=2.0)}
    exec(compile(source, "<student>", "exec"), namespace)  # noqa: S102 - our own test corpus
    return namespace


def _some_wrong_variants(per_exercise: int = 3) -> list[Path]:
    chosen = []
    for folder in sorted(VARIANTS.iterdir()):
        wrong = sorted(folder.glob("wrong_*.py"))
        chosen += wrong[::max(1, len(wrong) // per_exercise)][:per_exercise]
    return chosen


def test_the_self_checks_speak_chinese_without_an_english_sentence():
    from grader import check
    reports = [check(e, {}, lang="zh") for e in EXERCISES]  # not implemented yet
    reports += [check(p.parent.name, _namespace(p.read_text()), lang="zh") for p in _some_wrong_variants()]
    reports += [check(p.parent.name, _namespace(variant(p.parent.name, p.stem)), lang="zh")
                for p in (sorted((VARIANTS / e).glob("correct_*.py"))[0] for e in EXERCISES)]
    assert {r.status for r in reports} >= {"passed", "failed", "not implemented"}
    for report in reports:
        text, html = repr(report), report._repr_html_()
        assert CJK.search(text), text
        assert english_sentences(text) == [], text
        assert english_sentences(prose(html)) == [], html
    english = check("leaky_relu", {}, lang="en")
    assert repr(english).startswith("✗ leaky_relu: not implemented") and not CJK.search(repr(english))


# --------------------------------------------------------------------------- grading in Chinese
@pytest.fixture(scope="module")
def bob_in_chinese(tmp_path_factory) -> Path:
    """Bob's submission made from the Chinese templates (the same code), graded with --lang zh."""
    work = tmp_path_factory.mktemp("zh")
    submission = write_submission(work / BOB, solutions(**BOB_SOLUTIONS), lang="zh")
    out = work / "out"
    run = subprocess.run([*GRADER, "grade", str(submission), "--out", str(out), "--lang", "zh"],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    return out / BOB


def test_a_chinese_submission_graded_in_chinese_gets_the_english_scores(bob_graded, bob_in_chinese):
    en = json.loads((bob_graded / "results.json").read_text(encoding="utf-8"))
    zh = json.loads((bob_in_chinese / "results.json").read_text(encoding="utf-8"))
    key = lambda t: (t["extra_data"]["exercise"], t["extra_data"]["test"])  # noqa: E731 - the stable id
    assert [key(t) for t in zh["tests"]] == [key(t) for t in en["tests"]]
    assert [(t["score"], t["max_score"], t["status"]) for t in zh["tests"]] == \
        [(t["score"], t["max_score"], t["status"]) for t in en["tests"]]
    assert zh["score"] == en["score"] and 0 < zh["score"] < sum(t["max_score"] for t in zh["tests"])
    assert zh["extra_data"]["problems"] == en["extra_data"]["problems"] == []  # no locked cell "changed"
    for test in zh["tests"]:
        name = test["name"].removeprefix(test["extra_data"]["exercise"] + ": ")
        assert CJK.search(name) and CJK.search(test["output"]), test
        assert english_sentences(name) == english_sentences(test["output"]) == [], test
    assert CJK.search(zh["output"]) and english_sentences(zh["output"]) == []


def test_the_chinese_feedback_page_has_no_english_sentence(bob_in_chinese):
    html = (bob_in_chinese / "feedback.html").read_text(encoding="utf-8")
    assert re.search(r'<html lang="zh-CN"', html)
    assert all(font in html for font in ('"Microsoft YaHei"', '"PingFang SC"', '"Noto Sans CJK SC"'))
    text = prose(html)
    assert "反馈：" in text and "得分：" in text and "的测试结果" in text
    assert "未通过" in text and "通过" in text  # the self-checks' output, run in the kernel in Chinese
    assert english_sentences(text) == []


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium "
                                                    "(Debian package `chromium`; .ci/run installs it)")
def test_a_screenshot_of_the_chinese_page_shows_chinese_glyphs(bob_in_chinese, tmp_path):
    """The page, and a copy whose Chinese characters are swapped for private-use code points (no font
    has them: the browser draws boxes), screenshot in headless Chromium: with the CJK fonts
    installed the two differ; where the Chinese itself fell back to boxes they would be the same."""
    page = (bob_in_chinese / "feedback.html").read_text(encoding="utf-8")  # its top: the score and the table
    boxes = re.sub(r"[\u4e00-\u9fff]", lambda m: chr(0xE000 + ord(m.group()) % 0x1000), page)
    assert boxes != page
    shots = []
    for name, text in (("zh", page), ("zh-again", page), ("boxes", boxes)):
        path = tmp_path / f"{name}.html"
        path.write_text(text, encoding="utf-8")
        png = tmp_path / f"{name}.png"
        run = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                              "--no-first-run", "--disable-background-networking", "--disable-component-update",
                              "--force-device-scale-factor=1", f"--user-data-dir={tmp_path / 'profile'}",
                              f"--screenshot={png}", "--window-size=1000,700", path.as_uri()],
                             capture_output=True, text=True, timeout=180)
        assert run.returncode == 0 and png.exists(), run.stderr[-2000:]
        shots.append(png.read_bytes())
    assert shots[0] == shots[1], "the same page gave two screenshots: the comparison below would prove nothing"
    assert shots[0] != shots[2], "the Chinese text renders as the same boxes as unassigned code points"


# --------------------------------------------------------------------------- the Chinese student bundle
def test_the_chinese_bundle_installed_fresh_self_checks_in_chinese(tmp_path):
    bundle = tmp_path / "bundle"
    run = subprocess.run([*GRADER, "release", "--out", str(bundle), "--lang", "zh"], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    readme = (bundle / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# 第 11 章练习") and english_sentences(readme.split("| 笔记本 |")[0]) == []
    template = notebooks.read(bundle / "assignments" / "01_leaky_relu.ipynb")
    assert CJK.search(template.cells[0].source)
    # A fresh environment: the bundle pip-installed into it; TensorFlow, numpy, nbclient and ipykernel
    # seen (not copied) from the grader's environment through a .pth file, which adds that folder but
    # runs none of its own .pth files: the grader installed there in development mode stays invisible.
    env_dir = tmp_path / "student"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    import numpy
    Path(site, "borrowed.pth").write_text(str(Path(numpy.__file__).parents[1]) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GRADER_LANG", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "C.UTF-8"  # the Chinese comes from the bundle, not from the locale
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(bundle / "package")],
                             capture_output=True, text=True, timeout=600, env=env)
    assert install.returncode == 0, install.stderr[-2000:]
    where = subprocess.run([str(python), "-c", "import grader; print(grader.__file__)"], capture_output=True,
                           text=True, cwd=tmp_path, env=env)
    assert where.stdout.startswith(site), where.stdout + where.stderr

    solved = fill("01_leaky_relu", {"leaky_relu": variant("leaky_relu", "correct_where")}, lang="zh")
    assert [c.source for c in solved.cells if c.cell_type == "markdown"] == \
        [c.source for c in template.cells if c.cell_type == "markdown"]
    nbformat.write(solved, str(tmp_path / "01_leaky_relu.ipynb"))
    runner = '''import json, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
nb.cells = [c for c in nb.cells if "parameters" not in c.metadata.get("tags", [])]  # no data: no training
NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
print(json.dumps([[o.get("data", {}).get("text/plain", ""), o.get("data", {}).get("text/html", "")]
                  for c in nb.cells if "grader.check(" in c.source for o in c.outputs]))
'''
    executed = subprocess.run([str(python), "-c", runner, str(tmp_path / "01_leaky_relu.ipynb"), str(tmp_path)],
                              capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    assert executed.returncode == 0, executed.stderr[-3000:]
    [[text, html]] = json.loads(executed.stdout.strip().splitlines()[-1])
    assert text.startswith("✓ leaky_relu: 通过"), text
    assert "float32 和 float64" in text and english_sentences(text) == [], text
    assert "leaky_relu: 通过" in html and english_sentences(prose(html)) == []


def test_an_override_may_name_a_test_as_the_chinese_results_json_does():
    from grader.overrides import _target
    check = EXERCISES["leaky_relu"].checks[0]
    chinese = i18n.translate(check.name, "zh")
    assert CJK.search(chinese)
    assert _target(f"leaky_relu: {chinese}", "line 2") == _target(f"leaky_relu: {check.name}", "line 2") == \
        ("leaky_relu", check.name, check.points)
