# A manual norm formula: scale each slice by min(1, threshold / norm), assigned with weights.assign.
def max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm"):
    def max_norm(weights):
        norms = tf.sqrt(tf.reduce_sum(tf.square(weights), axis=axes, keepdims=True))
        factor = tf.minimum(1.0, threshold / tf.maximum(norms, 1e-12))
        tf.add_to_collection(collection, weights.assign(weights * factor))
    return max_norm
