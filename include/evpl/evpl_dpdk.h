/* SPDX-License-Identifier: LGPL-2.1-only */

/**
 * @file
 * The DPDK glue: contexts and their pools, iovec <-> mbuf conversion,
 * bursts, port set-up, statistics and leak accounting.
 *
 * The public header for DPDK applications (<evpl/evpl_memory_pvt.h>, the
 * library-private inline machinery, names DPDK types too). Call everything
 * here after rte_eal_init(). The error rule of <evpl/evpl_memory.h> holds.
 */

#ifndef EVPL_DPDK_H
#define EVPL_DPDK_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <evpl/evpl_memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Default pool: usable bytes per mbuf, after RTE_PKTMBUF_HEADROOM. */
#define EVPL_DPDK_DEFAULT_SEGMENT_SIZE 8192u
/** Default pool: number of mbufs. */
#define EVPL_DPDK_DEFAULT_NB_MBUFS     8191u
/** Default pool: per-lcore mempool cache. */
#define EVPL_DPDK_DEFAULT_CACHE_SIZE   256u
/** Slabs: data bytes per slab (libevpl's buffer size). */
#define EVPL_DPDK_DEFAULT_SLAB_SIZE    (2u << 20)
/**
 * Slabs: the process-wide default of evpl_config.nb_slabs until
 * evpl_dpdk_slab_limit_set() changes it: 0, no limit but the memory DPDK
 * has, as libevpl's buffers grow.
 */
#define EVPL_DPDK_DEFAULT_NB_SLABS     0u

/**
 * The name of a slab mempool, as rte_mempool_lookup() finds it (DPDK
 * publishes RTE_MEMPOOL_MZ_FORMAT the same way), a printf format of four
 * arguments: the NUMA socket (int), the base-2 logarithm of the slab size,
 * the limit in slabs (0: none) and the pool's place in its set, 0 first
 * (unsigned ints). Slab memory grows by pools 0, 1, 2... of one socket,
 * slab size and limit; a slab iovec's slab belongs to one of them.
 */
#define EVPL_DPDK_SLAB_POOL_FORMAT     "evpls%d.%u.%x.%x"

/**
 * Context configuration. Zero-initialise it: every field at zero means the
 * default.
 */
struct evpl_config {
    /**
     * The application's own pktmbuf pool (for example the one its RX
     * queues use). The context allocates from it and never frees it.
     * NULL: the process's default pool for the caller's NUMA socket, created
     * by the library on first use and kept until the process ends.
     */
    struct rte_mempool *pool;
    /**
     * Default pool only: usable bytes per mbuf after the headroom
     * (0: EVPL_DPDK_DEFAULT_SEGMENT_SIZE). The data room is this plus
     * RTE_PKTMBUF_HEADROOM and must fit 16 bits.
     *
     * An allocation keeps the mbuf's RTE_PKTMBUF_HEADROOM bytes free in
     * front of it (room for rte_pktmbuf_prepend() once it is sent) only
     * when it fits behind them: in segment_size bytes, less the padding
     * its alignment may need; a longer one that one mbuf still holds starts at the
     * buffer's first byte and eats the headroom, so prepend has no room
     * (evpl_iovec_alloc() of 8320 bytes on the default pool leaves 0
     * bytes of headroom), as does every segment but the last of an
     * allocation that spans several.
     */
    unsigned int segment_size;
    /** Default pool only: mbufs in the pool (0: EVPL_DPDK_DEFAULT_NB_MBUFS),
     *  fewer than 2^30. */
    unsigned int nb_mbufs;
    /**
     * Transmit: shared iovecs of at most this many bytes are copied rather
     * than attached by reference (0: EVPL_DPDK_TX_COPY_MAX; 1 copies
     * almost nothing).
     */
    unsigned int tx_copy_max;
    /**
     * Default pool only: the NUMA socket its memory comes from, written
     * EVPL_DPDK_SOCKET(id) so that zero still means the default: the
     * caller's socket (the main lcore's on a thread outside the EAL).
     */
    unsigned int pool_socket;
    /**
     * Slabs, the large buffers of requests that do not fit a packet
     * segment: data bytes per slab, a power of two from 4096 to 1 GiB
     * (0: EVPL_DPDK_DEFAULT_SLAB_SIZE). Slabs larger than the hugepage
     * size need physically contiguous memory in IOVA-as-PA mode. Slab
     * memory is shared by every context of the process (and of its
     * secondary processes) on the same NUMA socket with the same slab
     * size and limit.
     */
    unsigned int slab_size;
    /**
     * Slabs: the most this memory may hold, fewer than 2^30 (0: the
     * process-wide default, evpl_dpdk_slab_limit_get(), which is no limit
     * unless changed). Slab memory grows on demand, a mempool of 32 MiB of
     * slabs at a time (more as it grows, at least one slab), until this
     * many slabs exist or DPDK has no memory for more; only then is a
     * slab request ENOMEM. It is not given back until the process ends.
     */
    unsigned int nb_slabs;
};

/**
 * Set the process-wide default of evpl_config.nb_slabs, for contexts
 * created afterwards with nb_slabs 0, evpl_create(NULL) among them.
 *
 * @param nb_slabs The most slabs, fewer than 2^30; 0: no limit but the
 *                 memory DPDK has (EVPL_DPDK_DEFAULT_NB_SLABS).
 * @return 0, or -1 with errno EINVAL (@p nb_slabs 2^30 or more).
 */
EVPL_EXPORT int evpl_dpdk_slab_limit_set(unsigned int nb_slabs);

/**
 * @return The process-wide default of evpl_config.nb_slabs (0: none).
 */
EVPL_EXPORT unsigned int evpl_dpdk_slab_limit_get(void);

/**
 * A NUMA socket id as struct evpl_config's pool_socket takes it: the
 * socket plus one, so that a zero-initialised configuration means "the
 * caller's socket" and socket 0 can still be asked for.
 */
#define EVPL_DPDK_SOCKET(socket_id) ((unsigned int) (socket_id) + 1u)

/**
 * Create a context for the calling thread.
 *
 * Default pools are shared by every context of the process on the same
 * NUMA socket with the same segment size and mbuf count.
 *
 * @param config NULL or a zero-initialised configuration.
 * @return The context, or NULL with errno (and rte_errno) set:
 *   - EINVAL: the EAL is not initialised; config->pool is not a pktmbuf
 *     pool; segment_size too large for a 16-bit data room; nb_mbufs 2^30
 *     or more; pool_socket names a socket the EAL did not find;
 *     slab_size not a power of two from 4096 to 1 GiB; nb_slabs 2^30 or
 *     more;
 *   - ENOMEM: no memory for the context, the default pool or the record
 *     the processes of a DPDK instance share (a memzone);
 *   - EAGAIN: another process of the same DPDK instance began creating the
 *     default pool or that record and did not finish it within 10 seconds.
 */
EVPL_EXPORT struct evpl *evpl_create(const struct evpl_config *config);

/**
 * Destroy a context: drops the context's own references (the partly carved
 * segment) and logs, through rte_log, the pool's mbufs still in use.
 * iovecs allocated from it stay valid and may be released later, with a
 * NULL context or another thread's.
 *
 * @param evpl The context, or NULL (which does nothing).
 */
EVPL_EXPORT void evpl_destroy(struct evpl *evpl);

/**
 * The pktmbuf pool a context allocates from.
 *
 * @param evpl The context, or NULL.
 * @return The pool that backs @p evpl's allocations (NULL for NULL).
 */
EVPL_EXPORT struct rte_mempool *evpl_mempool(const struct evpl *evpl);

/**
 * Flag for evpl_dpdk_iovecs_to_mbuf() and evpl_dpdk_tx_burst(): the iovecs'
 * references move into the mbufs, and the iovecs must not be used again.
 * An EVPL_IOVEC_FLAG_GLOBAL iovec is the exception: its one reference is
 * never the library's to take (as libevpl's internal releases skip it),
 * so its owner keeps it and still releases it.
 */
#define EVPL_DPDK_TAKE_REF 0x1u

/**
 * Most iovecs one conversion turns into separate segments; a packet of more
 * non-empty iovecs is copied into fresh mbufs (linearised).
 */
#define EVPL_DPDK_MAX_SEGS 64u

/**
 * Default of evpl_config.tx_copy_max: shared iovecs up to this many bytes
 * are copied into a neighbouring segment (or a fresh one) rather than
 * attached by reference: up to there a copy costs less CPU than an
 * indirect mbuf's attach and detach, even when the bytes are not in cache
 * (docs/performance.md, "Transmit: copy or attach a shared iovec", has
 * the figures). Copies that fit a neighbour's headroom also save the NIC
 * a segment.
 */
#define EVPL_DPDK_TX_COPY_MAX 256u

/**
 * Turn iovecs into one mbuf chain, ready for rte_eth_tx_burst(), without
 * copying payload.
 *
 * An iovec whose mbuf has no other reference becomes that mbuf (only its
 * data_off, data_len and chain fields are written). One whose mbuf is
 * shared travels by reference, in an indirect mbuf from the context's pool,
 * or, when at most evpl_config.tx_copy_max bytes, is copied into the head or
 * tail room of a neighbouring segment that the chain owns, or into a fresh
 * mbuf when no neighbour has room: never past any mbuf's buf_len. Empty
 * iovecs are skipped. The head's offload fields are cleared. More than
 * EVPL_DPDK_MAX_SEGS non-empty iovecs are copied into fresh mbufs.
 *
 * A packet of one shared iovec is one fresh mbuf, built in a single pass:
 * the bytes copied into it, or it attached to them.
 *
 * An iovec sent by reference takes one more reference on its mbuf: at
 * 65535 already the call aborts, naming itself and having changed
 * nothing, as evpl_iovec_clone() does. With EVPL_DPDK_TAKE_REF the
 * iovec's own reference moves into its segment instead, so no count
 * moves and nothing aborts, in a packet of one iovec, in a packet of a
 * header (owned outright, or small enough to copy) and one range, and
 * for a slab range that is a packet's last piece; any other piece sent
 * by reference takes a reference of its own while the chain is built and
 * gives the iovec's up once it is done, so it aborts at 65535 too.
 *
 * @param evpl  The calling thread's context (indirect and copy mbufs come
 *              from its pool).
 * @param iov   The packet's pieces, in order.
 * @param niov  How many, at least 1.
 * @param flags 0: the chain takes references of its own and the caller
 *              still owns the iovecs, unchanged. EVPL_DPDK_TAKE_REF: the
 *              references move into the chain and the iovecs must not be
 *              used again.
 * @return The chain, or NULL with errno and rte_errno set, the iovecs
 *   untouched and nothing leaked:
 *   - EINVAL: @p evpl or @p iov NULL, @p niov < 1, unknown @p flags, no
 *     byte in the iovecs;
 *   - ENOMEM: no mbuf for an indirect or copied segment;
 *   - EMSGSIZE: more than 65535 segments would be needed, or the iovecs
 *     hold more than 4 GiB (UINT32_MAX bytes, a chain's pkt_len) in all.
 */
EVPL_EXPORT struct rte_mbuf *evpl_dpdk_iovecs_to_mbuf(
    struct evpl       *evpl,
    struct evpl_iovec *iov,
    int                niov,
    unsigned int       flags);

/**
 * Turn a received mbuf chain into iovecs, one per non-empty segment, with
 * no copy. Each segment's chain reference moves to its iovec (empty
 * segments are freed); the iovecs are LOCAL to the calling thread.
 *
 * @param evpl       The calling thread's context.
 * @param m          The chain's first segment.
 * @param iov        [out] Receives the iovecs.
 * @param max_iovecs Capacity of @p iov.
 * @return The number of iovecs (0 for a chain of empty segments, which is
 *   then freed), or -1 with errno and rte_errno set and the chain untouched:
 *   - EINVAL: @p evpl, @p m or @p iov NULL;
 *   - ENOSPC: more non-empty segments than @p max_iovecs.
 */
EVPL_EXPORT int evpl_dpdk_mbuf_to_iovecs(
    struct evpl       *evpl,
    struct rte_mbuf   *m,
    struct evpl_iovec *iov,
    int                max_iovecs);

/** Most packets one evpl_dpdk_rx_burst() call takes from the driver. */
#define EVPL_DPDK_RX_BURST_MAX 64u

/** One packet of a burst: its pieces. */
struct evpl_dpdk_pkt {
    struct evpl_iovec *iov;  /**< The packet's iovecs, in order. */
    int                niov; /**< How many. */
};

/**
 * Transmit packets given as iovecs: each becomes an mbuf chain shaped for
 * the port (linearised where the port lacks RTE_ETH_TX_OFFLOAD_MULTI_SEGS
 * or the chain exceeds its nb_seg_max / nb_mtu_seg_max), then one
 * rte_eth_tx_burst(). Best effort: returns how many of the first packets
 * the driver took.
 *
 * What happens to the others is what @p flags says, so that no packet is
 * ever leaked or freed twice:
 *  - 0: every packet's iovecs stay the caller's, sent or not (the chains
 *    hold references of their own); retry or release them.
 *  - EVPL_DPDK_TAKE_REF: every packet's references are given up; those the
 *    driver did not take are released (counted in tx_dropped).
 *
 * Conversion stops at the first packet that cannot be converted (no mbuf,
 * or too large for a port without multi-segment support); it and the
 * packets after it count as not taken.
 *
 * Each packet is converted as evpl_dpdk_iovecs_to_mbuf() converts it, so
 * that a burst sends exactly the packets that converting them one at a
 * time would. The fresh mbufs that packets of one shared iovec need are
 * taken from the pool in one get per 64 packets; should an earlier packet
 * run short of mbufs, those not used yet go back first, and any left over
 * go straight back.
 *
 * @param evpl     The calling thread's context (indirect and copy mbufs
 *                 come from its pool).
 * @param port_id  The port, started.
 * @param queue_id A TX queue the port was configured with.
 * @param pkts     The packets, each its iovecs in order.
 * @param nb_pkts  How many packets (0 sends nothing and returns 0).
 * @param flags    0 or EVPL_DPDK_TAKE_REF, as above.
 * @return Packets taken by the driver (0..@p nb_pkts), or -1 with errno
 *   EINVAL (@p evpl or @p pkts NULL, invalid port, a queue id the port was
 *   not configured with, unknown @p flags).
 */
EVPL_EXPORT int evpl_dpdk_tx_burst(
    struct evpl                *evpl,
    uint16_t                    port_id,
    uint16_t                    queue_id,
    const struct evpl_dpdk_pkt *pkts,
    uint16_t                    nb_pkts,
    unsigned int                flags);

/**
 * Receive packets as iovecs: rte_eth_rx_burst(), then each chain wrapped
 * with evpl_dpdk_mbuf_to_iovecs(). The iovecs of all packets are written
 * one after another into @p iov; pkts[i] points at packet i's.
 *
 * A received packet that does not fit the room left in @p iov is kept by
 * the context and delivered first by the next call for the same port and
 * queue: nothing received is dropped. So that everything received can be
 * kept, one call asks the driver for at most 64 packets (EVPL_DPDK_RX_BURST_MAX)
 * whatever @p nb_pkts says. Packets kept for one port and queue never stop
 * another from receiving: the context's store of kept packets grows (from
 * the DPDK heap, once per queue that holds packets at the same time) rather
 * than refuse a burst; only if that memory cannot be had does a call take
 * fewer packets from the driver than it could.
 *
 * @param evpl     The calling thread's context; the iovecs are LOCAL to it.
 * @param port_id  The port, started.
 * @param queue_id An RX queue the port was configured with.
 * @param pkts     [out] Receives, for each packet, where its iovecs are.
 * @param nb_pkts  Capacity of @p pkts.
 * @param iov      [out] Receives the packets' iovecs, one after another.
 * @param max_iov  Capacity of @p iov.
 * @return Packets delivered (0..@p nb_pkts; 0 when @p nb_pkts is 0), or
 *   -1 with errno set:
 *   - EINVAL: @p evpl, @p pkts or @p iov NULL, invalid port, a queue id the
 *     port was not configured with;
 *   - ENOSPC: the next packet has more segments than @p max_iov (it stays
 *     kept; call again with more room).
 */
EVPL_EXPORT int evpl_dpdk_rx_burst(
    struct evpl          *evpl,
    uint16_t              port_id,
    uint16_t              queue_id,
    struct evpl_dpdk_pkt *pkts,
    uint16_t              nb_pkts,
    struct evpl_iovec    *iov,
    unsigned int          max_iov);

/**
 * evpl_dpdk_rx_burst() with a choice of reference counting for the
 * delivered iovecs.
 *
 * With EVPL_IOVEC_FLAG_SHARED every delivered iovec is SHARED: it may be
 * handed to another lcore (through an rte_ring, say) and cloned, sent and
 * released there, the driver's free after transmit included. No count
 * changes: a segment fresh from a driver has no holder but the receiver.
 * The flag is for that case; do not use it on a port whose received mbufs
 * may still hold LOCAL references elsewhere (a loopback port fed with
 * clones, say), as those holders would go on counting without atomics.
 *
 * The packets kept for a later call are as for evpl_dpdk_rx_burst() (a
 * kept packet takes the flags of the call that delivers it).
 *
 * @param evpl     The calling thread's context.
 * @param port_id  The port, started.
 * @param queue_id An RX queue the port was configured with.
 * @param pkts     [out] Receives, for each packet, where its iovecs are.
 * @param nb_pkts  Capacity of @p pkts.
 * @param iov      [out] Receives the packets' iovecs, one after another.
 * @param max_iov  Capacity of @p iov.
 * @param flags    0 (LOCAL, exactly evpl_dpdk_rx_burst()) or
 *                 EVPL_IOVEC_FLAG_SHARED.
 * @return Packets delivered (0..@p nb_pkts), or -1 with errno set:
 *   - EINVAL: @p evpl, @p pkts or @p iov NULL, invalid port or queue,
 *     unknown bits in @p flags;
 *   - ENOSPC: the next packet has more segments than @p max_iov (it stays
 *     kept; call again with more room).
 */
EVPL_EXPORT int evpl_dpdk_rx_burst_flags(
    struct evpl          *evpl,
    uint16_t              port_id,
    uint16_t              queue_id,
    struct evpl_dpdk_pkt *pkts,
    uint16_t              nb_pkts,
    struct evpl_iovec    *iov,
    unsigned int          max_iov,
    unsigned int          flags);

/**
 * Receive single-segment packets as one iovec each, in a flat array: the
 * common case of evpl_dpdk_rx_burst_flags() without struct evpl_dpdk_pkt.
 * @p iov[i] is packet i, its length the segment's data_len (0 for an
 * empty packet, which still holds the mbuf's reference: release it).
 *
 * A packet of several segments stops the burst: it and the packets
 * received after it are kept by the context, like the packets
 * evpl_dpdk_rx_burst() cannot fit, and come first in the next call for
 * the same port and queue. When such a packet is the next one, this call
 * fails with EMSGSIZE; evpl_dpdk_rx_burst() or evpl_dpdk_rx_burst_flags()
 * delivers it. One call takes at most EVPL_DPDK_RX_BURST_MAX packets from
 * the driver.
 *
 * @param evpl     The calling thread's context.
 * @param port_id  The port, started.
 * @param queue_id An RX queue the port was configured with.
 * @param iov      [out] Receives one iovec per packet.
 * @param nb_pkts  Capacity of @p iov.
 * @param flags    0 (LOCAL iovecs) or EVPL_IOVEC_FLAG_SHARED, as for
 *                 evpl_dpdk_rx_burst_flags().
 * @return Packets delivered (0..@p nb_pkts), or -1 with errno set:
 *   - EINVAL: @p evpl or @p iov NULL, invalid port, a queue id the port
 *     was not configured with, unknown bits in @p flags;
 *   - EMSGSIZE: the next packet of the queue has several segments (it
 *     stays kept; take it with evpl_dpdk_rx_burst()).
 */
EVPL_EXPORT int evpl_dpdk_rx_burst_flat(
    struct evpl       *evpl,
    uint16_t           port_id,
    uint16_t           queue_id,
    struct evpl_iovec *iov,
    uint16_t           nb_pkts,
    unsigned int       flags);

/**
 * Transmit packets of one iovec each, given as a flat array: exactly
 * evpl_dpdk_tx_burst() with packet i made of @p iov[i] alone (the same
 * conversions, the same fate for packets not taken under each @p flags),
 * without struct evpl_dpdk_pkt. An iovec that its mbuf's only reference
 * holds becomes that mbuf with a few stores (four at a time where the
 * build has SSE2); any other goes through the general conversion. One
 * buffer may be named by several packets of a burst: without
 * EVPL_DPDK_TAKE_REF each holds a reference of its own, as in
 * evpl_dpdk_tx_burst().
 *
 * @param evpl     The calling thread's context.
 * @param port_id  The port, started.
 * @param queue_id A TX queue the port was configured with.
 * @param iov      The packets, one iovec each.
 * @param nb_pkts  How many (0 sends nothing and returns 0).
 * @param flags    0 or EVPL_DPDK_TAKE_REF, as for evpl_dpdk_tx_burst().
 * @return Packets taken by the driver (0..@p nb_pkts), or -1 with errno
 *   EINVAL (@p evpl NULL, @p iov NULL with packets, invalid port, a queue
 *   id the port was not configured with, unknown @p flags).
 */
EVPL_EXPORT int evpl_dpdk_tx_burst_flat(
    struct evpl       *evpl,
    uint16_t           port_id,
    uint16_t           queue_id,
    struct evpl_iovec *iov,
    uint16_t           nb_pkts,
    unsigned int       flags);

/**
 * Port set-up for evpl traffic. Zero-initialise; every zero field means
 * the default.
 */
struct evpl_dpdk_port_conf {
    uint16_t            nb_rxq;  /**< RX queues (0: 1). */
    uint16_t            nb_txq;  /**< TX queues (0: 1). */
    uint16_t            nb_rxd;  /**< RX descriptors per queue (0: 1024). */
    uint16_t            nb_txd;  /**< TX descriptors per queue (0: 1024). */
    /** Pool for received mbufs (NULL: the default pool of the port's
     *  socket, as evpl_create() would use). */
    struct rte_mempool *rx_pool;
    /** Leave promiscuous mode off (0: turn it on, as testpmd does). */
    int                 no_promisc;
};

/**
 * Configure and start a port for evpl traffic: RX and TX queues, and TX
 * offloads chosen for reference-counted mbufs: RTE_ETH_TX_OFFLOAD_MULTI_SEGS
 * when the port has it; never RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE, which
 * assumes unshared direct mbufs. The port's TX limits are recorded for
 * evpl_dpdk_tx_burst().
 *
 * @param port_id The port, stopped.
 * @param conf    NULL or a zero-initialised configuration.
 * @return 0, or -1 with errno and rte_errno set: EINVAL (invalid port or
 *   configuration), ENOMEM (no RX pool), EBUSY (the port is started:
 *   stop it first), or what else ethdev reported.
 */
EVPL_EXPORT int evpl_dpdk_port_setup(
    uint16_t                          port_id,
    const struct evpl_dpdk_port_conf *conf);

/**
 * The per-context counters, in the order of struct evpl_dpdk_stats: the
 * one list from which the struct, the telemetry endpoints and
 * evpl-testpmd's report are generated. X(name) for each; what each counts
 * is beside it.
 */
#define EVPL_DPDK_STATS_FOREACH(X)                                           \
    X(alloc_nomem)   /* alloc/reserve calls failed for lack of mbufs */      \
    X(tx_pkts)       /* packets converted to mbuf chains */                  \
    X(tx_segs)       /* segments in those chains */                          \
    X(tx_reused)     /* iovecs sent as their own mbuf (no copy, no alloc) */ \
    X(tx_indirect)   /* iovecs sent by reference in an indirect mbuf */      \
    X(tx_copied)     /* small shared iovecs copied into a segment */         \
    X(tx_linearized) /* packets copied whole to fit a port's limits */       \
    X(tx_nomem)      /* conversions failed for lack of mbufs */              \
    X(tx_dropped)    /* TAKE_REF packets not taken by the driver */          \
    X(rx_pkts)       /* mbuf chains turned into iovecs */                    \
    X(rx_segs)       /* iovecs those produced */                             \
    X(tx_ext)        /* slab ranges sent by reference: mbufs attached to */  \
                     /* the slab as external buffers (one per range) */

/** @cond */
#define EVPL_DPDK_STATS_FIELD_(name) uint64_t name;
/** @endcond */

/**
 * Per-context counters, one uint64_t per name of
 * EVPL_DPDK_STATS_FOREACH(), in its order. Read with
 * evpl_dpdk_stats_get().
 */
struct evpl_dpdk_stats {
    EVPL_DPDK_STATS_FOREACH(EVPL_DPDK_STATS_FIELD_)
};

/**
 * Copy out a context's counters.
 *
 * @param evpl  The context.
 * @param stats [out] Receives the counters.
 * @return 0, or -1 with errno EINVAL for a NULL argument.
 */
EVPL_EXPORT int evpl_dpdk_stats_get(
    const struct evpl      *evpl,
    struct evpl_dpdk_stats *stats);

/**
 * Zero a context's counters.
 *
 * @param evpl The context, or NULL (which does nothing).
 */
EVPL_EXPORT void evpl_dpdk_stats_reset(struct evpl *evpl);

/** evpl_dpdk_outstanding(): the counts are exactly the context's own. */
#define EVPL_DPDK_OUTSTANDING_CONTEXT 1
/** evpl_dpdk_outstanding(): the counts are the whole pool's. */
#define EVPL_DPDK_OUTSTANDING_POOL    0

/** What evpl_dpdk_outstanding() counts. */
struct evpl_dpdk_outstanding {
    uint64_t mbufs;     /**< mbufs still referenced */
    uint64_t refs;      /**< references on them (a lower bound: see below) */
    uint64_t slabs;     /**< slabs this context took that are still
                             referenced (exact in every build) */
    uint64_t slab_refs; /**< references on them, in flight ones included */
};

/**
 * How much of what a context allocated is still referenced: what a leak
 * check asserts is zero once everything is released.
 *
 * References the context holds itself (on the segment it carves
 * reservations from, on received packets it keeps for a later
 * evpl_dpdk_rx_burst()) are never counted; they go at evpl_destroy().
 *
 * Trace builds of the library (meson -Diovec_trace=true), on a pool the
 * library created (config->pool NULL): the context's own, exactly.
 * @p mbufs is the number of mbufs that this context's evpl_iovec_alloc()
 * and evpl_iovec_reserve() handed out and that something still references
 * (an iovec, a clone made on any lcore, an mbuf chain in a transmit queue,
 * an indirect mbuf attached to it); @p refs is the sum of their reference
 * counts. mbufs the library allocates while transmitting (copies, indirect
 * mbufs) and received mbufs are nobody's. Returns
 * EVPL_DPDK_OUTSTANDING_CONTEXT.
 *
 * Other builds, and an application's pool: the whole pool. @p mbufs is the
 * number of the pool's mbufs that are neither in the pool nor in a
 * per-lcore cache, whoever holds them (other contexts, drivers' receive
 * rings included); @p refs equals @p mbufs, a lower bound. Returns
 * EVPL_DPDK_OUTSTANDING_POOL.
 *
 * Slabs, in every build: @p slabs is the number of slabs this context
 * took from a slab pool (for its allocations and reservations) that
 * something still references, and @p slab_refs the sum of their counts:
 * iovecs, clones made on any lcore, mbufs attached to them in transmit
 * queues.
 *
 * Either way the counts are a snapshot, exact while no other thread is
 * taking or dropping the references counted.
 *
 * @param evpl The context.
 * @param out  [out] The counts.
 * @return EVPL_DPDK_OUTSTANDING_CONTEXT or EVPL_DPDK_OUTSTANDING_POOL, as
 *   above, or -1 with errno EINVAL: @p evpl or @p out NULL.
 */
EVPL_EXPORT int evpl_dpdk_outstanding(
    const struct evpl            *evpl,
    struct evpl_dpdk_outstanding *out);

/**
 * The IOVA (the address a device uses for DMA) of an iovec's first byte,
 * for either kind of memory.
 *
 * An iovec's bytes are IOVA-contiguous, in IOVA-as-PA and IOVA-as-VA
 * modes alike: a segment's, because pktmbuf pools keep each mbuf in
 * IOVA-contiguous memory; a slab's, because a slab is a power of two
 * aligned to its size, so it lies inside one hugepage of at least its
 * size (larger slabs are reserved physically contiguous).
 * So [iova, iova + length) is the iovec, for one DMA descriptor. Two
 * iovecs adjacent in virtual memory are not necessarily adjacent in IOVA
 * (under IOVA-as-PA they may sit on different hugepages). An iovec on a
 * caller's pool created with RTE_MEMPOOL_F_NO_IOVA_CONTIG has no such
 * guarantee.
 *
 * @param iov The iovec.
 * @return The IOVA, or RTE_BAD_IOVA for NULL or a zeroed iovec.
 */
EVPL_EXPORT rte_iova_t evpl_dpdk_iovec_iova(const struct evpl_iovec *iov);

/**
 * Which kind of memory holds an iovec's bytes: a packet segment (an
 * rte_mbuf, evpl_iovec_mbuf()) or a slab (a large buffer, see
 * evpl_iovec_alloc()).
 *
 * @param iovec A live iovec.
 * @return 1 when @p iovec is on a slab, 0 when it is on an mbuf.
 */
static inline int
evpl_dpdk_iovec_is_slab(const struct evpl_iovec *iovec)
{
    return evpl_iovec_on_slab_(iovec);
}

/**
 * The mbuf whose reference an iovec holds.
 *
 * @param iovec A live iovec.
 * @return The mbuf (direct, or indirect or with an external buffer when
 *   the iovec wraps a received one), or NULL when @p iovec is not on an
 *   mbuf (a slab iovec: evpl_dpdk_iovec_is_slab()).
 */
static inline struct rte_mbuf *
evpl_iovec_mbuf(const struct evpl_iovec *iovec)
{
    return evpl_iovec_on_slab_(iovec) ? NULL : evpl_iovec_mbuf_(iovec);
}

#ifdef __cplusplus
}
#endif

#endif /* EVPL_DPDK_H */
