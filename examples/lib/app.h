/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * What ip_frag and tcp_seg share beyond packets: their port, their
 * addresses, sending until the driver takes everything, and the books
 * they print at exit (every mbuf and every slab back).
 */

#ifndef EXAMPLES_APP_H
#define EXAMPLES_APP_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#include <evpl/evpl.h>

/* Set by SIGINT and SIGTERM once app_signals() is called. */
extern volatile sig_atomic_t app_quit;

void app_signals(void);

/*
 * rte_eal_init(), then the options after the EAL's: *argc and *argv are
 * left holding those. Exits with a message if the EAL fails. Returns the
 * index of "--bench" among them, or -1: the benchmark takes the options
 * after it.
 */
int app_eal(int *argc, char ***argv);

/* One end of a flow: Ethernet and IPv4 addresses (network order) and a
 * port (host order). */
struct app_addr {
    struct rte_ether_addr mac;
    uint32_t              ip;
    uint16_t              port;
};

/* "a.b.c.d:port" (the port may be left out: 0). Returns 0 or -1. */
int app_parse_ip_port(const char *s, struct app_addr *a);

/* A context and port 0 set up for traffic, receiving into the context's
 * pool, its MTU set to mtu unless 0 (a net_tap sends nothing longer).
 * segment_size 0 is the default. Exits with a message on failure. */
struct evpl *app_start(unsigned int segment_size, unsigned int mtu,
                       uint16_t *port);

/* Write Ethernet and IPv4 headers for src -> dst into hdr (the IPv4
 * header without options, total_length and checksum left 0). */
void app_l2_l3(void *hdr, const struct app_addr *src,
               const struct app_addr *dst, uint8_t proto, uint16_t id);

/*
 * Send packets until the driver has taken them all, or a second went by;
 * then release their iovecs (the chains hold their own references).
 * Returns how many the driver took.
 */
unsigned int app_send(struct evpl *evpl, uint16_t port,
                      struct evpl_dpdk_pkt *pkts, unsigned int n);

/* Stop and close the port. */
void app_stop(uint16_t port);

/*
 * The books, as the JSON members "pool" and "slabs_outstanding" (no
 * braces): call after app_stop() and once everything is released.
 * Destroys the context. Returns 1 when every mbuf and slab is back.
 */
int app_books(struct evpl *evpl, FILE *out);

/* Milliseconds to TSC cycles. */
uint64_t app_ms(uint64_t ms);

#endif /* EXAMPLES_APP_H */
