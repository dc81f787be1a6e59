# Restores the exercise-8 model, then runs the initializer: the "reused" hidden layers are random He weights again
# replaces: transfer_mnist.train
# expect: fails frozen "not frozen"
learning_rate = 0.01
output_layer_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="logits")
training_op = tf.train.AdamOptimizer(learning_rate, name="Adam2").minimize(loss, var_list=output_layer_vars)
init = tf.global_variables_initializer()
saver = tf.train.Saver()

with tf.Session() as sess:
    restore_saver.restore(sess, "exercise_8_model/model")
    init.run()
    best_loss, epochs_without_progress = np.inf, 0
    for epoch in range(n_epochs):
        for X_batch, y_batch in shuffle_batch(X_train2, y_train2, 20):
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        loss_val = sess.run(loss, feed_dict={X: X_valid2, y: y_valid2})
        if loss_val < best_loss:
            best_loss, epochs_without_progress = loss_val, 0
            saver.save(sess, "./exercise_9_model/model")
        else:
            epochs_without_progress += 1
            if epochs_without_progress >= max_epochs_without_progress:
                break
    saver.restore(sess, "./exercise_9_model/model")
    grader.save_for_grading("transfer", sess, X, logits)
