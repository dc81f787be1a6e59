# Ignores training: dropout also at test time.
def dropout_layer(inputs, rate, training):
    return tf.nn.dropout(inputs, rate=rate)
