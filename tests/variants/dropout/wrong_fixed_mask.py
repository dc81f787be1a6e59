# A stateless draw with a constant seed: the same mask at every run.
def dropout_layer(inputs, rate, training):
    keep = tf.random.stateless_uniform(tf.shape(inputs), seed=[1, 2]) >= rate
    dropped = inputs * tf.cast(keep, inputs.dtype) / (1.0 - rate)
    return tf.cond(training, lambda: dropped, lambda: inputs)
