from html.parser import HTMLParser

from markdown_it import MarkdownIt

from grader.exercises import EXERCISES
from grader.results import SubmissionResult
from grader.results import TestResult as Check  # not Test*: pytest would try to collect it
from grader.summary import write_summary_md


def results() -> list[SubmissionResult]:
    alice = SubmissionResult("alice", tests=[
        Check("leaky_relu", "matches max(alpha*z, z) on unseen inputs", 1.0, 1.0, "ok"),
        Check("freeze_layers", "trains only the variables train_scope matches", 1.5, 1.5, "ok"),
    ])
    pipes = SubmissionResult("bob|pipes", tests=[
        Check("freeze_layers", "trains only the variables train_scope matches", 1.5, 0.0,
              "with train_scope='hidden[34]|outputs': hidden1/kernel moved\nby 0.01 | expected 0 <b>"),
        Check("leaky_relu", "names the returned op `name`", 0.5, 0.25, "a \\| b"),
    ])
    broken = SubmissionResult("carol", problems=["carol.ipynb is empty"])
    return [alice, pipes, broken]


class Cells(HTMLParser):
    """The rows of the first rendered table, as lists of cell texts."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self.rows, self.cell = 0, [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables += 1
        elif tag == "tr" and self.tables == 1:
            self.rows.append([])
        elif tag in ("td", "th") and self.tables == 1:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def render(path) -> str:
    return MarkdownIt("commonmark").enable("table").render(path.read_text(encoding="utf-8"))


def test_renders_a_table_with_one_row_per_submission(tmp_path):
    path = write_summary_md(results(), tmp_path / "step" / "summary.md")
    table = Cells(render(path))
    assert table.tables == 1
    header, *rows = table.rows
    assert header == ["submission", *EXERCISES, "total"]
    assert len(rows) == 3 and all(len(row) == len(header) for row in rows)
    alice = dict(zip(header, rows[0]))
    total = sum(e.points for e in EXERCISES.values())
    assert (alice["submission"], alice["leaky_relu"], alice["freeze_layers"], alice["total"]) == (
        "alice", f"1/{EXERCISES['leaky_relu'].points:g}", f"1.5/{EXERCISES['freeze_layers'].points:g}", f"2.5/{total:g}")
    assert alice["bn_update_ops"] == f"0/{EXERCISES['bn_update_ops'].points:g}"


def test_pipes_and_newlines_stay_inside_their_cell_and_line(tmp_path):
    html = render(write_summary_md(results(), tmp_path / "summary.md"))
    header, *rows = Cells(html).rows
    assert rows[1][0] == "bob|pipes"
    # The failure list: one item per failed test, on one line, the student's text shown as it is.
    assert ("<li><strong>freeze_layers</strong>: trains only the variables train_scope matches — "
            "with train_scope='hidden[34]|outputs': hidden1/kernel moved by 0.01 | expected 0 &lt;b&gt;</li>") in html
    assert "<li><strong>leaky_relu</strong>: names the returned op `name` — a \\| b</li>" in html
    assert "<li>carol.ipynb is empty</li>" in html
    assert "<h3>bob|pipes</h3>" in html
    assert "<h3>alice</h3>" not in html  # nothing lost, nothing listed


def test_long_outputs_are_cut(tmp_path):
    result = SubmissionResult("eve", tests=[Check("leaky_relu", "x", 1.0, 0.0, "word " * 500)])
    text = write_summary_md([result], tmp_path / "summary.md").read_text(encoding="utf-8")
    item = next(line for line in text.splitlines() if line.startswith("- "))
    assert len(item) < 400 and item.endswith("…")


def test_the_terminal_table_at_80_columns_cuts_no_name_and_no_score():
    import io

    from rich.console import Console

    from grader.report import print_table
    from grader.results import SubmissionResult
    from grader.results import TestResult as Check

    name = "dave_leaky_relu_with_a_long_folder_name"
    tests = [Check(e, "t", x.points, x.points / 2 if i % 2 else 0.0, "") for i, (e, x) in enumerate(EXERCISES.items())]
    problem = 'hw.ipynb: the second code cell under the heading "Exercise `dropout`" ran longer than 20 s.'
    buffer = io.StringIO()
    print_table([SubmissionResult(name, tests, problems=[problem], execution_time=66)],
                Console(file=buffer, width=80, force_terminal=False))
    text = buffer.getvalue()
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 80
    joined = "".join(line.strip() for line in text.splitlines())
    assert name in joined.replace(" ", "") and "".join(problem.split()) in joined.replace(" ", "")
    for number, (exercise, spec) in enumerate(EXERCISES.items(), 1):
        assert f"{number}={exercise}/{spec.points:g}" in text, exercise
