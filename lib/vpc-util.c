/* Small helpers shared by the ovs-vpc programs. */
#include <config.h>
#include "vpc-util.h"

#include <stdlib.h>
#include "util.h"

/* Returns the directory for sockets and pid files: $VPC_RUNDIR, by default
 * /var/run/ovs-vpc. */
const char *
vpc_rundir(void)
{
    const char *dir = getenv("VPC_RUNDIR");
    return dir && dir[0] ? dir : "/var/run/ovs-vpc";
}

/* Returns the VPC database to use when none is given on the command line:
 * $VPC_DB, by default the unix socket in vpc_rundir(). */
const char *
vpc_default_db(void)
{
    static char *def;
    const char *db = getenv("VPC_DB");

    if (db && db[0]) {
        return db;
    }
    if (!def) {
        def = xasprintf("unix:%s/vpc_db.sock", vpc_rundir());
    }
    return def;
}
