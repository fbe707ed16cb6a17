"""Several servers on one etcd: membership, leader election, forwarding to the leader."""
