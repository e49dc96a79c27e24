/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * What the port commands print (cmd_port.c), in dpdk-testpmd's layouts:
 * show port info, show port summary, show port xstats, show rxq|txq info,
 * from what ethdev reports of each port and queue.
 */

/* rte_eth_dev_capability_name(), rte_eth_link_speed_to_str(): experimental
 * in 22.11, as testpmd uses them. */
#define ALLOW_EXPERIMENTAL_API

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "testpmd.h"

/* ---- what the show commands print ---------------------------------------- */

void
tp_mac(FILE *out, const struct rte_ether_addr *m)
{
    fprintf(out, "%02X:%02X:%02X:%02X:%02X:%02X", m->addr_bytes[0],
            m->addr_bytes[1], m->addr_bytes[2], m->addr_bytes[3],
            m->addr_bytes[4], m->addr_bytes[5]);
}

/* The RSS hash types by name, one bit each, in testpmd's spelling. */
static const struct {
    uint64_t    bit;
    const char *name;
} tp_rss_names[] = {
    { RTE_ETH_RSS_IPV4, "ipv4" },
    { RTE_ETH_RSS_FRAG_IPV4, "ipv4-frag" },
    { RTE_ETH_RSS_NONFRAG_IPV4_TCP, "ipv4-tcp" },
    { RTE_ETH_RSS_NONFRAG_IPV4_UDP, "ipv4-udp" },
    { RTE_ETH_RSS_NONFRAG_IPV4_SCTP, "ipv4-sctp" },
    { RTE_ETH_RSS_NONFRAG_IPV4_OTHER, "ipv4-other" },
    { RTE_ETH_RSS_IPV6, "ipv6" },
    { RTE_ETH_RSS_FRAG_IPV6, "ipv6-frag" },
    { RTE_ETH_RSS_NONFRAG_IPV6_TCP, "ipv6-tcp" },
    { RTE_ETH_RSS_NONFRAG_IPV6_UDP, "ipv6-udp" },
    { RTE_ETH_RSS_NONFRAG_IPV6_SCTP, "ipv6-sctp" },
    { RTE_ETH_RSS_NONFRAG_IPV6_OTHER, "ipv6-other" },
    { RTE_ETH_RSS_L2_PAYLOAD, "l2-payload" },
    { RTE_ETH_RSS_IPV6_EX, "ipv6-ex" },
    { RTE_ETH_RSS_IPV6_TCP_EX, "ipv6-tcp-ex" },
    { RTE_ETH_RSS_IPV6_UDP_EX, "ipv6-udp-ex" },
    { RTE_ETH_RSS_PORT, "port" },
    { RTE_ETH_RSS_VXLAN, "vxlan" },
    { RTE_ETH_RSS_GENEVE, "geneve" },
    { RTE_ETH_RSS_NVGRE, "nvgre" },
    { RTE_ETH_RSS_GTPU, "gtpu" },
    { RTE_ETH_RSS_ETH, "eth" },
    { RTE_ETH_RSS_S_VLAN, "s-vlan" },
    { RTE_ETH_RSS_C_VLAN, "c-vlan" },
    { RTE_ETH_RSS_ESP, "esp" },
    { RTE_ETH_RSS_AH, "ah" },
    { RTE_ETH_RSS_L2TPV3, "l2tpv3" },
    { RTE_ETH_RSS_PFCP, "pfcp" },
    { RTE_ETH_RSS_PPPOE, "pppoe" },
    { RTE_ETH_RSS_ECPRI, "ecpri" },
    { RTE_ETH_RSS_MPLS, "mpls" },
    { RTE_ETH_RSS_IPV4_CHKSUM, "ipv4-chksum" },
    { RTE_ETH_RSS_L4_CHKSUM, "l4-chksum" },
    { RTE_ETH_RSS_L2TPV2, "l2tpv2" },
};

/* Names two spaces apart, a new line before one would reach column 64. */
static void
tp_rss_types(FILE *out, uint64_t types)
{
    unsigned int col = 0, len, i, bit;
    const char  *name;
    char         other[32];

    for (bit = 0; bit < 64; bit++) {
        if (!(types & (UINT64_C(1) << bit)))
            continue;
        name = NULL;
        for (i = 0; i < RTE_DIM(tp_rss_names); i++)
            if (tp_rss_names[i].bit == UINT64_C(1) << bit)
                name = tp_rss_names[i].name;
        if (name == NULL) {
            snprintf(other, sizeof(other), "user-defined-%u", bit);
            name = other;
        }
        len = (unsigned int) strlen(name) + 2;
        if (col + len >= 64) {
            fprintf(out, "\n");
            col = 0;
        }
        fprintf(out, "  %s", name);
        col += len;
    }
    fprintf(out, "\n");
}

void
tp_port_info(FILE *out, uint16_t port)
{
    static const char *border = "*********************";
    struct rte_eth_dev_info info;
    struct rte_eth_link     link;
    struct rte_ether_addr   mac;
    const struct rte_devargs *da;
    char                    name[RTE_ETH_NAME_MAX_LEN], fw[64];
    uint16_t                mtu;
    int                     socket = rte_eth_dev_socket_id(port), vlan, bit;

    if (rte_eth_link_get_nowait(port, &link) < 0 ||
        rte_eth_dev_info_get(port, &info) != 0) {
        fprintf(stderr, "port %u: no link or device information\n", port);
        return;
    }
    if (socket < 0)
        socket = 0;
    fprintf(out, "\n%s Infos for port %-2u %s\n", border, port, border);
    if (rte_eth_macaddr_get(port, &mac) == 0) {
        fprintf(out, "MAC address: ");
        tp_mac(out, &mac);
    }
    if (rte_eth_dev_get_name_by_port(port, name) != 0)
        strcpy(name, "?");
    fprintf(out, "\nDevice name: %s\nDriver name: %s\nFirmware-version: %s",
            name, info.driver_name,
            rte_eth_dev_fw_version_get(port, fw, sizeof(fw)) == 0 ? fw :
            "not available");
    da = info.device != NULL ? rte_dev_devargs(info.device) : NULL;
    if (da != NULL && da->args != NULL)
        fprintf(out, "\nDevargs: %s", da->args);
    fprintf(out, "\nConnect to socket: %d\nmemory allocation on the socket: "
            "%d\nLink status: %s\nLink speed: %s\nLink duplex: %s\n"
            "Autoneg status: %s\n", socket,
            tp.pool != NULL ? tp.pool->socket_id : socket,
            link.link_status ? "up" : "down",
            rte_eth_link_speed_to_str(link.link_speed),
            link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX ? "full-duplex" :
            "half-duplex",
            link.link_autoneg == RTE_ETH_LINK_AUTONEG ? "On" : "Off");
    if (rte_eth_dev_get_mtu(port, &mtu) == 0)
        fprintf(out, "MTU: %u\n", mtu);
    fprintf(out, "Promiscuous mode: %s\nAllmulticast mode: %s\n"
            "Maximum number of MAC addresses: %u\n"
            "Maximum number of MAC addresses of hash filtering: %u\n",
            rte_eth_promiscuous_get(port) == 1 ? "enabled" : "disabled",
            rte_eth_allmulticast_get(port) == 1 ? "enabled" : "disabled",
            info.max_mac_addrs, info.max_hash_mac_addrs);
    vlan = rte_eth_dev_get_vlan_offload(port);
    if (vlan >= 0)
        fprintf(out, "VLAN offload: \n  strip %s, filter %s, extend %s, "
                "qinq strip %s\n",
                vlan & RTE_ETH_VLAN_STRIP_OFFLOAD ? "on" : "off",
                vlan & RTE_ETH_VLAN_FILTER_OFFLOAD ? "on" : "off",
                vlan & RTE_ETH_VLAN_EXTEND_OFFLOAD ? "on" : "off",
                vlan & RTE_ETH_QINQ_STRIP_OFFLOAD ? "on" : "off");
    if (info.hash_key_size > 0)
        fprintf(out, "Hash key size in bytes: %u\n", info.hash_key_size);
    if (info.reta_size > 0)
        fprintf(out, "Redirection table size: %u\n", info.reta_size);
    if (info.flow_type_rss_offloads == 0) {
        fprintf(out, "No RSS offload flow type is supported.\n");
    } else {
        fprintf(out, "Supported RSS offload flow types:\n");
        tp_rss_types(out, info.flow_type_rss_offloads);
    }
    fprintf(out, "Minimum size of RX buffer: %u\n"
            "Maximum configurable length of RX packet: %u\n"
            "Maximum configurable size of LRO aggregated packet: %u\n",
            info.min_rx_bufsize, info.max_rx_pktlen, info.max_lro_pkt_size);
    if (info.max_vfs)
        fprintf(out, "Maximum number of VFs: %u\n", info.max_vfs);
    if (info.max_vmdq_pools)
        fprintf(out, "Maximum number of VMDq pools: %u\n",
                info.max_vmdq_pools);
    fprintf(out, "Current number of RX queues: %u\nMax possible RX queues: %u\n"
            "Max possible number of RXDs per queue: %u\n"
            "Min possible number of RXDs per queue: %u\n"
            "RXDs number alignment: %u\n"
            "Current number of TX queues: %u\nMax possible TX queues: %u\n"
            "Max possible number of TXDs per queue: %u\n"
            "Min possible number of TXDs per queue: %u\n"
            "TXDs number alignment: %u\n"
            "Max segment number per packet: %u\n"
            "Max segment number per MTU/TSO: %u\n"
            "Device capabilities: 0x%" PRIx64 "(",
            info.nb_rx_queues, info.max_rx_queues, info.rx_desc_lim.nb_max,
            info.rx_desc_lim.nb_min, info.rx_desc_lim.nb_align,
            info.nb_tx_queues, info.max_tx_queues, info.tx_desc_lim.nb_max,
            info.tx_desc_lim.nb_min, info.tx_desc_lim.nb_align,
            info.tx_desc_lim.nb_seg_max, info.tx_desc_lim.nb_mtu_seg_max,
            info.dev_capa);
    for (bit = 0; bit < 64; bit++)
        if (info.dev_capa & (UINT64_C(1) << bit))
            fprintf(out, " %s",
                    rte_eth_dev_capability_name(UINT64_C(1) << bit));
    fprintf(out, " )\nDevice error handling mode: %s\n",
            info.err_handle_mode == RTE_ETH_ERROR_HANDLE_MODE_NONE ? "none" :
            info.err_handle_mode == RTE_ETH_ERROR_HANDLE_MODE_PASSIVE ?
            "passive" :
            info.err_handle_mode == RTE_ETH_ERROR_HANDLE_MODE_PROACTIVE ?
            "proactive" : "unknown");
}

void
tp_port_summary(FILE *out, uint16_t port)
{
    struct rte_eth_dev_info info;
    struct rte_eth_link     link;
    struct rte_ether_addr   mac;
    char                    name[RTE_ETH_NAME_MAX_LEN];

    if (rte_eth_link_get_nowait(port, &link) < 0 ||
        rte_eth_dev_info_get(port, &info) != 0 ||
        rte_eth_macaddr_get(port, &mac) != 0)
        return;
    if (rte_eth_dev_get_name_by_port(port, name) != 0)
        strcpy(name, "?");
    fprintf(out, "%-4u ", port);
    tp_mac(out, &mac);
    fprintf(out, " %-12s %-14s %-8s %s\n", name, info.driver_name,
            link.link_status ? "up" : "down",
            rte_eth_link_speed_to_str(link.link_speed));
}

void
tp_port_xstats(FILE *out, uint16_t port)
{
    struct rte_eth_xstat_name *names;
    struct rte_eth_xstat      *values;
    int                        n, i;

    fprintf(out, "###### NIC extended statistics for port %-2u\n", port);
    n = rte_eth_xstats_get_names(port, NULL, 0);
    if (n < 0) {
        fprintf(stderr, "Error: Cannot get count of xstats\n");
        return;
    }
    names  = calloc((size_t) n + 1, sizeof(*names));
    values = calloc((size_t) n + 1, sizeof(*values));
    if (names != NULL && values != NULL &&
        rte_eth_xstats_get_names(port, names, (unsigned int) n) == n &&
        rte_eth_xstats_get(port, values, (unsigned int) n) == n) {
        for (i = 0; i < n; i++)
            fprintf(out, "%s: %" PRIu64 "\n", names[values[i].id].name,
                    values[i].value);
    } else {
        fprintf(stderr, "Error: Unable to get xstats\n");
    }
    free(names);
    free(values);
}

static const char *
tp_queue_state(uint8_t state)
{
    return state == RTE_ETH_QUEUE_STATE_STOPPED ? "stopped" :
           state == RTE_ETH_QUEUE_STATE_STARTED ? "started" :
           state == RTE_ETH_QUEUE_STATE_HAIRPIN ? "hairpin" : "unknown";
}

void
tp_queue_info(FILE *out, uint16_t port, uint16_t queue, int rx)
{
    static const char *border = "*********************";
    struct rte_eth_burst_mode mode;
    struct rte_eth_rxq_info   rq;
    struct rte_eth_txq_info   tq;
    int                       ret;

    ret = rx ? rte_eth_rx_queue_info_get(port, queue, &rq) :
               rte_eth_tx_queue_info_get(port, queue, &tq);
    if (ret != 0) {
        fprintf(stderr, "Failed to retrieve information for port: %u, %s "
                "queue: %u\nerror desc: %s(%d)\n", port, rx ? "RX" : "TX",
                queue, strerror(-ret), ret);
        return;
    }
    fprintf(out, "\n%s Infos for port %-2u, %s queue %-2u %s", border,
            port, rx ? "RX" : "TX", queue, border);
    if (rx) {
        fprintf(out, "\nMempool: %s\nRX prefetch threshold: %u\n"
                "RX host threshold: %u\nRX writeback threshold: %u\n"
                "RX free threshold: %u\nRX drop packets: %s\n"
                "RX deferred start: %s\nRX scattered packets: %s\n"
                "Rx queue state: %s",
                rq.mp == NULL ? "NULL" : rq.mp->name,
                rq.conf.rx_thresh.pthresh, rq.conf.rx_thresh.hthresh,
                rq.conf.rx_thresh.wthresh, rq.conf.rx_free_thresh,
                rq.conf.rx_drop_en ? "on" : "off",
                rq.conf.rx_deferred_start ? "on" : "off",
                rq.scattered_rx ? "on" : "off",
                tp_queue_state(rq.queue_state));
        if (rq.rx_buf_size != 0)
            fprintf(out, "\nRX buffer size: %u", rq.rx_buf_size);
        fprintf(out, "\nNumber of RXDs: %u", rq.nb_desc);
        ret = rte_eth_rx_burst_mode_get(port, queue, &mode);
    } else {
        fprintf(out, "\nTX prefetch threshold: %u\nTX host threshold: %u\n"
                "TX writeback threshold: %u\nTX RS threshold: %u\n"
                "TX free threshold: %u\nTX deferred start: %s\n"
                "Number of TXDs: %u\nTx queue state: %s",
                tq.conf.tx_thresh.pthresh, tq.conf.tx_thresh.hthresh,
                tq.conf.tx_thresh.wthresh, tq.conf.tx_rs_thresh,
                tq.conf.tx_free_thresh,
                tq.conf.tx_deferred_start ? "on" : "off", tq.nb_desc,
                tp_queue_state(tq.queue_state));
        ret = rte_eth_tx_burst_mode_get(port, queue, &mode);
    }
    if (ret == 0)
        fprintf(out, "\nBurst mode: %s%s", mode.info,
                mode.flags & RTE_ETH_BURST_FLAG_PER_QUEUE ? " (per queue)" :
                "");
    fprintf(out, "\n");
}
