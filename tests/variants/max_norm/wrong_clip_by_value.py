# Clips each weight to [-threshold, threshold] instead of each slice's norm.
def max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm"):
    def max_norm(weights):
        clipped = tf.clip_by_value(weights, -threshold, threshold)
        tf.add_to_collection(collection, tf.assign(weights, clipped, name=name))
        return None
    return max_norm
