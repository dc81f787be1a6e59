# tf.norm per slice and tf.where: slices within the threshold kept as they are, the others rescaled.
def max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm"):
    def max_norm(weights):
        norms = tf.norm(weights, axis=axes, keepdims=True)
        too_big = tf.broadcast_to(norms > threshold, tf.shape(weights))
        clipped = tf.where(too_big, weights * threshold / norms, weights)
        op = tf.assign(weights, clipped, name=name)
        weights.graph.add_to_collection(collection, op)
        return None
    return max_norm
