/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The library's log type: DPDK's own option --log-level=lib.*:debug
 * reaches it (it is "lib.evpl"), the name before 0.2 ("evpl") still
 * raises its level, a leak at evpl_destroy() (of mbufs or of slabs) is
 * reported at WARNING, so that DPDK's default level prints it, an
 * abort's message goes through the log at CRIT, where an application's log stream has it, and
 * each reason evpl_create() or evpl_dpdk_port_setup() refuses is a line
 * naming the field and its value (DEBUG; ERR when memory ran out).
 *
 * The point is the command line: this program adds --log-level=lib.*:debug
 * to what tests/common.c passes the EAL.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_memzone.h>
#include <rte_mempool.h>

#include "common.h"

/* Each case asks for its own default pool (a distinct mbuf count), so
 * that its creation, logged at INFO, happens inside the case. */
static unsigned int next_nb_mbufs = 101;

static int
lib_evpl_type(void)
{
    /* rte_log_register() of a registered name returns its id. */
    int t = rte_log_register("lib.evpl");

    assert_true(t >= 0);
    return t;
}

/* A context on a pool of its own, created here. */
static void
create_destroy(void *arg)
{
    struct evpl_config cfg = { .nb_mbufs = next_nb_mbufs++ };
    struct evpl       *e = evpl_create(&cfg);

    (void) arg;
    assert_non_null(e);
    evpl_test_assert_pool_full(evpl_mempool(e));
    evpl_destroy(e);
}

/* A context destroyed while one of its iovecs is still held. */
static void
create_leak_destroy(void *arg)
{
    struct evpl_iovec *v = arg;
    struct evpl_config cfg = { .nb_mbufs = next_nb_mbufs++ };
    struct evpl       *e = evpl_create(&cfg);

    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc(e, 100, 0, 1, 0, v), 1);
    evpl_destroy(e);
}

static void
restore_levels(void)
{
    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_NOTICE), 0);
    assert_int_equal(rte_log_set_level_pattern("evpl", RTE_LOG_EMERG), 0);
}

/* main() passed --log-level=lib.*:debug to rte_eal_init(). */
static void
lib_star_on_the_command_line_reaches_lib_evpl(void **state)
{
    char *log;

    (void) state;
    assert_int_equal(rte_log_get_level((uint32_t) lib_evpl_type()),
                     RTE_LOG_DEBUG);
    log = evpl_test_captured_log(create_destroy, NULL);
    assert_non_null(strstr(log, "EVPL: created pool"));
    free(log);
    restore_levels();
}

static void
info_is_hidden_at_the_default_level(void **state)
{
    char *log;

    (void) state;
    restore_levels();
    log = evpl_test_captured_log(create_destroy, NULL);
    assert_null(strstr(log, "created pool"));
    free(log);
}

static void
old_name_still_raises_the_level(void **state)
{
    char *log;

    (void) state;
    assert_int_equal(rte_log_set_level_pattern("evpl", RTE_LOG_INFO), 0);
    log = evpl_test_captured_log(create_destroy, NULL);
    assert_non_null(strstr(log, "EVPL: created pool"));
    free(log);
    restore_levels();
}

static void
leak_is_printed_at_the_default_level(void **state)
{
    struct evpl_iovec v;
    char             *log;

    (void) state;
    restore_levels();
    log = evpl_test_captured_log(create_leak_destroy, &v);
    assert_non_null(strstr(log, "destroyed;"));
    free(log);
    evpl_iovec_release(NULL, &v);
}

/* Printed with lib.evpl at WARNING, hidden at ERR: the report is at
 * WARNING exactly. */
static void
leak_is_reported_at_warning(void **state)
{
    struct evpl_iovec v;
    char             *log;

    (void) state;
    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_WARNING), 0);
    log = evpl_test_captured_log(create_leak_destroy, &v);
    assert_non_null(strstr(log, "destroyed;"));
    free(log);
    evpl_iovec_release(NULL, &v);

    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_ERR), 0);
    log = evpl_test_captured_log(create_leak_destroy, &v);
    assert_null(strstr(log, "destroyed;"));
    free(log);
    evpl_iovec_release(NULL, &v);
    restore_levels();
}

/* A context destroyed while one of its slab iovecs is still held; the
 * mbuf pool is whole, so only the slab report can speak. */
static void
create_slab_leak_destroy(void *arg)
{
    struct evpl_iovec *v = arg;
    struct evpl       *e = evpl_create(NULL);

    assert_non_null(e);
    assert_int_equal(evpl_iovec_alloc(e, 100000, 0, 1, EVPL_IOVEC_FLAG_SHARED,
                                      v), 1);
    assert_true(evpl_dpdk_iovec_is_slab(v));
    evpl_destroy(e);
}

/* The slab leak report is at WARNING too, as docs/trace.md says (it was
 * at NOTICE: with lib.evpl at WARNING a slab leak went unreported). */
static void
slab_leak_is_reported_at_warning(void **state)
{
    struct evpl_iovec v;
    char             *log;

    (void) state;
    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_WARNING), 0);
    log = evpl_test_captured_log(create_slab_leak_destroy, &v);
    assert_non_null(strstr(log, "slabs (1 references) it carved are still "
                            "referenced"));
    free(log);
    evpl_iovec_release(NULL, &v);

    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_ERR), 0);
    log = evpl_test_captured_log(create_slab_leak_destroy, &v);
    assert_null(strstr(log, "destroyed;"));
    free(log);
    evpl_iovec_release(NULL, &v);
    restore_levels();
}

static void
no_report_without_a_leak(void **state)
{
    char *log;

    (void) state;
    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_DEBUG), 0);
    log = evpl_test_captured_log(create_destroy, NULL);
    assert_null(strstr(log, "destroyed;"));
    free(log);
    restore_levels();
}

/* In the child of evpl_test_dies(): DPDK's log goes to the captured
 * stderr pipe through a stream of its own, as an application's
 * rte_openlog_stream() would send it to a file, and stderr itself to
 * /dev/null; then a range outside the iovec, which aborts in every
 * build. */
static void
abort_with_the_log_elsewhere(void *arg)
{
    struct evpl_iovec *v = arg;
    struct evpl_iovec  d;
    FILE              *log = fdopen(dup(STDERR_FILENO), "w");
    int                null = open("/dev/null", O_WRONLY);

    if (log == NULL || null < 0 || rte_openlog_stream(log) != 0 ||
        dup2(null, STDERR_FILENO) < 0)
        _exit(3);
    evpl_iovec_clone_segment(&d, v, 0, evpl_iovec_length(v) + 1);
}

/* Guards evpl_iovec_abort() logging through rte_log (src/log.c): its line
 * reaches the application's log stream, not only fd 2. Written straight
 * to stderr, as before, it went to /dev/null here. */
static void
abort_message_reaches_the_log_stream(void **state)
{
    struct evpl_iovec v;
    char              expect[160];

    assert_int_equal(evpl_iovec_alloc(ctx_of(state), 64, 0, 1, 0, &v), 1);
    snprintf(expect, sizeof(expect), "evpl: evpl_iovec_clone_segment: range "
             "[0, 0 + 65) outside an iovec of length 64 (iovec %p",
             (void *) &v);
    assert_true(evpl_test_dies(abort_with_the_log_elsewhere, &v, expect));
    evpl_iovec_release(ctx_of(state), &v);
}

/* ---- why a call was refused ---------------------------------------------
 * Guards the log lines of src/context.c and dpdk_glue/port.c: each cause
 * of an EINVAL, and a resource failure, names the field and its value.
 * Without them the captured log of a refused call is empty. */

struct refusal {
    const char *what;   /* the line names this... */
    const char *value;  /* ...and this */
    int         err;    /* the errno the call fails with */
    void      (*call)(const struct refusal *r);
    const struct evpl_config *cfg;
};

static void
refused_create(const struct refusal *r)
{
    errno = 0;
    assert_null(evpl_create(r->cfg));
    assert_int_equal(errno, r->err);
}

static uint16_t
null_port(void)
{
    uint16_t port;

    assert_int_equal(rte_eth_dev_get_port_by_name("net_null0", &port), 0);
    return port;
}

static void
refused_port_999(const struct refusal *r)
{
    assert_int_equal(evpl_dpdk_port_setup(999, NULL), -1);
    assert_int_equal(errno, r->err);
}

static void
refused_port_queues(const struct refusal *r)
{
    const struct evpl_dpdk_port_conf conf = { .nb_rxq = 2000 };

    assert_int_equal(evpl_dpdk_port_setup(null_port(), &conf), -1);
    assert_int_equal(errno, r->err);
}

/* A started port cannot be configured again: ethdev's EBUSY, with the
 * values passed to the call that refused. */
static void
refused_port_started(const struct refusal *r)
{
    assert_int_equal(evpl_dpdk_port_setup(null_port(), NULL), 0);
    assert_int_equal(evpl_dpdk_port_setup(null_port(), NULL), -1);
    assert_int_equal(errno, r->err);
    assert_int_equal(rte_eth_dev_stop(null_port()), 0);
}

static void
run_refusal(void *arg)
{
    const struct refusal *r = arg;

    r->call(r);
}

static const struct evpl_config big_segment = { .segment_size = 65536 };
static const struct evpl_config many_mbufs = { .nb_mbufs = 1u << 30 };
static const struct evpl_config far_socket = {
    .pool_socket = EVPL_DPDK_SOCKET(77),
};
static const struct evpl_config odd_slab = { .slab_size = 5000 };
static const struct evpl_config many_slabs = { .nb_slabs = 1u << 30 };

static const struct refusal refusals[] = {
    { "segment_size=65536", "> 65407", EINVAL, refused_create, &big_segment },
    { "nb_mbufs=1073741824", "> 1073741823", EINVAL, refused_create,
      &many_mbufs },
    { "pool_socket=EVPL_DPDK_SOCKET(77)", "no socket 77", EINVAL,
      refused_create, &far_socket },
    { "slab_size=5000", "nb_slabs=0", EINVAL, refused_create, &odd_slab },
    { "nb_slabs=1073741824", "slab_size=0", EINVAL, refused_create,
      &many_slabs },
    { "port_id=999", "not a valid port", EINVAL, refused_port_999, NULL },
    { "nb_rxq=2000", "max_rx_queues", EINVAL, refused_port_queues, NULL },
    { "rte_eth_dev_configure(nb_rxq=1, nb_txq=1", "busy", EBUSY,
      refused_port_started, NULL },
};

static void
each_refusal_names_its_field_and_value(void **state)
{
    unsigned int i;
    char        *log;

    (void) state;
    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_DEBUG), 0);
    for (i = 0; i < RTE_DIM(refusals); i++) {
        log = evpl_test_captured_log(run_refusal, (void *) &refusals[i]);
        if (strstr(log, refusals[i].what) == NULL ||
            strstr(log, refusals[i].value) == NULL)
            fail_msg("refusal %u: no line with \"%s\" and \"%s\" in: %s", i,
                     refusals[i].what, refusals[i].value, log);
        free(log);
    }
    restore_levels();
}

/* The pktmbuf check names the pool it refused. */
static void
create_on(void *arg)
{
    struct evpl_config cfg = { .pool = arg };

    assert_null(evpl_create(&cfg));
    assert_int_equal(errno, EINVAL);
}

static void
a_pool_that_is_not_pktmbuf_is_named(void **state)
{
    struct rte_mempool *mp = rte_mempool_create("evpl_log_plain", 63, 64, 0,
                                                0, NULL, NULL, NULL, NULL,
                                                SOCKET_ID_ANY, 0);
    char               *log;

    (void) state;
    assert_non_null(mp);
    assert_int_equal(rte_log_set_level_pattern("lib.evpl", RTE_LOG_DEBUG), 0);
    log = evpl_test_captured_log(create_on, mp);
    assert_non_null(strstr(log, "config->pool evpl_log_plain is not a "
                           "pktmbuf pool"));
    free(log);
    restore_levels();
    rte_mempool_free(mp);
}

/* The causes are DEBUG: nothing at the default level. A pool that cannot
 * be had is ERR: printed there, with the values asked for. */
static void
causes_are_debug_and_memory_is_err(void **state)
{
    const struct evpl_config huge = { .nb_mbufs = (1u << 30) - 1 };
    const struct refusal     r = { NULL, NULL, ENOMEM, refused_create, &huge };
    char                    *log;

    (void) state;
    restore_levels();
    log = evpl_test_captured_log(run_refusal, (void *) &refusals[0]);
    assert_null(strstr(log, "segment_size"));
    free(log);
    log = evpl_test_captured_log(run_refusal, (void *) &r);
    assert_non_null(strstr(log, "evpl_create: no default pool of 1073741823 "
                           "mbufs of segment_size=8192"));
    free(log);
}

/* The pool itself that cannot be made is named at ERR too, with DPDK's
 * reason. Guards the error log of src/pool.c's
 * evpl_pool_get_or_create() for a pool that is not quiet (its
 * "!mk->quiet", and the error it names). */
static void
a_pool_that_cannot_be_made_is_named_with_the_reason(void **state)
{
    const struct evpl_config huge = { .nb_mbufs = (1u << 30) - 1 };
    const struct refusal     r = { NULL, NULL, ENOMEM, refused_create, &huge };
    char                    *log, *line, *nl;

    (void) state;
    restore_levels();
    log = evpl_test_captured_log(run_refusal, (void *) &r);
    line = strstr(log, "cannot create pool evpl");
    assert_non_null(line);
    if ((nl = strchr(line, '\n')) != NULL)
        *nl = '\0';
    assert_non_null(strstr(line, "1073741823: Cannot allocate memory"));
    free(log);
}

/*
 * This program defines rte_memzone_reserve(): an executable's definition
 * interposes on the library's call through its PLT. While armed it fails
 * the reservation of a pool's publication marker (its name begins "EV_",
 * src/pool.c) with ENOSPC, as a full memzone table would, and counts it.
 */
static int          marker_fail;
static unsigned int marker_failed;

const struct rte_memzone *
rte_memzone_reserve(const char *name, size_t len, int socket_id,
                    unsigned int flags)
{
    static const struct rte_memzone *(*real)(const char *, size_t, int,
                                             unsigned int);

    if (marker_fail && strncmp(name, "EV_", 3) == 0) {
        marker_failed++;
        rte_errno = ENOSPC;
        return NULL;
    }
    if (real == NULL)
        *(void **) &real = dlsym(RTLD_NEXT, "rte_memzone_reserve");
    return real(name, len, socket_id, flags);
}

/*
 * And rte_mempool_free(): while a marker fails it sets rte_errno to
 * ENOENT after freeing, as a free that looks things up may, and counts
 * the pools it freed.
 */
static unsigned int pools_freed;

void
rte_mempool_free(struct rte_mempool *mp)
{
    static void (*real)(struct rte_mempool *);

    if (real == NULL)
        *(void **) &real = dlsym(RTLD_NEXT, "rte_mempool_free");
    real(mp);
    if (marker_fail && mp != NULL) {
        pools_freed++;
        rte_errno = ENOENT;
    }
}

/* A pool made whose marker cannot be reserved is named at ERR with the
 * marker's reason, whatever freeing the pool left in rte_errno; the pool
 * is freed, not left behind unpublished, so the next evpl_create() of the
 * same configuration makes it again and succeeds (a pool left behind
 * would look half-built to it, and it would give up waiting). Guards
 * src/pool.c's evpl_pool_get_or_create(): the error kept across the
 * discard (err = rte_errno, restored after), and the rte_mempool_free()
 * of a pool without a discard function (the context's default pool). */
static void
a_pool_whose_marker_cannot_be_reserved_is_named_with_the_reason(void **state)
{
    const struct evpl_config cfg = { .nb_mbufs = next_nb_mbufs++ };
    const struct refusal     r = { NULL, NULL, ENOMEM, refused_create, &cfg };
    struct evpl             *evpl;
    char                    *log, *line, *nl;

    (void) state;
    restore_levels();
    marker_failed = 0;
    pools_freed   = 0;
    marker_fail   = 1;
    log = evpl_test_captured_log(run_refusal, (void *) &r);
    marker_fail   = 0;
    assert_int_equal(marker_failed, 1);
    assert_int_equal(pools_freed, 1);
    line = strstr(log, "cannot create pool evpl");
    assert_non_null(line);
    if ((nl = strchr(line, '\n')) != NULL)
        *nl = '\0';
    assert_non_null(strstr(line, ": No space left on device"));
    free(log);

    evpl = evpl_create(&cfg);
    assert_non_null(evpl);
    evpl_destroy(evpl);
}

static const struct CMUnitTest cases[] = {
    /* First: it reads the level the command line set. */
    cmocka_unit_test(lib_star_on_the_command_line_reaches_lib_evpl),
    cmocka_unit_test(info_is_hidden_at_the_default_level),
    cmocka_unit_test(old_name_still_raises_the_level),
    cmocka_unit_test(leak_is_printed_at_the_default_level),
    cmocka_unit_test(leak_is_reported_at_warning),
    cmocka_unit_test(slab_leak_is_reported_at_warning),
    cmocka_unit_test(no_report_without_a_leak),
    CASE(abort_message_reaches_the_log_stream),
    cmocka_unit_test(each_refusal_names_its_field_and_value),
    cmocka_unit_test(a_pool_that_is_not_pktmbuf_is_named),
    cmocka_unit_test(causes_are_debug_and_memory_is_err),
    cmocka_unit_test(a_pool_that_cannot_be_made_is_named_with_the_reason),
    cmocka_unit_test(a_pool_whose_marker_cannot_be_reserved_is_named_with_the_reason),
};

/* What a user types; the EAL's own debug lines then go off again, as for a
 * user quieting one library (tests/common.c adds lib.eal:warning after). */
EVPL_TEST_MAIN("log", cases, .eal.lcores = "0", .eal.nohuge_mb = "256",
               .eal.vdevs = EVPL_TEST_LIST("net_null0"),
               .eal.args = EVPL_TEST_LIST("--log-level=lib.*:debug"))
