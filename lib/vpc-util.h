/* Small helpers shared by the ovs-vpc programs. */
#ifndef VPC_UTIL_H
#define VPC_UTIL_H 1

const char *vpc_rundir(void);
const char *vpc_default_db(void);

#endif /* vpc-util.h */
