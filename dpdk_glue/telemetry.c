/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * Telemetry: the contexts' counters for dpdk-telemetry.py and any other
 * client of the EAL's telemetry socket.
 *
 *   /evpl/stats          every live context's counters, summed
 *   /evpl/contexts       the ids of the live contexts
 *   /evpl/context,<id>   one context: lcore, pool and counters
 *
 * Counters are read while their lcores may be updating them: each value is
 * a whole 64-bit word, the set a snapshot at no particular instant.
 */

#include <stdlib.h>

#include <rte_telemetry.h>

#include "glue.h"

/* The counters' names, in the order of struct evpl_dpdk_stats. */
static const char *const evpl_tel_names[] = {
#define EVPL_TEL_NAME_(name) #name,
    EVPL_DPDK_STATS_FOREACH(EVPL_TEL_NAME_)
#undef EVPL_TEL_NAME_
};

#define EVPL_TEL_N RTE_DIM(evpl_tel_names)

/* A context's counters as an array, in the names' order. */
static void
evpl_tel_read(
    const struct evpl *e,
    uint64_t           v[EVPL_TEL_N])
{
    struct evpl_dpdk_stats st;
    size_t                 k = 0;

    RTE_BUILD_BUG_ON(sizeof(st) != EVPL_TEL_N * sizeof(uint64_t));
    evpl_glue_stats_read(e, &st);
#define EVPL_TEL_VALUE_(name) v[k++] = st.name;
    EVPL_DPDK_STATS_FOREACH(EVPL_TEL_VALUE_)
#undef EVPL_TEL_VALUE_
}

struct evpl_tel_sum {
    uint64_t     v[EVPL_TEL_N];
    unsigned int contexts;
};

static void
evpl_tel_add(const struct evpl *e, void *arg)
{
    struct evpl_tel_sum *sum = arg;
    uint64_t             v[EVPL_TEL_N];
    size_t               k;

    evpl_tel_read(e, v);
    for (k = 0; k < EVPL_TEL_N; k++)
        sum->v[k] += v[k];
    sum->contexts++;
}

static int
evpl_tel_stats(
    const char           *cmd,
    const char           *params,
    struct rte_tel_data  *d)
{
    struct evpl_tel_sum sum;
    size_t              k;

    RTE_SET_USED(cmd);
    RTE_SET_USED(params);
    memset(&sum, 0, sizeof(sum));
    evpl_contexts_foreach(evpl_tel_add, &sum);

    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_u64(d, "contexts", sum.contexts);
    for (k = 0; k < EVPL_TEL_N; k++)
        rte_tel_data_add_dict_u64(d, evpl_tel_names[k], sum.v[k]);
    return 0;
}

static void
evpl_tel_add_id(const struct evpl *e, void *arg)
{
    rte_tel_data_add_array_int(arg, (int) e->id);
}

static int
evpl_tel_contexts(
    const char           *cmd,
    const char           *params,
    struct rte_tel_data  *d)
{
    RTE_SET_USED(cmd);
    RTE_SET_USED(params);
    rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
    evpl_contexts_foreach(evpl_tel_add_id, d);
    return 0;
}

struct evpl_tel_one {
    uint32_t             id;
    int                  found;
    struct rte_tel_data *d;
};

static void
evpl_tel_describe(const struct evpl *e, void *arg)
{
    struct evpl_tel_one *one = arg;
    uint64_t             v[EVPL_TEL_N];
    size_t               k;

    if (e->id != one->id)
        return;
    one->found = 1;
    rte_tel_data_start_dict(one->d);
    rte_tel_data_add_dict_u64(one->d, "id", e->id);
    rte_tel_data_add_dict_int(one->d, "lcore",
                              e->lcore == LCORE_ID_ANY ? -1 : (int) e->lcore);
    rte_tel_data_add_dict_string(one->d, "pool", e->pool->name);
    evpl_tel_read(e, v);
    for (k = 0; k < EVPL_TEL_N; k++)
        rte_tel_data_add_dict_u64(one->d, evpl_tel_names[k], v[k]);
}

static int
evpl_tel_context(
    const char           *cmd,
    const char           *params,
    struct rte_tel_data  *d)
{
    struct evpl_tel_one one = { 0, 0, d };
    char               *end;
    unsigned long       id;

    RTE_SET_USED(cmd);
    if (params == NULL || *params == '\0')
        return -EINVAL;
    id = strtoul(params, &end, 10);
    if (*end != '\0' || id == 0 || id > UINT32_MAX)
        return -EINVAL;
    one.id = (uint32_t) id;
    evpl_contexts_foreach(evpl_tel_describe, &one);
    return one.found ? 0 : -ENOENT;
}

RTE_INIT(evpl_telemetry_register)
{
    rte_telemetry_register_cmd("/evpl/stats", evpl_tel_stats,
        "Returns the counters of every evpl context, summed. No parameters");
    rte_telemetry_register_cmd("/evpl/contexts", evpl_tel_contexts,
        "Returns the ids of the live evpl contexts. No parameters");
    rte_telemetry_register_cmd("/evpl/context", evpl_tel_context,
        "Returns one evpl context's lcore, pool and counters. "
        "Parameters: int context_id");
}
