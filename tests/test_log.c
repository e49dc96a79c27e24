/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The library's log type: DPDK's own option --log-level=lib.*:debug
 * reaches it (it is "lib.evpl"), the name before 0.2 ("evpl") still
 * raises its level, a leak at evpl_destroy() is reported at WARNING,
 * so that DPDK's default level prints it, and an abort's message goes
 * through the log at CRIT, where an application's log stream has it.
 *
 * The point is the command line: this program adds --log-level=lib.*:debug
 * to what tests/common.c passes the EAL.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

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

static const struct CMUnitTest cases[] = {
    /* First: it reads the level the command line set. */
    cmocka_unit_test(lib_star_on_the_command_line_reaches_lib_evpl),
    cmocka_unit_test(info_is_hidden_at_the_default_level),
    cmocka_unit_test(old_name_still_raises_the_level),
    cmocka_unit_test(leak_is_printed_at_the_default_level),
    cmocka_unit_test(leak_is_reported_at_warning),
    cmocka_unit_test(no_report_without_a_leak),
    CASE(abort_message_reaches_the_log_stream),
};

/* What a user types; the EAL's own debug lines then go off again, as for a
 * user quieting one library (tests/common.c adds lib.eal:warning after). */
EVPL_TEST_MAIN("log", cases, .eal.lcores = "0", .eal.nohuge_mb = "256",
               .eal.args = EVPL_TEST_LIST("--log-level=lib.*:debug"))
