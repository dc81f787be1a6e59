# Correct: takes the collection from sess.graph (by its string key) instead of the default graph.
def restore_reused_layers(sess, checkpoint_path, scope="hidden[123]"):
    graph = sess.graph
    with graph.as_default():
        var_list = graph.get_collection("variables", scope)
        tf.train.Saver(var_list=var_list, name="reuse_saver").restore(sess, checkpoint_path)
    return list(var_list)
