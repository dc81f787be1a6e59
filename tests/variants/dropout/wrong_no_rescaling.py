# Drops elements but forgets to scale the kept ones by 1 / (1 - rate).
def dropout_layer(inputs, rate, training):
    keep = tf.cast(tf.random_uniform(tf.shape(inputs)) >= rate, inputs.dtype)
    return tf.cond(training, lambda: inputs * keep, lambda: inputs)
