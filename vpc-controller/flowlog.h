/* Flow logs: which collector sets each host needs. */
#ifndef VPC_CONTROLLER_FLOWLOG_H
#define VPC_CONTROLLER_FLOWLOG_H 1

struct chassis;

void flowlog_begin(void);
void flowlog_set_collector_sets(struct chassis *);

#endif /* flowlog.h */
