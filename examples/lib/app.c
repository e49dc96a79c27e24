/* SPDX-License-Identifier: LGPL-2.1-only */

/* The examples' shared plumbing: see app.h. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "app.h"
#include "pkt.h"

volatile sig_atomic_t app_quit;

static void
app_on_signal(int sig)
{
    (void) sig;
    app_quit = 1;
}

void
app_signals(void)
{
    signal(SIGINT, app_on_signal);
    signal(SIGTERM, app_on_signal);
}

int
app_eal(int *argc, char ***argv)
{
    int ret = rte_eal_init(*argc, *argv), i;

    if (ret < 0) {
        fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
        exit(1);
    }
    /* argv[ret] is the program's name again: the options follow it. */
    *argc -= ret + 1;
    *argv += ret + 1;
    for (i = 0; i < *argc; i++)
        if (strcmp((*argv)[i], "--bench") == 0)
            return i;
    return -1;
}

uint64_t
app_ms(uint64_t ms)
{
    return ms * rte_get_tsc_hz() / 1000;
}

int
app_parse_ip_port(
    const char      *s,
    struct app_addr *a)
{
    char        ip[INET_ADDRSTRLEN];
    const char *colon = strchr(s, ':');
    size_t      n     = colon ? (size_t) (colon - s) : strlen(s);
    char       *end;
    long        port  = 0;

    if (n >= sizeof(ip))
        return -1;
    memcpy(ip, s, n);
    ip[n] = '\0';
    if (inet_pton(AF_INET, ip, &a->ip) != 1)
        return -1;
    if (colon != NULL) {
        port = strtol(colon + 1, &end, 10);
        if (*end != '\0' || port < 0 || port > 65535)
            return -1;
    }
    a->port = (uint16_t) port;
    return 0;
}

struct evpl *
app_start(
    unsigned int segment_size,
    unsigned int mtu,
    uint16_t    *port)
{
    struct evpl_config         cfg;
    struct evpl_dpdk_port_conf conf;
    struct evpl               *evpl;

    memset(&cfg, 0, sizeof(cfg));
    cfg.segment_size = segment_size;
    evpl = evpl_create(&cfg);
    if (evpl == NULL) {
        fprintf(stderr, "evpl_create: %s\n", strerror(errno));
        exit(1);
    }
    if (rte_eth_dev_count_avail() < 1) {
        fprintf(stderr, "no port: give one with --vdev\n");
        exit(1);
    }
    *port = 0;
    memset(&conf, 0, sizeof(conf));
    conf.rx_pool = evpl_mempool(evpl);
    if (evpl_dpdk_port_setup(*port, &conf) < 0) {
        fprintf(stderr, "port %u: %s\n", *port, strerror(errno));
        exit(1);
    }
    if (mtu != 0 && rte_eth_dev_set_mtu(*port, (uint16_t) mtu) != 0)
        fprintf(stderr, "port %u: MTU %u not set; sending at it anyway\n",
                *port, mtu);
    return evpl;
}

void
app_l2_l3(
    void                  *hdr,
    const struct app_addr *src,
    const struct app_addr *dst,
    uint8_t                proto,
    uint16_t               id)
{
    struct rte_ether_hdr *eth = hdr;
    struct rte_ipv4_hdr  *ip  = (struct rte_ipv4_hdr *) (eth + 1);

    eth->dst_addr   = dst->mac;
    eth->src_addr   = src->mac;
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    memset(ip, 0, sizeof(*ip));
    ip->version_ihl   = RTE_IPV4_VHL_DEF;
    ip->time_to_live  = 64;
    ip->next_proto_id = proto;
    ip->packet_id     = rte_cpu_to_be_16(id);
    ip->src_addr      = src->ip;
    ip->dst_addr      = dst->ip;
}

unsigned int
app_send(
    struct evpl          *evpl,
    uint16_t              port,
    struct evpl_dpdk_pkt *pkts,
    unsigned int          n)
{
    uint64_t     deadline = rte_get_tsc_cycles() + app_ms(1000);
    unsigned int done = 0, i;
    int          sent;

    while (done < n && rte_get_tsc_cycles() < deadline) {
        sent = evpl_dpdk_tx_burst(evpl, port, 0, &pkts[done],
                                  (uint16_t) RTE_MIN(n - done, 64u), 0);
        if (sent > 0)
            done += (unsigned int) sent;
        else
            rte_delay_us_sleep(100);
    }
    for (i = 0; i < n; i++)
        evpl_iovecs_release(evpl, pkts[i].iov, pkts[i].niov);
    return done;
}

void
app_stop(uint16_t port)
{
    rte_eth_dev_stop(port);
    rte_eth_dev_close(port);
}

int
app_books(
    struct evpl *evpl,
    FILE        *out)
{
    struct evpl_dpdk_outstanding o;
    struct rte_mempool          *pool = evpl_mempool(evpl);
    unsigned int                 avail;

    evpl_dpdk_outstanding(evpl, &o);
    evpl_destroy(evpl);
    avail = rte_mempool_avail_count(pool);
    fprintf(out, "\"pool\": {\"size\": %u, \"free_at_end\": %u}, "
            "\"slabs_outstanding\": %" PRIu64, pool->size, avail, o.slabs);
    return avail == pool->size && o.slabs == 0;
}
