# Passes rate as tf.nn.dropout's second positional argument, which in TF 1.x is keep_prob.
def dropout_layer(inputs, rate, training):
    return tf.cond(training, lambda: tf.nn.dropout(inputs, rate), lambda: inputs)
