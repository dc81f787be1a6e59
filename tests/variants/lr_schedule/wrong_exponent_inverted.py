# Wrong exponent: decay_rate ** (decay_steps / k), the fraction upside down (and 0 before the first step).
def scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000, decay_rate=0.1, momentum=0.9):
    global_step = tf.Variable(0, trainable=False, name="global_step")
    k = tf.cast(global_step, tf.float32)
    learning_rate = initial_learning_rate * tf.pow(decay_rate, decay_steps / k)
    optimizer = tf.train.MomentumOptimizer(learning_rate, momentum=momentum)
    return optimizer.minimize(loss, global_step=global_step), learning_rate
