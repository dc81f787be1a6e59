# One draw per row (noise_shape=[batch, 1, ...]): a whole row is dropped or kept together.
def dropout_layer(inputs, rate, training):
    shape = tf.shape(inputs)
    noise_shape = tf.concat([shape[:1], tf.ones_like(shape[1:])], axis=0)
    return tf.cond(training, lambda: tf.nn.dropout(inputs, rate=rate, noise_shape=noise_shape), lambda: inputs)
