# tf.add_n of the collection alone: fine with regularizers, raises ValueError on an empty collection.
def regularized_loss(base_loss):
    return base_loss + tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
