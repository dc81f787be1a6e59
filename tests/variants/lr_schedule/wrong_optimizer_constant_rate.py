# The optimizer gets the constant initial_learning_rate; the decayed tensor is returned but never used by the steps.
def scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000, decay_rate=0.1, momentum=0.9):
    global_step = tf.Variable(0, trainable=False, name="global_step")
    learning_rate = tf.train.exponential_decay(initial_learning_rate, global_step, decay_steps, decay_rate)
    optimizer = tf.train.MomentumOptimizer(initial_learning_rate, momentum=momentum)
    return optimizer.minimize(loss, global_step=global_step), learning_rate
