# A manual mask: keep where a uniform draw is >= rate, divide by 1 - rate; tf.where_v2 picks the mode.
def dropout_layer(inputs, rate, training):
    keep = tf.cast(tf.random_uniform(tf.shape(inputs)) >= rate, inputs.dtype)
    dropped = inputs * keep / (1.0 - rate)
    return tf.where_v2(training, dropped, inputs)
