/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The testpmd> prompt, on DPDK's cmdline library, with dpdk-testpmd's
 * spelling of the commands evpl-testpmd has. It runs on the main lcore
 * while the others forward; answers go where dpdk-testpmd prints them
 * (stdout, or stderr under --json), refusals to stderr.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <cmdline_socket.h>

#include "testpmd.h"

static int tp_quit;

/* Commands that change the plan wait for the lcores to stop, as
 * dpdk-testpmd's do. */
static int
tp_stopped(void)
{
    if (tp.running)
        fprintf(stderr, "Please stop forwarding first\n");
    return !tp.running;
}

/* ---- start, start tx_first, stop, quit -------------------------------- */

struct tp_cmd_word {
    cmdline_fixed_string_t w0;
    cmdline_fixed_string_t w1;
    cmdline_fixed_string_t w2;
    cmdline_fixed_string_t w3;
};

#define TP_WORD(name, field, text) \
    static cmdline_parse_token_string_t name = \
        TOKEN_STRING_INITIALIZER(struct tp_cmd_word, field, text)

TP_WORD(tp_w_start, w0, "start");
TP_WORD(tp_w_tx_first, w1, "tx_first");
TP_WORD(tp_w_stop, w0, "stop");
TP_WORD(tp_w_quit, w0, "quit");
TP_WORD(tp_w_help, w0, "help");
TP_WORD(tp_w_show, w0, "show");
TP_WORD(tp_w_clear, w0, "clear");
TP_WORD(tp_w_port, w1, "port");
TP_WORD(tp_w_fwd1, w1, "fwd");
TP_WORD(tp_w_config, w1, "config");
TP_WORD(tp_w_stats, w2, "stats");
TP_WORD(tp_w_fwd2, w2, "fwd");
TP_WORD(tp_w_txpkts2, w2, "txpkts");
TP_WORD(tp_w_all, w3, "all");

static void
tp_cmd_start(void *res, struct cmdline *cl, void *data)
{
    (void) res;
    (void) cl;
    tp_fwd_start(data != NULL);
}

static cmdline_parse_inst_t tp_cmd_start_inst = {
    .f = tp_cmd_start, .data = NULL,
    .help_str = "start: start packet forwarding",
    .tokens = { (void *) &tp_w_start, NULL },
};

static cmdline_parse_inst_t tp_cmd_start_tx_first_inst = {
    .f = tp_cmd_start, .data = (void *) 1,
    .help_str = "start tx_first: send one burst of txonly packets on every "
                "stream, then forward",
    .tokens = { (void *) &tp_w_start, (void *) &tp_w_tx_first, NULL },
};

static void
tp_cmd_stop(void *res, struct cmdline *cl, void *data)
{
    (void) res;
    (void) cl;
    (void) data;
    tp_fwd_stop();
}

static cmdline_parse_inst_t tp_cmd_stop_inst = {
    .f = tp_cmd_stop, .data = NULL,
    .help_str = "stop: stop packet forwarding and show its statistics",
    .tokens = { (void *) &tp_w_stop, NULL },
};

static void
tp_cmd_quit(void *res, struct cmdline *cl, void *data)
{
    (void) res;
    (void) data;
    if (tp.running)
        tp_fwd_stop();
    tp_quit = 1;
    cmdline_quit(cl);
}

static cmdline_parse_inst_t tp_cmd_quit_inst = {
    .f = tp_cmd_quit, .data = NULL,
    .help_str = "quit: stop forwarding if it runs, check the books and exit",
    .tokens = { (void *) &tp_w_quit, NULL },
};

/* ---- show / clear ------------------------------------------------------ */

static void
tp_cmd_show_port_stats(void *res, struct cmdline *cl, void *data)
{
    (void) res;
    (void) cl;
    (void) data;
    tp_stats_port(&tp, tp.out, 0);
}

static cmdline_parse_inst_t tp_cmd_show_port_stats_inst = {
    .f = tp_cmd_show_port_stats, .data = NULL,
    .help_str = "show port stats all: the ports' counters and rates",
    .tokens = { (void *) &tp_w_show, (void *) &tp_w_port,
                (void *) &tp_w_stats, (void *) &tp_w_all, NULL },
};

static void
tp_cmd_clear_port_stats(void *res, struct cmdline *cl, void *data)
{
    (void) res;
    (void) cl;
    (void) data;
    tp_stats_port_clear(&tp, tp.out);
}

static cmdline_parse_inst_t tp_cmd_clear_port_stats_inst = {
    .f = tp_cmd_clear_port_stats, .data = NULL,
    .help_str = "clear port stats all: zero the ports' counters",
    .tokens = { (void *) &tp_w_clear, (void *) &tp_w_port,
                (void *) &tp_w_stats, (void *) &tp_w_all, NULL },
};

static void
tp_cmd_show_fwd_stats(void *res, struct cmdline *cl, void *data)
{
    (void) res;
    (void) cl;
    (void) data;
    tp_stats_fwd(&tp, tp.out);
}

static cmdline_parse_inst_t tp_cmd_show_fwd_stats_inst = {
    .f = tp_cmd_show_fwd_stats, .data = NULL,
    .help_str = "show fwd stats all: forward statistics since start",
    .tokens = { (void *) &tp_w_show, (void *) &tp_w_fwd1,
                (void *) &tp_w_stats, (void *) &tp_w_all, NULL },
};

static void
tp_cmd_show_config_fwd(void *res, struct cmdline *cl, void *data)
{
    (void) res;
    (void) cl;
    (void) data;
    tp_config_fwd(&tp, tp.out);
}

static cmdline_parse_inst_t tp_cmd_show_config_fwd_inst = {
    .f = tp_cmd_show_config_fwd, .data = NULL,
    .help_str = "show config fwd: mode, lcores and their streams",
    .tokens = { (void *) &tp_w_show, (void *) &tp_w_config,
                (void *) &tp_w_fwd2, NULL },
};

static void
tp_cmd_show_config_txpkts(void *res, struct cmdline *cl, void *data)
{
    unsigned int i;

    (void) res;
    (void) cl;
    (void) data;
    fprintf(tp.out, "Number of segments: %u\nSegment sizes: ",
            tp.args.nb_txpkts);
    for (i = 0; i < tp.args.nb_txpkts; i++)
        fprintf(tp.out, "%s%u", i ? "," : "", tp.args.txpkts[i]);
    fprintf(tp.out, "\nSplit packet: off\n");
}

static cmdline_parse_inst_t tp_cmd_show_config_txpkts_inst = {
    .f = tp_cmd_show_config_txpkts, .data = NULL,
    .help_str = "show config txpkts: the txonly segment sizes",
    .tokens = { (void *) &tp_w_show, (void *) &tp_w_config,
                (void *) &tp_w_txpkts2, NULL },
};

/* ---- set fwd, set burst, set txpkts ------------------------------------ */

struct tp_cmd_set_str {
    cmdline_fixed_string_t set;
    cmdline_fixed_string_t what;
    cmdline_fixed_string_t value;
};

static cmdline_parse_token_string_t tp_s_set =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_set_str, set, "set");
static cmdline_parse_token_string_t tp_s_fwd =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_set_str, what, "fwd");
static cmdline_parse_token_string_t tp_s_mode =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_set_str, value,
        "io#iovec#mac#macswap#txonly#rxonly#clone#split#pipeline");
static cmdline_parse_token_string_t tp_s_txpkts =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_set_str, what, "txpkts");
static cmdline_parse_token_string_t tp_s_any =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_set_str, value, NULL);

static void
tp_cmd_set_fwd(void *res, struct cmdline *cl, void *data)
{
    struct tp_cmd_set_str *r = res;
    enum tp_mode           old = tp.args.mode, mode;

    (void) cl;
    (void) data;
    if (!tp_stopped())
        return;
    if (tp_mode_parse(r->value, &mode) != 0) {
        fprintf(stderr, "Invalid %s packet forwarding mode\n", r->value);
        return;
    }
    /* The streams are dealt again: pipeline and clone deal them their
     * own way. */
    tp_unplan();
    tp.args.mode = mode;
    if (tp_plan() != 0) {
        tp.args.mode = old;
        if (tp_plan() != 0)
            fprintf(stderr, "evpl-testpmd: the %s plan cannot be made "
                    "again\n", tp_mode_name(old));
        return;
    }
    fprintf(tp.out, "Set %s packet forwarding mode\n", tp_mode_name(mode));
}

static cmdline_parse_inst_t tp_cmd_set_fwd_inst = {
    .f = tp_cmd_set_fwd, .data = NULL,
    .help_str = "set fwd io|iovec|mac|macswap|txonly|rxonly|clone|split|"
                "pipeline: the forwarding mode of the next start",
    .tokens = { (void *) &tp_s_set, (void *) &tp_s_fwd, (void *) &tp_s_mode,
                NULL },
};

static void
tp_cmd_set_txpkts(void *res, struct cmdline *cl, void *data)
{
    struct tp_cmd_set_str *r = res;

    (void) cl;
    (void) data;
    if (!tp_stopped())
        return;
    /* The txonly headers carry the packet's length. */
    if (tp_txpkts_parse("set txpkts", r->value, &tp.args) == 0)
        tp_txonly_headers(&tp);
}

static cmdline_parse_inst_t tp_cmd_set_txpkts_inst = {
    .f = tp_cmd_set_txpkts, .data = NULL,
    .help_str = "set txpkts N[,N...]: txonly and tx_first segment sizes",
    .tokens = { (void *) &tp_s_set, (void *) &tp_s_txpkts,
                (void *) &tp_s_any, NULL },
};

struct tp_cmd_set_num {
    cmdline_fixed_string_t set;
    cmdline_fixed_string_t what;
    uint16_t               value;
};

static cmdline_parse_token_string_t tp_n_set =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_set_num, set, "set");
static cmdline_parse_token_string_t tp_n_burst =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_set_num, what, "burst");
static cmdline_parse_token_num_t tp_n_value =
    TOKEN_NUM_INITIALIZER(struct tp_cmd_set_num, value, RTE_UINT16);

static void
tp_cmd_set_burst(void *res, struct cmdline *cl, void *data)
{
    struct tp_cmd_set_num *r = res;

    (void) cl;
    (void) data;
    /* The lcores read the burst when they start. */
    if (!tp_stopped())
        return;
    if (r->value == 0 || r->value > TP_MAX_BURST) {
        fprintf(stderr, "nb pkt per burst: %u: not in 1..%u - ignored\n",
                r->value, TP_MAX_BURST);
        return;
    }
    tp.args.burst = r->value;
    fprintf(tp.out, "Number of packets per burst set to %u\n", r->value);
}

static cmdline_parse_inst_t tp_cmd_set_burst_inst = {
    .f = tp_cmd_set_burst, .data = NULL,
    .help_str = "set burst N: packets per burst, 1..512",
    .tokens = { (void *) &tp_n_set, (void *) &tp_n_burst,
                (void *) &tp_n_value, NULL },
};

/* ---- help -------------------------------------------------------------- */

static cmdline_parse_inst_t *tp_ctx[];

static void
tp_cmd_help(void *res, struct cmdline *cl, void *data)
{
    unsigned int i;

    (void) res;
    (void) cl;
    (void) data;
    for (i = 0; tp_ctx[i] != NULL; i++)
        fprintf(tp.out, "  %s\n", tp_ctx[i]->help_str);
}

static cmdline_parse_inst_t tp_cmd_help_inst = {
    .f = tp_cmd_help, .data = NULL,
    .help_str = "help: these lines",
    .tokens = { (void *) &tp_w_help, NULL },
};

static cmdline_parse_inst_t *tp_ctx[] = {
    &tp_cmd_start_inst,
    &tp_cmd_start_tx_first_inst,
    &tp_cmd_stop_inst,
    &tp_cmd_show_port_stats_inst,
    &tp_cmd_clear_port_stats_inst,
    &tp_cmd_show_fwd_stats_inst,
    &tp_cmd_show_config_fwd_inst,
    &tp_cmd_show_config_txpkts_inst,
    &tp_cmd_set_fwd_inst,
    &tp_cmd_set_burst_inst,
    &tp_cmd_set_txpkts_inst,
    &tp_cmd_help_inst,
    &tp_cmd_quit_inst,
    NULL,
};

int
tp_prompt(volatile sig_atomic_t *signalled)
{
    struct cmdline *cl;
    char            buf[256];
    ssize_t         n;

    /* Under --json stdout is the summary's alone. */
    cl = tp.args.json ? cmdline_new(tp_ctx, "testpmd> ", STDIN_FILENO,
                                    STDERR_FILENO) :
                        cmdline_stdin_new(tp_ctx, "testpmd> ");
    if (cl == NULL) {
        fprintf(stderr, "evpl-testpmd: the command line cannot be made\n");
        return -1;
    }
    /* cmdline_interact's loop, but one that sees a signal delivered while
     * a command ran, and ends at quit without waiting for more input. */
    while (!tp_quit && !*signalled) {
        n = read(STDIN_FILENO, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* end of input: as quit */
        if (cmdline_in(cl, buf, (int) n) < 0)
            break;
        fflush(tp.out);
    }
    if (tp.args.json)
        cmdline_free(cl);
    else
        cmdline_stdin_exit(cl);
    return 0;
}
