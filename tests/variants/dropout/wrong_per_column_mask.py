# One draw per feature (noise_shape=[1, ...]), shared by every row of the batch.
def dropout_layer(inputs, rate, training):
    shape = tf.shape(inputs)
    noise_shape = tf.concat([tf.ones_like(shape[:1]), shape[1:]], axis=0)
    return tf.cond(training, lambda: tf.nn.dropout(inputs, rate=rate, noise_shape=noise_shape), lambda: inputs)
