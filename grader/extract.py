"""Turn a student's notebook into the program the builder runs: the
notebook's definitions, without its training runs.

Every code cell, in order, is reduced to its top-level imports, function and
class definitions, and assignments built only from imported modules, literals
and names defined before (so `he_init = tf.variance_scaling_initializer()` and
`n_hidden1 = 300` stay, `hidden1 = my_dense(X, ...)` and `sess.run(...)` go).
The builder then calls the student's functions on the grader's own scaffolds.
"""
from __future__ import annotations

import ast
import builtins

from IPython.core.inputtransformer2 import TransformerManager

_TO_PYTHON = TransformerManager()
_BUILTINS = set(dir(builtins))


def _imported_names(node: ast.stmt) -> set[str]:
    return {(alias.asname or alias.name).split(".")[0] for alias in node.names}


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _locally_bound(node: ast.expr) -> set[str]:
    """Names bound inside the expression itself (lambda and comprehension variables)."""
    bound = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Lambda):
            bound |= {a.arg for a in sub.args.args + sub.args.kwonlyargs + sub.args.posonlyargs}
            bound |= {a.arg for a in (sub.args.vararg, sub.args.kwarg) if a}
        elif isinstance(sub, ast.comprehension):
            bound |= {n.id for n in ast.walk(sub.target) if isinstance(n, ast.Name)}
    return bound


def _walk_outside_lambdas(node: ast.AST):
    """Like ast.walk, but a lambda's body is not entered (assigning a lambda runs none of it)."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(node, ast.Lambda) and child is node.body:
            continue
        yield from _walk_outside_lambdas(child)


def _is_static(value: ast.expr, known: set[str], modules: set[str]) -> bool:
    """Built only from literals, known names, and calls of imported modules' attributes or partial()."""
    bound = _locally_bound(value)
    for sub in _walk_outside_lambdas(value):
        if isinstance(sub, ast.Name) and sub.id not in known | bound | _BUILTINS:
            return False
        if isinstance(sub, ast.Call):
            func = sub.func
            module_call = isinstance(func, ast.Attribute) and _root_name(func) in modules
            if not module_call and not (isinstance(func, ast.Name) and func.id in {"partial", *_BUILTINS}):
                return False
    return True


def _targets(node: ast.stmt) -> set[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


# Cell magics whose body is Python that IPython runs as usual (once or more): its definitions count.
_PYTHON_BODY_MAGICS = {"time", "timeit", "capture", "prun"}


def _python_body(source: str) -> str | None:
    """The Python a cell runs: a `%%time`-like cell's body; None for a cell in another language
    (`%%bash`, `%%writefile`, ...)."""
    stripped = source.lstrip()
    if not stripped.startswith("%%"):
        return source
    first, _, body = stripped.partition("\n")
    magic = (first[2:].split() or [""])[0]
    return body if magic in _PYTHON_BODY_MAGICS else None


def definitions(source: str, known: set[str], modules: set[str]) -> list[str]:
    """The statements of one cell worth keeping, as source; updates `known` and `modules`."""
    source = _python_body(source)
    if source is None:
        return []
    try:
        tree = ast.parse(_TO_PYTHON.transform_cell(source))
    except SyntaxError:
        return []
    kept = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = _imported_names(node)
            modules |= names
            known |= names
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            known.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None \
                and _is_static(node.value, known, modules):
            known |= _targets(node)
        else:
            continue
        kept.append(ast.unparse(node))
    return kept


def program(cells: list[str]) -> list[str]:
    """The kept statements of a notebook's code cells, in notebook order, one string per statement."""
    known: set[str] = set()
    modules: set[str] = set()
    statements: list[str] = []
    for source in cells:
        statements += definitions(source, known, modules)
    return statements
