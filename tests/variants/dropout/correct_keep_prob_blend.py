# keep_prob = 1 - rate with tf.nn.dropout's v1 keyword, blended with the inputs by a 0/1 factor.
def dropout_layer(inputs, rate, training):
    on = tf.cast(training, inputs.dtype)
    dropped = tf.nn.dropout(inputs, keep_prob=1.0 - rate)
    return on * dropped + (1.0 - on) * inputs
