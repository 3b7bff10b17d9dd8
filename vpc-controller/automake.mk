# vpc-controller/: the daemon.
