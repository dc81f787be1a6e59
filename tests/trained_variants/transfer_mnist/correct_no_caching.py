# No caching (9.2 only): trains the output layer on the images X themselves, var_list = the trainable variables of the scope "logits"
# replaces: transfer_mnist.train
# expect: full
learning_rate = 0.01
batch_size = 20
train_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="logits")
training_op = tf.train.AdamOptimizer(learning_rate, name="Adam2").minimize(loss, var_list=train_vars)
init = tf.global_variables_initializer()
saver = tf.train.Saver()

with tf.Session() as sess:
    init.run()
    restore_saver.restore(sess, "exercise_8_model/model")
    t0 = time.time()
    best_loss, epochs_without_progress = np.inf, 0
    for epoch in range(n_epochs):
        for X_batch, y_batch in shuffle_batch(X_train2, y_train2, batch_size):
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        loss_val, acc_val = sess.run([loss, accuracy], feed_dict={X: X_valid2, y: y_valid2})
        if loss_val < best_loss:
            best_loss, epochs_without_progress = loss_val, 0
            saver.save(sess, "./exercise_9_nocache/model")
        else:
            epochs_without_progress += 1
            if epochs_without_progress >= max_epochs_without_progress:
                break
    print(f"{epoch + 1} epochs in {time.time() - t0:.1f} s, best validation loss {best_loss:.4f}")
    saver.restore(sess, "./exercise_9_nocache/model")
    print("validation accuracy:", accuracy.eval(feed_dict={X: X_valid2, y: y_valid2}))
    grader.save_for_grading("transfer", sess, X, logits)
