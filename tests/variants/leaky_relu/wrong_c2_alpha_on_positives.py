# Wrong (corpus 2, written apart from the grader): slope applied on the positive side
def leaky_relu(z, alpha=0.01, name=None):
    return tf.where(z > 0, alpha * z, z, name=name)
