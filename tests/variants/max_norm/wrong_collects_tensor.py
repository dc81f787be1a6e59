# Adds the clipped tensor (not an assign op) to the collection: running it changes no weight.
def max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm"):
    def max_norm(weights):
        tf.add_to_collection(collection, tf.clip_by_norm(weights, clip_norm=threshold, axes=axes, name=name))
        return None
    return max_norm
