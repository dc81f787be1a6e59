# Correct (corpus 2, written apart from the grader): multiplies z by a slope tensor chosen with tf.where on ones_like; tf.compat.v1 spellings
def leaky_relu(z, alpha=0.01, name=None):
    ones = tf.ones_like(z)
    slope = tf.where(tf.greater_equal(z, 0), ones, alpha * ones)
    if name is None:
        return tf.multiply(z, slope)
    return tf.multiply(z, slope, name=name)
