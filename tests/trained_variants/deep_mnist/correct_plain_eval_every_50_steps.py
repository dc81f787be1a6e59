# The book's exercise-8 solution loop: evaluate every 50 training steps, patience counted in checks, best model in the checkpoint
# replaces: deep_mnist.plain
# expect: full
batch_size = 20
learning_rate = 0.001
check_interval = 50                 # training steps between two validation checks
steps_per_epoch = max(1, len(X_train1) // batch_size)
max_checks_without_progress = max(1, max_epochs_without_progress * steps_per_epoch // check_interval)

reset_graph()
X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None,), name="y")
hidden5 = dnn(X, name="dnn")
logits = tf.layers.dense(hidden5, n_outputs, kernel_initializer=he_init, name="logits")
Y_proba = tf.nn.softmax(logits, name="Y_proba")
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
optimizer = tf.train.AdamOptimizer(learning_rate)
training_op = optimizer.minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, axis=1), y), tf.float32), name="accuracy")
init = tf.global_variables_initializer()
saver = tf.train.Saver()
checkpoint = "./exercise_8_model/model"

with tf.Session() as sess:
    sess.run(init)
    best_loss, checks_without_progress, step, stop = float("inf"), 0, 0, False
    for epoch in range(n_epochs):
        for X_batch, y_batch in shuffle_batch(X_train1, y_train1, batch_size):
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
            step += 1
            if step % check_interval == 0:
                loss_val = sess.run(loss, feed_dict={X: X_valid1, y: y_valid1})
                if loss_val < best_loss:
                    best_loss, checks_without_progress = loss_val, 0
                    saver.save(sess, checkpoint)
                else:
                    checks_without_progress += 1
                    if checks_without_progress > max_checks_without_progress:
                        stop = True
                        break
        print("epoch", epoch, "step", step, "best validation loss", best_loss)
        if stop:
            print("Early stopping!")
            break
    saver.restore(sess, checkpoint)
    print("restored best model, validation accuracy:", accuracy.eval(feed_dict={X: X_valid1, y: y_valid1}))
    grader.save_for_grading("plain", sess, X, logits)
