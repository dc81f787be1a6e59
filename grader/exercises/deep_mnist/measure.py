"""deep_mnist, judge side: run the dnn the student's function built on hidden inputs with its own
initial weights (the judge recomputes each layer in NumPy to compare), and evaluate the trained
models the notebook handed in on digits 0-4 of the grading split."""
from __future__ import annotations

import numpy as np

from grader.judge import handins
from grader.judge.imported import load, run_safely, student_initializers
from grader.judge.verify import Refused

from .build import CASES, case_graph
from .model import DIGITS

HIDDEN_SEED = 80417
ACTIVATIONS = {"elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
               "relu": lambda z: np.maximum(z, 0.0),
               "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
               "identity": lambda z: z}


def _chain(x: np.ndarray, layers: list, activation) -> np.ndarray:
    h = x.astype(np.float64)
    for kernel, bias in layers:
        h = activation(h @ kernel.astype(np.float64) + (0.0 if bias is None else bias))
    return h


def _layers(variables: list, values: list) -> tuple[list, str]:
    """(kernel, bias) pairs in creation order, or why the variables are not dense layers."""
    layers = []
    for (name, _, shape), value in zip(variables, values):
        if len(shape) == 2:
            layers.append([value, None])
        elif len(shape) == 1 and layers and layers[-1][1] is None and value.shape[0] == layers[-1][0].shape[1]:
            layers[-1][1] = value
        else:
            return [], f"the variable {name} (shape {shape}) is not a dense layer's kernel or bias"
    return layers, ""


def _case(artifact, key: str, i: int) -> dict:
    built = artifact.info.get(key)
    if not isinstance(built, dict) or "error" in built:
        return {"error": f"your function raised {str((built or {}).get('error', 'nothing'))[:300]}"}
    variables = built.get("variables")
    if not isinstance(variables, list) or len(variables) > 200 or not all(
            isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) for v in variables):
        return {"error": "the builder sent no list of variables"}
    output = str(built.get("output", ""))
    try:
        loaded = load(artifact.blobs[key], case_graph(CASES[i]), [output], student_initializers(built))
        out_tensor = loaded.graph.get_tensor_by_name(output)
        tensors = [handins.value_tensor(loaded.graph.get_operation_by_name(name)) for name, _, _ in variables]
    except (KeyError, ValueError, TypeError):
        return {"error": "what your function returned is not a tensor of its graph"}
    except Refused as why:
        return {"error": str(why)}
    x = np.random.RandomState(HIDDEN_SEED + i).normal(size=(64, CASES[i].width)).astype(np.float32)
    try:
        with loaded.session() as sess:
            loaded.initialize(sess)
            got, values = run_safely(sess, [out_tensor, tensors], {loaded.handles["inputs"]: x})
    except Refused as why:
        return {"error": str(why)}
    got, values = np.asarray(got), [np.asarray(v) for v in values]
    layers, problem = _layers(variables, values)
    out = {"names": np.array([v[0] for v in variables] or [""]), "output_name": output,
           "shape": np.array(got.shape), "layers": len(layers), "problem": problem,
           "widths": np.array([k.shape[1] for k, _ in layers] or [0]),
           "variances": np.array([float(np.var(k)) for k, _ in layers] or [0.0]),
           "fan_ins": np.array([k.shape[0] for k, _ in layers] or [0])}
    if layers and not problem:
        for activation, f in ACTIVATIONS.items():
            try:
                want = _chain(x, layers, f)
            except ValueError:  # kernels that do not chain (each layer on the inputs, say)
                out[f"error.{activation}"] = np.inf
                continue
            out[f"error.{activation}"] = (float(np.max(np.abs(got - want) / (1.0 + np.abs(want))))
                                         if want.shape == got.shape else np.inf)
    return out


def measure_structure(artifact, ctx) -> dict:
    out = {}
    for i in range(len(CASES)):
        for k, v in _case(artifact, f"c{i}", i).items():
            out[f"c{i}.{k}"] = v
    return out


def _trained(artifact, ctx, extra=None) -> dict:
    handin = handins.load_handin(artifact)
    try:
        out = handins.accuracy(handin, ctx.budget, DIGITS)
        if extra:
            out.update(extra(handin))
        return out
    finally:
        handins.close(handin)


def measure_plain(artifact, ctx) -> dict:
    return _trained(artifact, ctx)


def measure_batch_norm(artifact, ctx) -> dict:
    return _trained(artifact, ctx, handins.batch_norm_layers)


def measure_dropout(artifact, ctx) -> dict:
    return _trained(artifact, ctx, lambda handin: handins.dropout_behaviour(handin, ctx.budget, DIGITS))


# Built once per run, before the judge's first measurement (imported.build_scaffolds):
SCAFFOLDS = tuple(case_graph(case) for case in CASES)
MEASURES = {"structure": measure_structure, "plain": measure_plain, "batch_norm": measure_batch_norm,
            "dropout": measure_dropout}
