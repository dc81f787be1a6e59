# Clips along the other axis (axes=0 for 1 and 1 for 0): columns instead of rows.
def max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm"):
    def max_norm(weights):
        clipped = tf.clip_by_norm(weights, clip_norm=threshold, axes=1 - axes)
        tf.add_to_collection(collection, tf.assign(weights, clipped, name=name))
        return None
    return max_norm
