# The step is advanced twice per run: minimize(global_step=...) and an extra tf.assign_add.
def scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000, decay_rate=0.1, momentum=0.9):
    global_step = tf.Variable(0, trainable=False, name="global_step")
    learning_rate = tf.train.exponential_decay(initial_learning_rate, global_step, decay_steps, decay_rate)
    minimize = tf.train.MomentumOptimizer(learning_rate, momentum=momentum).minimize(loss, global_step=global_step)
    with tf.control_dependencies([minimize]):
        extra = tf.assign_add(global_step, 1)
    return tf.group(minimize, extra), learning_rate
