"""The feedback page: the student's executed notebooks rendered by nbconvert, the score at the top,
and each test's result right after its exercise's cell, in one self-contained HTML file."""
from __future__ import annotations

import copy
import threading
from html import escape, unescape
from pathlib import Path

import bleach
import nbformat
from bleach.css_sanitizer import CSSSanitizer
from bleach.html5lib_shim import Filter
from jinja2 import DictLoader
from latex2mathml.converter import convert as latex_to_mathml
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

try:  # nbconvert's own choice of name for Jinja's context decorator
    from jinja2 import pass_context
except ImportError:  # Jinja 2
    from jinja2 import contextfilter as pass_context

from .i18n import HTML_LANG, _, language
from .report import write_atomic
from .results import SubmissionResult, TestResult

_PASSED = "background-color: #e6f4ea; border: 1px solid #2e7d32; color: #1b5e20"
_FAILED = "background-color: #fdecea; border: 1px solid #c62828; color: #8e0000"
_PROBLEM = "background-color: #fff8e1; border: 1px solid #f9a825; color: #5d4037"
_BOX = "border-radius: 4px; padding: 6px 10px"
_PRE = "white-space: pre-wrap; background-color: #ffffff; color: #212121; border: 1px solid #dddddd; padding: 4px"

# Output types the page shows; others (JavaScript, widgets, Mermaid, whose template blocks emit them
# unescaped) are dropped from the student's outputs.
_SHOWN_OUTPUTS = {"text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg", "image/svg+xml"}

# Everything on the page is the student's but our boxes, so the page keeps only markup that cannot run
# code, load anything or move over the score: the HTML markdown and nbconvert produce, and harmless styles.
_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt", "em",
         "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
         "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
         "tr", "u", "ul", "var"}
# Formulas are MathML, converted when the page is written (_Renderer): the browser draws them, no script,
# no network. Presentation MathML only, and attributes that style it: nothing that links or loads.
_MATHML = {"math", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt",
           "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom",
           "menclose", "merror", "mfenced", "semantics", "annotation"}
_MATHML_ATTRIBUTES = ["display", "xmlns", "mathvariant", "mathsize", "stretchy", "fence", "separator", "separators",
                      "lspace", "rspace", "width", "height", "depth", "columnalign", "columnspacing", "rowspacing",
                      "columnlines", "rowlines", "frame", "displaystyle", "scriptlevel", "accent", "accentunder",
                      "movablelimits", "linethickness", "open", "close", "notation", "minsize", "maxsize",
                      "symmetric", "largeop", "form", "encoding"]
# Images the page shows are the notebook's own, already inside it: outputs and markdown attachments,
# which reach the page as data: URIs. Any other source (a path, file://, http://) is dropped here, and
# _ImagePlaceholders shows the <img> as its alt text: nothing is read from disk or fetched.
_IMAGE_DATA = ("data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/svg+xml;", "data:image/webp;")


def _image_source(value: str) -> bool:
    return value.strip().lower().startswith(_IMAGE_DATA)


_ATTRIBUTES = {
    "*": ["class", "id", "style", "title"],
    "a": lambda tag, name, value: name in ("href", "class", "id", "title") and not value.lower().startswith("data:"),
    "img": lambda tag, name, value: name in ("alt", "title", "width", "height") or (
        name == "src" and _image_source(value)),
    "td": ["class", "id", "style", "colspan", "rowspan", "align"],
    "th": ["class", "id", "style", "colspan", "rowspan", "align"],
    **{tag: _MATHML_ATTRIBUTES for tag in _MATHML},
}
_CSS = CSSSanitizer(allowed_css_properties=[
    "background-color", "border", "border-left", "border-radius", "color", "font-weight", "padding",
    "text-align", "white-space"])


class _ImagePlaceholders(Filter):
    """After sanitising: an <img> left without a source becomes a visible placeholder with its alt text."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "img":
                attrs = token["data"]
                if not _image_source(attrs.get((None, "src"), "")):
                    alt = unescape(attrs.get((None, "alt"), "")).strip()  # bleach keeps entities in values
                    yield {"type": "StartTag", "name": "span", "namespace": token.get("namespace"), "data": {
                        (None, "class"): "feedback-image-not-shown",
                        (None, "title"): _("not shown: the feedback page shows only images stored in the notebook"),
                        (None, "style"): "border: 1px dashed #9e9e9e; color: #616161; padding: 0 4px"}}
                    yield {"type": "Characters", "data": _("[image: {alt}]").format(alt=alt) if alt else _("[image]")}
                    yield {"type": "EndTag", "name": "span", "namespace": token.get("namespace")}
                    continue
            yield token


_CLEANER = bleach.Cleaner(tags=_TAGS | _MATHML, attributes=_ATTRIBUTES, protocols={"http", "https", "mailto", "data"},
                          css_sanitizer=_CSS, filters=[_ImagePlaceholders])


def _clean_html(html: str | bytes) -> str:
    html = html.decode() if isinstance(html, bytes) else str(html)
    return _CLEANER.clean(html)


class _Renderer(IPythonRenderer):
    """nbconvert's markdown renderer, minus everything that reads a file: `attachment:` images become the
    cell's own data (a missing one stays a link, which _clean_html turns into a placeholder); any other
    source is left as written, never opened, whatever embed_images says."""

    def _embed_image_or_attachment(self, src: str) -> str:
        if src.startswith("attachment:") and src[len("attachment:"):] in self.attachments:
            return super()._embed_image_or_attachment(src)
        return src

    def _src_to_base64(self, src: str) -> None:
        return None

    def _html_embed_images(self, html: str) -> str:
        return html

    # Math as MathML now, not $...$ for MathJax to typeset later from a CDN (which offline shows LaTeX).
    def block_math(self, body: str) -> str:
        return _mathml(body, "block")

    def inline_math(self, body: str) -> str:
        return _mathml(body, "inline")

    def latex_environment(self, name: str, body: str) -> str:
        return _mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")


def _mathml(latex: str, display: str) -> str:
    try:
        return latex_to_mathml(latex, display=display)
    except Exception:  # noqa: BLE001 - LaTeX it cannot convert: shown as written
        tag = "pre" if display == "block" else "code"
        return f"<{tag}>{escape(latex)}</{tag}>"


# Fonts that hold Chinese on each system (Windows, macOS, Linux), after the Latin ones, so that no
# character is drawn as a box: the browser takes each character from the first font that has it.
_SANS = ('"Segoe UI", -apple-system, "Helvetica Neue", Arial, "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", '
         '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif')
_MONO = ('Menlo, Consolas, "DejaVu Sans Mono", "Microsoft YaHei", "PingFang SC", "Noto Sans Mono CJK SC", '
         '"Noto Sans CJK SC", monospace')

# nbconvert's lab page (its <html lang> from the exporter's language_code) without its scripts:
# MathJax and Mermaid from a CDN, require.js (widgets only); with the fonts above.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style type="text/css">
:root { --jp-content-font-family: SANS; --jp-ui-font-family: SANS; --jp-code-font-family: MONO; }
body { font-family: SANS; }
pre, code { font-family: MONO; }
</style>{% endblock extra_css %}
""".replace("SANS", _SANS).replace("MONO", _MONO)


class _Exporter(HTMLExporter):
    @pass_context
    def markdown2html(self, context, source):
        cell = context.get("cell", {})
        renderer = _Renderer(escape=False, attachments=cell.get("attachments", {}) or {}, embed_images=False,
                             anchor_link_text=self.anchor_link_text, exclude_anchor_links=self.exclude_anchor_links,
                             **self.lexer_options)
        return MarkdownWithMath(renderer=renderer).render(source)


def _exporter() -> HTMLExporter:
    return _Exporter(
        language_code=HTML_LANG[language()].split("-")[0],  # nbconvert takes ISO 639-1 only: zh (made zh-CN below)
        embed_images=False,     # never read a file a student's markdown names (see _Renderer)
        sanitize_html=True,     # markdown cells and HTML outputs go through clean_html ...
        filters={"clean_html": _clean_html},  # ... ours, which keeps the markup notebooks need
        extra_loaders=[DictLoader({"feedback.html.j2": _TEMPLATE})], template_file="feedback.html.j2",
    )


def _points(score: float, max_score: float) -> str:
    return f"{round(score, 4):g} / {round(max_score, 4):g}"


def _text(text: str) -> str:
    """`text` as HTML; a blank line would end the markdown cell's HTML block, so newlines become references."""
    return escape(text).replace("\n", "&#10;")


def _test_box(test: TestResult) -> str:
    status = _("PASSED") if test.passed else _("FAILED")
    output = _text(test.output)
    return (f'<div style="{_PASSED if test.passed else _FAILED}; {_BOX}">'
            f"<strong>{status}</strong> {_text(test.title())} "
            f"<strong>{_points(test.score, test.max_score)}</strong>"
            + (f'<div class="feedback-override" style="{_PROBLEM}; {_BOX}"><strong>'
               + _("Overridden by your instructor") + "</strong>" + _(": the grader gave {before}, now {after}").format(
                   before=_points(test.original_score, test.max_score), after=_points(test.score, test.max_score))
               + (_(". ") + _text(test.comment) if test.comment else "")
               + "</div>" if test.overridden else "")
            + (f'<pre style="{_PRE}">{output}</pre>' if test.output else "") + "</div>")


def _exercise_box(exercise: str, tests: list[TestResult]) -> str:
    passed = sum(t.passed for t in tests)
    score, max_score = sum(t.score for t in tests), sum(t.max_score for t in tests)
    # (The page has no MathJax: dollar signs in the grader's messages stay as they are.)
    return (f'<div class="tex2jax_ignore" id="feedback-{_text(exercise)}">'
            "<h3>" + _("Test results for {exercise}: {points} points, {passed} passed, {failed} failed").format(
                exercise=f"<code>{_text(exercise)}</code>", points=_points(score, max_score), passed=passed,
                failed=len(tests) - passed) + "</h3>"
            + '<div style="padding: 2px"></div>'.join(_test_box(t) for t in tests) + "</div>")


def _summary(result: SubmissionResult, by_exercise: dict[str, list[TestResult]], unplaced: list[str]) -> str:
    rows = []
    for exercise, tests in by_exercise.items():
        passed = sum(t.passed for t in tests)
        style = _PASSED if passed == len(tests) else _FAILED
        rows.append(f'<tr style="{style}"><td><a href="#feedback-{_text(exercise)}"><code>{_text(exercise)}</code>'
                    f"</a></td><td>{_points(sum(t.score for t in tests), sum(t.max_score for t in tests))}</td>"
                    f"<td>{passed}</td><td>{len(tests) - passed}</td></tr>")
    graders = sum(t.original_score if t.overridden else t.score for t in result.tests)
    parts = ["<h1>" + _("Feedback: {name}").format(name=_text(result.name)) + "</h1>",
             '<p style="font-weight: bold">' + _("Score: {points}").format(
                 points=_points(result.score, result.max_score))
             + (_(" (the grader gave {points}; your instructor changed some scores, shown below)").format(
                 points=_points(graders, result.max_score)) if any(t.overridden for t in result.tests) else "")
             + "</p>",
             "<table><thead><tr>" + "".join(f"<th>{heading}</th>" for heading in (
                 _("Exercise"), _("Points"), _("Passed"), _("Failed")))
             + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"]
    if result.problems:
        items = "".join(f"<li>{_text(p)}</li>" for p in result.problems)
        parts.append(f'<div style="{_PROBLEM}; {_BOX}"><strong>' + _("Problems with this submission")
                     + f"</strong><ul>{items}</ul></div>")
    if unplaced:
        parts.append("<h2>" + _("Exercises not found in any notebook") + "</h2>")
        parts += [_exercise_box(e, by_exercise[e]) for e in unplaced]
    return '<div class="tex2jax_ignore">' + "".join(parts) + "</div>"


def _student_cell(cell, cell_id: str):
    cell = copy.deepcopy(cell)
    cell["id"] = cell_id  # merged notebooks would repeat ids; ours are unique and plain
    for output in cell.get("outputs", []):
        if "data" in output:
            output["data"] = {k: v for k, v in output["data"].items() if k in _SHOWN_OUTPUTS}
            output.get("metadata", {}).pop("filenames", None)  # would point <img> at files on disk
    return cell


def _feedback_notebook(result: SubmissionResult,
                       notebooks: list[tuple[str, nbformat.NotebookNode, dict[str, list[int]]]]
                       ) -> nbformat.NotebookNode:
    """One notebook: the summary, then each notebook under a heading cell, with results after exercise cells.

    Merging the cells (rather than exporting each notebook and joining the bodies) keeps one page that
    nbconvert itself writes: one <head> with its CSS, anchors and ids that do not clash.
    """
    by_exercise: dict[str, list[TestResult]] = {}
    for test in result.tests:
        by_exercise.setdefault(test.exercise, []).append(test)
    # The last cell of an exercise is the one graded (grade.py), so its results go after it.
    after: list[dict[int, list[str]]] = []
    placed: set[str] = set()
    for _name, nb, exercises in notebooks:
        here: dict[int, list[str]] = {}
        for exercise, cells in exercises.items():
            cells = [i for i in cells if 0 <= i < len(nb.cells)]
            if exercise in by_exercise and exercise not in placed and cells:
                here.setdefault(cells[-1], []).append(exercise)
                placed.add(exercise)
        after.append(here)
    unplaced = [e for e in by_exercise if e not in placed]

    metadata = {}
    if notebooks:  # language_info picks the code highlighter
        metadata = {k: copy.deepcopy(v) for k, v in notebooks[0][1].metadata.items()
                    if k in ("kernelspec", "language_info")}
    merged = nbformat.v4.new_notebook(metadata=metadata)
    merged.cells.append(nbformat.v4.new_markdown_cell(_summary(result, by_exercise, unplaced), id="summary"))
    for k, ((name, nb, _cells), here) in enumerate(zip(notebooks, after), start=1):
        tests = [t for exercises in here.values() for e in exercises for t in by_exercise[e]]
        heading = _("Notebook {k} of {n}: {name}").format(k=k, n=len(notebooks), name=_text(name))
        if tests:
            heading = _("{heading}: {points} points").format(heading=heading, points=_points(
                sum(t.score for t in tests), sum(t.max_score for t in tests)))
        merged.cells.append(nbformat.v4.new_markdown_cell(
            f'<div style="background-color: #e8eaf6; border: 1px solid #3949ab; color: #1a237e; {_BOX}">'
            f"<h2>{heading}</h2></div>", id=f"nb{k}"))
        for index, cell in enumerate(nb.cells):
            merged.cells.append(_student_cell(cell, f"nb{k}-{index}"))
            for j, exercise in enumerate(here.get(index, [])):
                merged.cells.append(nbformat.v4.new_markdown_cell(
                    _exercise_box(exercise, by_exercise[exercise]), id=f"nb{k}-{index}-feedback{j}"))
    return merged


def write_feedback_html(result: SubmissionResult,
                        notebooks: list[tuple[str, nbformat.NotebookNode, dict[str, list[int]]]],
                        path: Path) -> Path:
    """Write the feedback page of one submission to `path`.

    `notebooks`: (file name, executed notebook, {exercise id: its solution cell indices in that notebook}).
    """
    with _RENDERING:
        body, _resources = _exporter().from_notebook_node(
            _feedback_notebook(result, notebooks),
            resources={"metadata": {"name": _("Feedback: {name}").format(name=result.name)}})
    # <html lang="zh-CN">: browsers pick Simplified Chinese glyphs (and fonts) for the page.
    code = HTML_LANG[language()]
    body = body.replace(f'<html lang="{code.split("-")[0]}">', f'<html lang="{code}">', 1)
    write_atomic(path, body)
    return path


# One page at a time: the markdown renderer keeps state between calls that two grading threads rendering
# at once corrupted ("pop from empty list", seen grading the examples with --jobs 2).
_RENDERING = threading.Lock()
