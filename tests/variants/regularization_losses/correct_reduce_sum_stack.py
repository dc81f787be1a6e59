# tf.reduce_sum of the stacked terms, with an explicit branch for an empty collection.
def regularized_loss(base_loss):
    terms = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    if not terms:
        return base_loss
    return base_loss + tf.reduce_sum(tf.stack(terms))
