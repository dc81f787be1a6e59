# Builds the assign op but never adds it to the collection, so nothing runs it.
def max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm"):
    def max_norm(weights):
        clipped = tf.clip_by_norm(weights, clip_norm=threshold, axes=axes)
        tf.assign(weights, clipped, name=name)
        return None
    return max_norm
