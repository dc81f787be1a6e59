"""deep_mnist, builder side: the student's dnn on inputs and arguments the student never sees
(its defaults, and two other settings), exported with the variables it created. The trained models
are not built here: the notebook hands them in (grader.save_for_grading) and the judge loads them."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    width: int                     # the inputs' width
    arguments: dict = field(default_factory=dict)  # keyword arguments besides inputs (by name)
    layers: int = 5
    neurons: int = 100
    activation: str = "elu"
    variance: str = "he"           # "he": 2 / fan_in; else the given initializer's (uniform on ±0.5: 1/12)
    scope: str | None = None

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.arguments.items())
        from grader.i18n import _
        return _("dnn(inputs of width {width}{arguments})").format(width=self.width,
                                                                   arguments=", " + shown if shown else "")


CASES = (
    Case(784),
    Case(30, {"n_hidden_layers": 3, "n_neurons": 17, "name": "net7", "activation": "tf.nn.relu",
              "initializer": "tf.random_uniform_initializer(-0.5, 0.5)"}, 3, 17, "relu", "uniform", "net7"),
    Case(12, {"n_hidden_layers": 1, "n_neurons": 40, "activation": "tf.nn.sigmoid"}, 1, 40, "sigmoid"),
)


def case_graph(case: Case):
    def scaffold() -> dict:
        from grader.graphs import tf
        return {"inputs": tf.placeholder(tf.float32, shape=(None, case.width), name="inputs")}
    return scaffold


def _arguments(case: Case, tf) -> dict:
    values = {"tf.nn.relu": tf.nn.relu, "tf.nn.sigmoid": tf.nn.sigmoid,
              "tf.random_uniform_initializer(-0.5, 0.5)": tf.random_uniform_initializer(-0.5, 0.5, seed=7)}
    return {k: values.get(v, v) if isinstance(v, str) else v for k, v in case.arguments.items()}


def build_structure(fn, workdir):
    from grader.graphs import fresh_graph, graph_bytes, tf, variable_initializers
    info, blobs = {}, {}
    for i, case in enumerate(CASES):
        key = f"c{i}"
        try:
            with fresh_graph() as graph:
                inputs = case_graph(case)()["inputs"]
                output = tf.convert_to_tensor(fn(inputs, **_arguments(case, tf)))
                variables = graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)
                info[key] = {"output": output.name, "initializers": variable_initializers(),
                             "variables": [[v.op.name, v.op.type, v.shape.as_list()] for v in variables]}
            blobs[key] = graph_bytes(graph)
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure is the student's to read
            info[key] = {"error": f"{type(error).__name__}: {error}"[:300]}
    return info, blobs


BUILDS = {"structure": build_structure}
