# compute_gradients / apply_gradients(global_step=...), the step and rate made in a name scope of their own.
def scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000, decay_rate=0.1, momentum=0.9):
    with tf.name_scope("lr_schedule"):
        global_step = tf.Variable(0, trainable=False, name="global_step", dtype=tf.int32)
        learning_rate = tf.train.exponential_decay(initial_learning_rate, global_step, decay_steps, decay_rate)
    optimizer = tf.train.MomentumOptimizer(learning_rate, momentum)
    grads_and_vars = optimizer.compute_gradients(loss)
    training_op = optimizer.apply_gradients(grads_and_vars, global_step=global_step)
    return training_op, learning_rate
