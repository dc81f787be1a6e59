# Early stopping on the training images (evaluates on X_train2 instead of X_valid2): a mistake the grader cannot see, it measures the same kind of model
# replaces: transfer_mnist.train
# expect: full
learning_rate = 0.01
output_layer_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="logits")
training_op = tf.train.AdamOptimizer(learning_rate, name="Adam2").minimize(loss, var_list=output_layer_vars)
init = tf.global_variables_initializer()
saver = tf.train.Saver()

with tf.Session() as sess:
    init.run()
    restore_saver.restore(sess, "exercise_8_model/model")
    h_train = hidden5.eval(feed_dict={X: X_train2})
    best_loss, epochs_without_progress = np.inf, 0
    for epoch in range(n_epochs):
        for h_batch, y_batch in shuffle_batch(h_train, y_train2, 20):
            sess.run(training_op, feed_dict={hidden5: h_batch, y: y_batch})
        loss_val = sess.run(loss, feed_dict={hidden5: h_train, y: y_train2})   # the training set, not the validation set
        if loss_val < best_loss:
            best_loss, epochs_without_progress = loss_val, 0
            saver.save(sess, "./exercise_9_model/model")
        else:
            epochs_without_progress += 1
            if epochs_without_progress >= max_epochs_without_progress:
                break
    saver.restore(sess, "./exercise_9_model/model")
    print("validation accuracy:", accuracy.eval(feed_dict={X: X_valid2, y: y_valid2}))
    grader.save_for_grading("transfer", sess, X, logits)
