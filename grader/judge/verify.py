"""Verify a graph a student's process built, before the judge runs any of it.

A graph is a program too: it could read files (ReadFile, a Restore from another path),
call back into Python (PyFunc), loop forever (while_loop), or carry data out in an error.
So the judge runs only nodes whose every dependency is an allowed op, never shows an op's
error text, and requires the grader's own scaffold to be in the graph unchanged.
"""
from __future__ import annotations

from tensorflow.core.framework import graph_pb2
from tensorflow.python.framework import op_def_registry, tensor_util
from google.protobuf.message import DecodeError

from grader.i18n import _

MAX_GRAPH_BYTES = 64 << 20
MAX_STUDENT_CONST_BYTES = 1 << 20  # no room to smuggle in trained weights
MAX_NAME = 80

# Stateful ops a training step legitimately uses; every other stateful op is refused.
STATEFUL_ALLOWED = {
    "VariableV2", "Variable", "VarHandleOp", "ReadVariableOp", "AssignVariableOp", "AssignAddVariableOp",
    "AssignSubVariableOp", "VarIsInitializedOp", "IsVariableInitialized", "Assign", "AssignAdd", "AssignSub",
    "RandomUniform", "RandomStandardNormal", "TruncatedNormal", "RandomUniformInt", "RandomShuffle",
    "RandomGamma", "RandomPoisson", "RandomPoissonV2", "Multinomial", "ParameterizedTruncatedNormal",
    "Assert", "Print", "PrintV2", "NoOp", "Placeholder", "PlaceholderV2", "PlaceholderWithDefault",
    "RestoreV2", "Restore", "RestoreSlice",  # only from the judge's checkpoint: see _restore_ok
}
STATEFUL_PREFIXES = ("Apply", "ResourceApply", "SparseApply", "ResourceSparseApply", "Scatter", "ResourceScatter",
                     "StatelessRandom")
# Refused even when TensorFlow calls them stateless: files, processes, Python, loops, functions, devices.
DENIED_PARTS = ("File", "Proto", "Checkpoint", "Remap", "Vocab", "ImmutableConst", "Summary", "Debug",
                "Dataset", "Iterator", "Reader", "Queue", "PyFunc", "Call", "Function", "While", "Enter",
                "Exit", "NextIteration", "LoopCond", "Send", "Recv", "Collective", "Nccl", "TPU", "Tpu",
                "Xla", "Rpc", "Barrier", "Stage", "TensorArray", "TensorList", "Stack", "Save", "Mutex",
                "Lookup", "Table", "Load", "Write", "Fingerprint", "Audio", "Image", "Jpeg", "Png", "Gif",
                "Bmp", "Wav", "Matching", "Shard")
DENIED = {"If", "StatelessIf", "Case", "StatelessCase", "ReadFile"}
PRINT_STREAMS = {"stderr", "stdout", "log(info)", "log(warning)", "log(error)"}


class Refused(Exception):
    """The graph is not run; the message is for the student."""


def parse(blob: bytes) -> graph_pb2.GraphDef:
    if len(blob) > MAX_GRAPH_BYTES:
        raise Refused(_("the graph your function built is {size} MiB, over the {limit} MiB limit").format(
            size=len(blob) >> 20, limit=MAX_GRAPH_BYTES >> 20))
    graph = graph_pb2.GraphDef()
    try:
        graph.ParseFromString(blob)
    except (DecodeError, RuntimeWarning, ValueError):
        raise Refused(_("the graph your function built could not be read")) from None
    if graph.library.function or graph.library.gradient:
        raise Refused(_("the graph your function built defines TensorFlow functions (tf.function, functional "
                        "control flow); the exercises need none"))
    return graph


def _short(name: str) -> str:
    return name if len(name) <= MAX_NAME else name[:MAX_NAME] + "..."


# A marker TensorFlow itself sets on an existing op when a later op depends on it by control.
_MARKERS = ("_has_manual_control_dependencies",)


def _comparable(node):
    if not any(m in node.attr for m in _MARKERS):
        return node
    node = type(node).FromString(node.SerializeToString())
    for marker in _MARKERS:
        if marker in node.attr:
            del node.attr[marker]
    return node


def check_scaffold(graph: graph_pb2.GraphDef, scaffold: dict) -> None:
    """Every node of the grader's scaffold must be in the student's graph, unchanged."""
    nodes = {n.name: n for n in graph.node}
    if len(nodes) != len(graph.node):
        raise Refused(_("the graph your function built has two nodes of the same name"))
    for name, node in scaffold.items():
        mine = nodes.get(name)
        if mine is None:
            raise Refused(_("the grader's node {node} is missing from the graph your function built (was the graph "
                            "replaced or reset?)").format(node=_short(name)))
        if _comparable(mine) != _comparable(node):
            raise Refused(_("your function changed the grader's node {node} (op {op}); build new ops instead of "
                            "rewiring existing ones").format(node=_short(name), op=node.op))


def _node_name(ref: str) -> str:
    return ref.lstrip("^").split(":")[0]


def _string_const(node) -> list[bytes] | None:
    if node.op != "Const":
        return None
    try:
        value = tensor_util.MakeNdarray(node.attr["value"].tensor)
    except Exception:  # noqa: BLE001
        return None
    return [v for v in value.ravel()] if value.dtype.kind in "SO" else None


def _restore_ok(node, nodes: dict, feeds: dict, checkpoints: set[str]) -> bool:
    """A restore reads only from a checkpoint the judge names: its prefix is fed with, or is a constant
    holding, the path the builder was given (the judge swaps in its own)."""
    if not node.input or node.input[0].startswith("^"):
        return False
    tensor = _fed_tensor(node.input[0])
    fed = [v for k, v in feeds.items() if _fed_tensor(k) == tensor]
    if fed:
        return all(isinstance(v, str) and v in checkpoints for v in fed)
    prefix = _node_name(tensor)
    values = _string_const(nodes.get(prefix)) if prefix in nodes and tensor.endswith(":0") else None
    return bool(values) and all(v.decode("utf-8", "replace") in checkpoints for v in values)


def _allowed(node, nodes, feeds, checkpoints) -> str | None:
    """None when the node may run; else why not."""
    op = node.op
    if op in ("RestoreV2", "Restore", "RestoreSlice"):
        return None if _restore_ok(node, nodes, feeds, checkpoints) else \
            _("restores from a file the grader did not give it")
    if op in DENIED or (op not in STATEFUL_ALLOWED and any(part in op for part in DENIED_PARTS)):
        return _("reads or writes files, calls Python, loops or calls functions")
    if op == "PrintV2" and node.attr["output_stream"].s.decode() not in PRINT_STREAMS:
        return _("prints to a file")
    try:
        op_def = op_def_registry.get(op)
    except Exception:  # noqa: BLE001
        op_def = None
    if op_def is None:
        return _("is not a TensorFlow op this grader knows")
    if op_def.is_stateful and op not in STATEFUL_ALLOWED and not op.startswith(STATEFUL_PREFIXES):
        return _("is a stateful op the exercises do not need")
    return None


def _fed_tensor(ref: str) -> str:
    """A data input or fetch as a tensor name: 'x' is 'x:0'."""
    return ref if ":" in ref else ref + ":0"


def check_runnable(graph: graph_pb2.GraphDef, targets: list[str], scaffold: dict,
                   feeds: dict | None = None, checkpoints: set[str] = frozenset()) -> None:
    """Everything one session run of `targets` with `feeds` would run must be allowed; the student's
    constants small. A fed tensor cuts only its own edges: its node still runs when anything else
    (another output, a control input) needs it. Call it once per run, with that run's feeds."""
    nodes = {n.name: n for n in graph.node}
    feeds = feeds or {}
    fed = {_fed_tensor(k) for k in feeds}
    seen = set()
    stack = [_node_name(t) for t in targets if not (":" in t and t in fed)]
    const_bytes = 0
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        node = nodes.get(name)
        if node is None:
            raise Refused(_("the graph your function built has no node {node}").format(node=_short(name)))
        if name in scaffold:
            if node.op in ("RestoreV2", "Restore", "RestoreSlice"):
                raise Refused("restore op in the scaffold")  # never: the grader's scaffolds have none
        else:
            why = _allowed(node, nodes, feeds, checkpoints)
            if why:
                raise Refused(_("the graph your function built has an op the grader does not run: {node} ({op}) "
                                "{why}").format(node=_short(name), op=node.op, why=why))
            if node.op == "Const":
                const_bytes += node.ByteSize()
        for ref in node.input:
            if ref.startswith("^") or _fed_tensor(ref) not in fed:
                stack.append(_node_name(ref))
    if const_bytes > MAX_STUDENT_CONST_BYTES:
        raise Refused(_("the constants your function adds take {size} MiB (at most {limit} MiB): build the values "
                        "with ops, not constants").format(size=f"{const_bytes / 2**20:.1f}",
                                                          limit=MAX_STUDENT_CONST_BYTES >> 20))


def check_input(graph: graph_pb2.GraphDef, name: str) -> None:
    """The input the judge replaces must be a plain placeholder or constant: nothing hides behind it."""
    node = next((n for n in graph.node if n.name == name), None)
    if node is None or node.op not in ("Placeholder", "PlaceholderV2", "Const") or node.input:
        raise Refused(_("the input {name} of the graph your function built is not the grader's placeholder")
                      .format(name=repr(name)))


def clear_devices(graph: graph_pb2.GraphDef) -> None:
    """The judge places every op itself (on its CPU)."""
    for node in graph.node:
        node.device = ""


def swap_checkpoint(graph: graph_pb2.GraphDef, builder_paths: set[str], judge_path: str) -> None:
    """Constants naming the builder's checkpoint now name the judge's."""
    for node in graph.node:
        values = _string_const(node)
        if values and any(v.decode("utf-8", "replace") in builder_paths for v in values):
            node.attr["value"].tensor.CopyFrom(tensor_util.make_tensor_proto(
                [judge_path if v.decode("utf-8", "replace") in builder_paths else v for v in values],
                shape=list(tensor_util.MakeNdarray(node.attr["value"].tensor).shape)))
