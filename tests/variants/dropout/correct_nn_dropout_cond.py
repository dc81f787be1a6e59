# tf.nn.dropout(rate=...) under tf.cond: dropout in the true branch, the inputs in the false one.
def dropout_layer(inputs, rate, training):
    return tf.cond(training, lambda: tf.nn.dropout(inputs, rate=rate), lambda: tf.identity(inputs))
