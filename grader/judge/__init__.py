"""The judge: where no student code ever runs. It imports what a builder exported, verifies it
(the grader's scaffold unchanged, only allowed ops), and itself evaluates, trains and measures.
Never shipped to students or staged into a sandbox."""
