# Correct: loop over loss.graph's TRAINABLE_VARIABLES collection (scope as regex), building var_list by hand.
def frozen_training_op(optimizer, loss, train_scope="hidden[34]|outputs"):
    var_list = []
    for var in loss.graph.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, train_scope):
        var_list.append(var)
    return optimizer.minimize(loss, var_list=var_list)
