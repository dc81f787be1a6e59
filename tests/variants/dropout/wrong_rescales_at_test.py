# Old-style dropout: no scaling while training, inputs multiplied by 1 - rate at test time.
def dropout_layer(inputs, rate, training):
    keep = tf.cast(tf.random_uniform(tf.shape(inputs)) >= rate, inputs.dtype)
    return tf.cond(training, lambda: inputs * keep, lambda: inputs * (1.0 - rate))
