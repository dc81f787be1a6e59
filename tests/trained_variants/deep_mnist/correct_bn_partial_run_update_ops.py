# Batch norm through functools.partial (dense without activation, BN, then ELU); the update ops run next to the training op with sess.run([training_op, extra_update_ops])
# replaces: deep_mnist.batch_norm
# expect: full
from functools import partial

batch_size = 20
learning_rate = 0.001
reset_graph()
X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None,), name="y")
training = tf.placeholder_with_default(False, shape=(), name="training")
dense_layer = partial(tf.layers.dense, kernel_initializer=he_init)
batch_norm_layer = partial(tf.layers.batch_normalization, training=training, momentum=0.9)

with tf.variable_scope("dnn"):
    hidden = X
    for i in range(1, 6):
        z = dense_layer(hidden, 100, name=f"hidden{i}")
        hidden = tf.nn.elu(batch_norm_layer(z, name=f"bn{i}"))
logits_before_bn = dense_layer(hidden, n_outputs, name="logits")
logits = logits_before_bn          # no BN on the output layer
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
training_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32), name="accuracy")
init = tf.global_variables_initializer()
saver = tf.train.Saver()

with tf.Session() as sess:
    init.run()
    best_loss, bad_epochs = np.inf, 0
    for epoch in range(n_epochs):
        for X_batch, y_batch in shuffle_batch(X_train1, y_train1, batch_size):
            sess.run([training_op, extra_update_ops], feed_dict={X: X_batch, y: y_batch, training: True})
        loss_val, acc_val = sess.run([loss, accuracy], feed_dict={X: X_valid1, y: y_valid1})
        print(epoch, "validation loss", loss_val, "accuracy", acc_val)
        if loss_val < best_loss:
            best_loss, bad_epochs = loss_val, 0
            saver.save(sess, "./exercise_8_bn_partial/model")
        else:
            bad_epochs += 1
            if bad_epochs >= max_epochs_without_progress:
                break
    saver.restore(sess, "./exercise_8_bn_partial/model")
    grader.save_for_grading("batch_norm", sess, X, logits, training)
