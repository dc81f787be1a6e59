# The classic floor trick: floor(keep_prob + uniform) is 1 with probability keep_prob, under tf.cond.
def dropout_layer(inputs, rate, training):
    keep_prob = 1.0 - rate
    def dropped():
        mask = tf.floor(keep_prob + tf.random_uniform(tf.shape(inputs), dtype=inputs.dtype))
        return tf.div(inputs, keep_prob) * mask
    return tf.cond(training, dropped, lambda: inputs)
