# ofproto-vpc/: the VPC pipeline library (pure: no sockets, no globals).
