"""reuse_layers, judge side: replay the student's recorded restore on the verified graph, against the
judge's own checkpoints; train the new model on the restored layers (the judge freezes them)."""
from __future__ import annotations

import tempfile

import numpy as np

from grader import graphs
from grader.graphs import tf
from grader.judge.imported import load, replay
from grader.judge.training import book_frozen_op, fit, held_out_accuracy
from grader.judge.verify import Refused

from .build import CASES, new_model, old_model
from .model import HYPERPARAMETERS as BOOK, scaffold
from grader.i18n import _


def _load_recorded(artifact, key: str, scaffold, judge_checkpoint: str):
    built = artifact.info.get(key)
    if not isinstance(built, dict) or key not in artifact.blobs:
        raise Refused(_("the builder sent nothing for this case"))
    runs = built.get("runs") or []
    builder_checkpoint = str(built.get("checkpoint", ""))
    if not isinstance(runs, list):
        raise Refused(_("the recorded session runs of your function could not be read back"))
    loaded = load(artifact.blobs[key], scaffold, [], runs=runs, checkpoints={builder_checkpoint: judge_checkpoint})
    return loaded, built, runs, {builder_checkpoint: judge_checkpoint}


def measure_restore(artifact, ctx) -> dict:
    out = {}
    folder = tempfile.mkdtemp(dir=ctx.scratch)
    for i, _ in enumerate(CASES):
        checkpoint = graphs.save_untrained(old_model(i), f"{folder}/reuse-{i}.ckpt")
        loaded, built, runs, paths = _load_recorded(artifact, f"r{i}", new_model(i), checkpoint)
        with loaded.session() as sess:
            loaded.initialize(sess)
            out.update(loaded.values(sess, f"r{i}.before:"))
            replay(sess, runs, paths, artifact.blobs)
            out.update(loaded.values(sess, f"r{i}.after:"))
        out[f"r{i}.returned"] = np.array(sorted(str(n)[:200] for n in built.get("returned", [])[:1000]), dtype=str)
        out[f"r{i}.returned_type"] = np.array(str(built.get("returned_type", ""))[:40])
    return out


def measure_trained(artifact, ctx) -> dict:
    """New hidden4 and outputs on the pretrained hidden1-3, restored by the student's function;
    the judge trains hidden4 and outputs only (SGD 0.01, batches of 50)."""
    loaded, _, runs, paths = _load_recorded(artifact, "model", scaffold, ctx.pretrained)
    h = loaded.handles
    with loaded.graph.as_default():
        training_op = book_frozen_op(tf.train.GradientDescentOptimizer(BOOK["learning_rate"]), h["loss"],
                                     loaded.variables, BOOK["trained_layers"])
    with loaded.session() as sess:
        loaded.initialize(sess)
        replay(sess, runs, paths, artifact.blobs)
        _require_the_checkpoints_values(sess, loaded, ctx.pretrained, BOOK["reused_layers"])
        fit(sess, h["X"], h["y"], training_op, ctx.budget, batch_size=BOOK["batch_size"])
        return {"accuracy": held_out_accuracy(sess, h["X"], h["y"], h["accuracy"], ctx.budget)}


def _require_the_checkpoints_values(sess, loaded, checkpoint: str, scope: str) -> None:
    """What the replayed runs restored must be the pretrained values, not values of the student's own
    (which a recorded feed could carry in)."""
    import re
    reader = tf.train.load_checkpoint(checkpoint)
    for name, value in loaded.values(sess).items():
        if re.match(scope, name) and reader.has_tensor(name) and not np.array_equal(value, reader.get_tensor(name)):
            raise Refused(_("after your function ran, {name} does not hold the pretrained checkpoint's values")
                          .format(name=name))


# Built once per run, before the judge's first measurement (imported.build_scaffolds):
SCAFFOLDS = (*(new_model(i) for i in range(len(CASES))), scaffold)
MEASURES = {"restore": measure_restore, "trained": measure_trained}
