# Correct (corpus 2, written apart from the grader): (1+alpha)/2*z + (1-alpha)/2*|z| == max(alpha z, z); named via identity only when given
def leaky_relu(z, alpha=0.01, name=None):
    out = 0.5 * (1 + alpha) * z + 0.5 * (1 - alpha) * tf.abs(z)
    if name:
        out = tf.identity(out, name=name)
    return out
