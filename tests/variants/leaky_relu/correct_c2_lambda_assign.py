# Correct (corpus 2, written apart from the grader): function defined as a lambda assigned to the name (a simple assignment)
leaky_relu = lambda z, alpha=0.01, name=None: tf.maximum(alpha * z, z, name=name)
