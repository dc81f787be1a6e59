"""Rebuild examples/submissions/ from the templates and tests/variants/ (run after `grader generate`).

    python examples/build.py
"""
import shutil
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from submissions import fill, solutions, variant, write_submission  # noqa: E402

root = HERE / "submissions"
shutil.rmtree(root, ignore_errors=True)
# Alice: everything right, none of it written like the reference; she also added cells of her own.
alice = write_submission(root / "alice_correct", solutions())
nb = nbformat.read(str(alice / "01_leaky_relu.ipynb"), 4)
at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution")) + 2
nb.cells.insert(at, nbformat.v4.new_markdown_cell("My own check: the slope for negative inputs is alpha."))
nb.cells.insert(at + 1, nbformat.v4.new_code_cell("print(np.round(np.linspace(-2, 2, 5), 1))"))
nbformat.write(nb, str(alice / "01_leaky_relu.ipynb"))
# Bob: forgot the batch-norm update ops, and used clip_by_norm.
write_submission(root / "bob_update_ops_and_clip_by_norm", solutions(
    bn_update_ops="wrong_forgets_update_ops", clipped_apply_gradients="wrong_clip_by_norm"))
# Carol: restores every variable, and trains the frozen layers.
write_submission(root / "carol_restore_all_train_all", solutions(
    reuse_layers="wrong_restore_all", freeze_layers="wrong_trains_everything"))
# Dave: only did the first notebook, with alpha hard-coded, and submitted that file alone.
nbformat.write(fill("01_leaky_relu", {"leaky_relu": variant("leaky_relu", "wrong_hardcoded_alpha")}),
               str(root / "dave_leaky_relu.ipynb"))
print(f"wrote {root}")
