# A Python sum over the collection of base_loss's own graph (sum starts from base_loss).
def regularized_loss(base_loss):
    graph = base_loss.graph
    return sum(graph.get_collection("regularization_losses"), base_loss)
