/* SPDX-License-Identifier: LGPL-2.1-only */

/* The version three ways agree: meson's project version (passed in as
 * EVPL_TEST_PROJECT_VERSION), the installed header's macros, and the
 * string the library returns at run time. No EAL: evpl_dpdk_version() is
 * documented as callable before rte_eal_init(), and this proves it. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <evpl/evpl.h>

static void
runtime_string_is_the_header_string(void **state)
{
    (void) state;
    assert_non_null(evpl_dpdk_version());
    assert_string_equal(evpl_dpdk_version(), EVPL_DPDK_VERSION_STRING);
}

static void
runtime_string_is_the_header_numbers(void **state)
{
    char expect[32];

    (void) state;
    snprintf(expect, sizeof(expect), "%d.%d.%d", EVPL_DPDK_VERSION_MAJOR,
             EVPL_DPDK_VERSION_MINOR, EVPL_DPDK_VERSION_PATCH);
    assert_string_equal(evpl_dpdk_version(), expect);
}

static void
header_is_the_meson_project_version(void **state)
{
    (void) state;
    assert_string_equal(EVPL_DPDK_VERSION_STRING, EVPL_TEST_PROJECT_VERSION);
}

static void
combined_number_is_the_runtime_version(void **state)
{
    int major, minor, patch;

    (void) state;
    assert_int_equal(sscanf(evpl_dpdk_version(), "%d.%d.%d",
                            &major, &minor, &patch), 3);
    assert_int_equal(EVPL_DPDK_VERSION,
                     EVPL_DPDK_VERSION_NUM(major, minor, patch));
}

/* The combined number orders as versions do: a later part never
 * outweighs an earlier one. */
static void
combined_number_orders_versions(void **state)
{
    (void) state;
    assert_true(EVPL_DPDK_VERSION_NUM(0, 2, 0) > EVPL_DPDK_VERSION_NUM(0, 1, 255));
    assert_true(EVPL_DPDK_VERSION_NUM(1, 0, 0) > EVPL_DPDK_VERSION_NUM(0, 255, 255));
    assert_true(EVPL_DPDK_VERSION_NUM(0, 1, 1) > EVPL_DPDK_VERSION_NUM(0, 1, 0));
#if EVPL_DPDK_VERSION < EVPL_DPDK_VERSION_NUM(0, 2, 0)
    fail_msg("the preprocessor sees EVPL_DPDK_VERSION below 0.2.0");
#endif
}

int
main(void)
{
    static const struct CMUnitTest cases[] = {
        cmocka_unit_test(runtime_string_is_the_header_string),
        cmocka_unit_test(runtime_string_is_the_header_numbers),
        cmocka_unit_test(header_is_the_meson_project_version),
        cmocka_unit_test(combined_number_is_the_runtime_version),
        cmocka_unit_test(combined_number_orders_versions),
    };

    return cmocka_run_group_tests(cases, NULL, NULL);
}
