# The book's code: tf.layers.dropout with the rate and the training switch.
def dropout_layer(inputs, rate, training):
    return tf.layers.dropout(inputs, rate, training=training)
