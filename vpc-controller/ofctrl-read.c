/* Reading a switch's tables.  See ofctrl-read.h. */
#include <config.h>
#include "ofctrl-read.h"

#include <errno.h>

#include "byte-order.h"
#include "flow-table.h"
#include "group-table.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofpbuf.h"

/* Adds the flows of flow stats reply 'oh' to 'table'.  Returns 0, or the
 * error that a bad reply is. */
enum ofperr
ofctrl_read_flows(const struct ofp_header *oh, struct vpc_flow_table *table)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));

    for (;;) {
        uint64_t stub[1024 / 8];
        struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
        struct ofputil_flow_stats fs;

        int retval = ofputil_decode_flow_stats_reply(&fs, &b, false,
                                                     &ofpacts);
        if (!retval) {
            vpc_ofpacts_zero_padding(ofpacts.data, fs.ofpacts_len);
            vpc_flow_table_add(table, fs.table_id, fs.priority,
                               ntohll(fs.cookie), &fs.match, fs.ofpacts,
                               fs.ofpacts_len);
        }
        ofpbuf_uninit(&ofpacts);
        if (retval) {
            return retval == EOF ? 0 : retval;
        }
    }
}

/* Adds the groups of group description reply 'oh' (of OpenFlow 'version')
 * to 'table'.  Returns 0, or the error that a bad reply is. */
enum ofperr
ofctrl_read_groups(const struct ofp_header *oh, enum ofp_version version,
                   struct vpc_group_table *table)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));

    for (;;) {
        struct ofputil_group_desc gd;
        int retval = ofputil_decode_group_desc_reply(&gd, &b, version);
        if (retval) {
            return retval == EOF ? 0 : retval;
        }

        struct vpc_group *g = vpc_group_table_add(table, gd.group_id,
                                                  gd.type);
        const struct ofputil_bucket *bucket;
        LIST_FOR_EACH (bucket, list_node, &gd.buckets) {
            vpc_group_add_bucket(g, bucket->watch_port, bucket->ofpacts,
                                 bucket->ofpacts_len);
        }
        vpc_group_finish(g);
        ofputil_uninit_group_desc(&gd);
    }
}
