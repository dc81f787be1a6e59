"""Import a verified student graph into the judge, and run it the way a check needs."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from grader.graphs import fresh_graph, new_session, tf
from grader.judge import verify
from grader.judge.verify import Refused
from grader.i18n import _


@dataclass
class Artifact:
    """What a builder sent for one task: `info` (names, recorded runs) and `blobs` (graph bytes)."""
    info: dict
    blobs: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Scaffold:
    nodes: dict                 # name -> NodeDef, as the judge builds it
    handles: dict               # key -> name of the tensor or op in the graph
    variables: list             # (name, initializer name, VariableDef) of the scaffold's variables


_PREBUILT: dict[tuple, Scaffold] = {}  # kept by the judge before it forks (keep_scaffolds): read-only after


def build_scaffold(scaffold_fn) -> Scaffold:
    """The scaffold's nodes as the judge builds them (never taken from a student process)."""
    key = _scaffold_key(scaffold_fn)
    if key is not None and key in _PREBUILT:
        return _PREBUILT[key]
    with fresh_graph() as graph:
        handles = scaffold_fn() or {}
        variables = [(v.op.name, v.initializer.name, v.to_proto()) for v in tf.global_variables()]
    names = {k: v.name for k, v in handles.items() if hasattr(v, "name")}
    return Scaffold({n.name: n for n in graph.as_graph_def().node}, names, variables)


def build_scaffolds(scaffold_fns) -> dict[tuple, Scaffold]:
    """The scaffolds every measurement loads, built once per run: a batch-norm network takes ~0.2 CPU s
    to build with Keras' layers, and every measurement's child would build its own (~2.5 CPU s per
    submission). Building starts TensorFlow's graph-runner thread: the judge builds them in a child."""
    return {key: build_scaffold(fn) for fn in scaffold_fns if (key := _scaffold_key(fn)) is not None}


def keep_scaffolds(built: dict[tuple, Scaffold]) -> None:
    _PREBUILT.update(built)


def _scaffold_key(scaffold_fn):
    """What makes a scaffold function build the graph it builds: its code and what it closes over
    (a case's closure made anew, or a partial, gets the same key). None: not told apart safely."""
    if isinstance(scaffold_fn, functools.partial):
        inner = _scaffold_key(scaffold_fn.func)
        bound = repr(scaffold_fn.args) + repr(sorted(scaffold_fn.keywords.items()))
        return None if inner is None or " at 0x" in bound else (inner, bound)
    if not hasattr(scaffold_fn, "__code__"):
        return None
    values = tuple(repr(cell.cell_contents) for cell in scaffold_fn.__closure__ or ())
    values += (repr(scaffold_fn.__defaults__), repr(scaffold_fn.__kwdefaults__))
    if any(" at 0x" in value for value in values):  # known by its address only, which a later object may reuse
        return None
    return (scaffold_fn.__module__, scaffold_fn.__qualname__, values)


@dataclass
class Loaded:
    graph: tf.Graph
    handles: dict               # key -> tensor or op of the imported graph
    variables: list             # the scaffold's tf.Variable objects, rebuilt from the judge's own protos
    initializers: list[str]     # the student's variables' initializers (verified runnable)
    scaffold: Scaffold

    def session(self) -> tf.Session:
        return new_session(self.graph)

    def initialize(self, sess) -> None:
        """The student's variables first, then the scaffold's own initializers (which win)."""
        if self.initializers:
            sess.run(self.initializers)
        sess.run([init for _, init, _ in self.scaffold.variables])

    def values(self, sess, prefix: str = "", names=None) -> dict[str, np.ndarray]:
        wanted = [n for n, _, _ in self.scaffold.variables if names is None or n in names]
        got = sess.run([f"{n}:0" for n in wanted])
        return {prefix + n: np.asarray(v) for n, v in zip(wanted, got)}


def load(blob: bytes, scaffold_fn, targets: list[str], initializers: list[str] = (),
         runs: list[dict] = (), checkpoints: dict[str, str] | None = None) -> Loaded:
    """Verify and import. `targets`: what the judge will run (besides the initializers), unfed;
    `runs`: recorded session runs it will replay, each verified with its own feeds;
    `checkpoints`: {builder's path: judge's path} a restore may read."""
    graph_def = verify.parse(blob)
    scaffold = build_scaffold(scaffold_fn)
    verify.check_scaffold(graph_def, scaffold.nodes)
    allowed = set((checkpoints or {}).keys())
    verify.check_runnable(graph_def, list(targets) + list(initializers), scaffold.nodes, {}, allowed)
    for run in runs:
        verify.check_runnable(graph_def, _fetches(run), scaffold.nodes, run_feeds(run), allowed)
    verify.clear_devices(graph_def)
    for builder_path, judge_path in (checkpoints or {}).items():
        verify.swap_checkpoint(graph_def, {builder_path}, judge_path)
    with fresh_graph() as graph:
        tf.import_graph_def(graph_def, name="")
        handles = {k: graph.as_graph_element(v) for k, v in scaffold.handles.items()}
        variables = [tf.Variable.from_proto(proto) for _, _, proto in scaffold.variables]
    return Loaded(graph, handles, variables, list(initializers), scaffold)


def load_subgraph(blob: bytes, input_name: str, output_name: str, replacement) -> tf.Tensor:
    """Import a function-of-one-tensor graph into the current graph with its input replaced by
    `replacement`; return the output."""
    graph_def = verify.parse(blob)
    verify.check_input(graph_def, input_name)
    verify.check_runnable(graph_def, [output_name], {}, feeds={input_name + ":0": None})
    verify.clear_devices(graph_def)
    [output] = tf.import_graph_def(graph_def, input_map={input_name + ":0": replacement},
                                   return_elements=[output_name], name="student")
    return output


def run_safely(sess, fetches, feed=None):
    """sess.run, with TensorFlow's error text (which a graph could fill with data) replaced by its kind."""
    try:
        return sess.run(fetches, feed)
    except tf.errors.OpError as error:
        where = _(" in op {op} ({type})").format(op=error.op.name[:80], type=error.op.type) \
            if error.op is not None else ""
        raise Refused(_("running the graph your function built failed: {error}").format(
            error=type(error).__name__) + where) from None


def replay(sess, runs: list[dict], paths: dict[str, str], blobs: dict[str, bytes]) -> None:
    """The student's recorded session runs, with the builder's checkpoint path swapped for the judge's."""
    import io
    for run in runs:
        feed = {}
        for name, spec in run["feeds"].items():
            if spec.get("dtype") == "string":
                values = [paths.get(v, v) for v in spec["value"]]
                feed[name] = np.array(values, dtype=object).reshape(spec["shape"])
            else:
                try:
                    feed[name] = np.load(io.BytesIO(blobs[spec["blob"]]), allow_pickle=False)
                except (KeyError, TypeError, ValueError, OSError):
                    raise Refused(_("a recorded session run of your function could not be read back")) from None
        run_safely(sess, _fetches(run), feed)


def _fetches(run: dict) -> list[str]:
    fetches = run.get("fetches") if isinstance(run, dict) else None
    if not isinstance(fetches, list) or not all(isinstance(f, str) for f in fetches):
        raise Refused(_("a recorded session run of your function could not be read back"))
    return fetches


def run_feeds(run: dict) -> dict:
    """{tensor name: value} of one recorded run's feeds (strings as str), for verification."""
    feeds = {}
    for name, spec in (run.get("feeds") or {}).items():
        if not isinstance(spec, dict):
            raise Refused(_("a recorded session run of your function could not be read back"))
        if spec.get("dtype") == "string":
            values = spec.get("value") or []
            feeds[name] = values[0] if len(values) == 1 else repr(values)
        else:
            feeds[name] = "(numbers)"
    return feeds


def load_op(artifact: Artifact, key: str, scaffold_fn) -> tuple[Loaded, str]:
    """The graph of `key`, built by build_op: verified, imported; and the student's op to run."""
    built = artifact.info.get(key)
    if not isinstance(built, dict) or key not in artifact.blobs:
        raise Refused(_("the builder sent nothing for this case"))
    op = str(built.get("op", ""))
    return load(artifact.blobs[key], scaffold_fn, [op], student_initializers(built)), op


def student_initializers(built: dict) -> list[str]:
    """The initializer op names a builder listed for the student's variables (verified by `load`)."""
    listed = built.get("initializers", [])
    return [str(n) for n in listed][:10000] if isinstance(listed, list) else []
