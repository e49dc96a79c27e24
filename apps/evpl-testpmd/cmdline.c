/* SPDX-License-Identifier: LGPL-2.1-only */

/*
 * The testpmd> prompt, on DPDK's cmdline library, with dpdk-testpmd's
 * spelling of the commands evpl-testpmd has. It runs on the main lcore
 * while the others forward; answers go where dpdk-testpmd prints them
 * (stdout, or stderr under --json), refusals to stderr. Here: forwarding
 * (start, stop, set fwd/burst/txpkts, show fwd stats, show config
 * fwd/txpkts), help, quit, and the answer to anything else; the port
 * commands are in cmd_port.c, the configuration ones in cmd_config.c.
 */

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <cmdline_socket.h>

#include "testpmd.h"

static int tp_quit;

int
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

/* start tx_first N: N bursts on every stream first. */
struct tp_cmd_tx_first_n {
    cmdline_fixed_string_t start;
    cmdline_fixed_string_t tx_first;
    uint32_t               n;
};

static cmdline_parse_token_string_t tp_t_start =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_tx_first_n, start, "start");
static cmdline_parse_token_string_t tp_t_tx_first =
    TOKEN_STRING_INITIALIZER(struct tp_cmd_tx_first_n, tx_first, "tx_first");
static cmdline_parse_token_num_t tp_t_n =
    TOKEN_NUM_INITIALIZER(struct tp_cmd_tx_first_n, n, RTE_UINT32);

static void
tp_cmd_start_tx_first_n(void *res, struct cmdline *cl, void *data)
{
    const struct tp_cmd_tx_first_n *r = res;

    (void) cl;
    (void) data;
    if (r->n == 0 || r->n > TP_MAX_TX_FIRST) {
        fprintf(stderr, "start tx_first %u: the number of bursts is 1..%u\n",
                r->n, TP_MAX_TX_FIRST);
        return;
    }
    tp_fwd_start((int) r->n);
}

static cmdline_parse_inst_t tp_cmd_start_tx_first_n_inst = {
    .f = tp_cmd_start_tx_first_n, .data = NULL,
    .help_str = "start tx_first N: send N bursts of txonly packets on every "
                "stream, then forward",
    .tokens = { (void *) &tp_t_start, (void *) &tp_t_tx_first,
                (void *) &tp_t_n, NULL },
};

static cmdline_parse_inst_t tp_cmd_start_inst = {
    .f = tp_cmd_start, .data = NULL,
    .help_str = "start: start packet forwarding",
    .tokens = { (void *) &tp_w_start, NULL },
};

static cmdline_parse_inst_t tp_cmd_start_tx_first_inst = {
    .f = tp_cmd_start, .data = (void *) 1,
    .help_str = "start tx_first: send a burst of txonly packets on every "
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

/* ---- help, and everything else ------------------------------------------ */

/* This file's commands; the prompt's are these, cmd_port.c's and
 * cmd_config.c's, in the order help lists them, then the catch-all. */
static cmdline_parse_inst_t *tp_cmds_run[];
static cmdline_parse_inst_t *tp_ctx[96];

/* Whether instruction i's help line is one listed already (a command
 * taking a port id or "all" is two instructions with one help line). */
static int
tp_help_seen(unsigned int i)
{
    unsigned int k;

    for (k = 0; k < i; k++)
        if (strcmp(tp_ctx[k]->help_str, tp_ctx[i]->help_str) == 0)
            return 1;
    return 0;
}

/* Whether the line's first words are the command a help line names (up
 * to its first two words; a word of help is a choice, "a|b", a
 * placeholder in capitals, or itself). */
static int
tp_line_is(const char *help, const char *line, unsigned int words)
{
    char         h[256], l[256], *hs, *ls, *hw, *lw;
    unsigned int i;

    snprintf(h, sizeof(h), "%s", help);
    snprintf(l, sizeof(l), "%s", line);
    if (strchr(h, ':') != NULL)
        *strchr(h, ':') = '\0';
    hw = strtok_r(h, " ", &hs);
    lw = strtok_r(l, " \t\r\n", &ls);
    for (i = 0; i < words; i++) {
        if (hw == NULL)
            return i > 0;
        if (lw == NULL || isupper((unsigned char) hw[0]))
            return 0;
        if (strcmp(hw, lw) != 0) {
            char  alt[64], *as, *aw;
            int   found = 0;

            snprintf(alt, sizeof(alt), "%s", hw);
            for (aw = strtok_r(alt, "|", &as); aw != NULL && !found;
                 aw = strtok_r(NULL, "|", &as))
                found = strcmp(aw, lw) == 0;
            if (!found)
                return 0;
        }
        hw = strtok_r(NULL, " ", &hs);
        lw = strtok_r(NULL, " \t\r\n", &ls);
    }
    return 1;
}

/* Whether inst takes the whole line, as cmdline's own matching decides:
 * every token parses, in order, with blanks between, up to the line's end
 * (or a comment). */
static int
tp_inst_takes(const cmdline_parse_inst_t *inst, const char *buf)
{
    cmdline_parse_token_hdr_t *tk;
    unsigned int               i;
    int                        n;

    for (i = 0; (tk = inst->tokens[i]) != NULL; i++) {
        while (*buf == ' ' || *buf == '\t')
            buf++;
        if (*buf == '\0' || *buf == '\n' || *buf == '\r' || *buf == '#')
            return 0;
        n = tk->ops->parse(tk, buf, NULL, 0);
        if (n < 0)
            return 0;
        buf += n;
    }
    while (*buf == ' ' || *buf == '\t')
        buf++;
    return *buf == '\0' || *buf == '\n' || *buf == '\r' || *buf == '#';
}

/* Anything no command took: a command evpl-testpmd has, mistyped (its
 * usage), or one it does not have. dpdk-testpmd says "Bad arguments" or
 * "Command not found" where its cmdline library does; that reads like a
 * typo for a command this program simply lacks. Its one token takes the
 * whole line, but only a line no other command takes: cmdline refuses a
 * line two instructions take as ambiguous. */
struct tp_cmd_other {
    cmdline_multi_string_t line;
};

static int
tp_other_parse(cmdline_parse_token_hdr_t *tk, const char *buf, void *res,
               unsigned int ressize)
{
    size_t       len = strcspn(buf, "\r\n");
    unsigned int i;

    (void) tk;
    for (i = 0; tp_ctx[i] != NULL; i++)
        if (tp_ctx[i]->tokens[0] != tk && tp_inst_takes(tp_ctx[i], buf))
            return -1;
    if (res != NULL && ressize > 0)
        snprintf(res, ressize, "%.*s", (int) len, buf);
    return (int) len;
}

static int
tp_other_help(cmdline_parse_token_hdr_t *tk, char *buf, unsigned int size)
{
    (void) tk;
    snprintf(buf, size, "a command");
    return 0;
}

static struct cmdline_token_ops tp_other_ops = {
    .parse    = tp_other_parse,
    .get_help = tp_other_help,
};

static cmdline_parse_token_hdr_t tp_o_line = {
    .ops    = &tp_other_ops,
    .offset = offsetof(struct tp_cmd_other, line),
};

static void
tp_cmd_other(void *res, struct cmdline *cl, void *data)
{
    const struct tp_cmd_other *r = res;
    unsigned int               i, n = 0;

    (void) data;
    for (i = 0; tp_ctx[i] != NULL && tp_ctx[i]->f != tp_cmd_other; i++)
        if (tp_line_is(tp_ctx[i]->help_str, r->line, 2))
            n++;
    if (n == 0) {
        cmdline_printf(cl, "\"%s\": not supported by evpl-testpmd (help "
                       "lists the commands it has)\n", r->line);
        return;
    }
    cmdline_printf(cl, "Bad arguments: \"%s\"; evpl-testpmd has:\n",
                   r->line);
    for (i = 0; tp_ctx[i] != NULL && tp_ctx[i]->f != tp_cmd_other; i++)
        if (tp_line_is(tp_ctx[i]->help_str, r->line, 2) && !tp_help_seen(i))
            cmdline_printf(cl, "  %s\n", tp_ctx[i]->help_str);
}

static cmdline_parse_inst_t tp_cmd_other_inst = {
    .f = tp_cmd_other, .data = NULL,
    .help_str = "",
    .tokens = { &tp_o_line, NULL },
};

static void
tp_cmd_help(void *res, struct cmdline *cl, void *data)
{
    unsigned int i;

    (void) res;
    (void) cl;
    (void) data;
    fprintf(tp.out, "evpl-testpmd's commands, as dpdk-testpmd spells them "
            "(PORT: a port id or all where it says so):\n");
    for (i = 0; tp_ctx[i] != NULL && tp_ctx[i]->f != tp_cmd_other; i++)
        if (!tp_help_seen(i))
            fprintf(tp.out, "  %s\n", tp_ctx[i]->help_str);
}

static cmdline_parse_inst_t tp_cmd_help_inst = {
    .f = tp_cmd_help, .data = NULL,
    .help_str = "help: these lines",
    .tokens = { (void *) &tp_w_help, NULL },
};

static cmdline_parse_inst_t *tp_cmds_run[] = {
    &tp_cmd_start_inst,
    &tp_cmd_start_tx_first_inst,
    &tp_cmd_start_tx_first_n_inst,
    &tp_cmd_stop_inst,
    &tp_cmd_show_fwd_stats_inst,
    &tp_cmd_show_config_fwd_inst,
    &tp_cmd_show_config_txpkts_inst,
    &tp_cmd_set_fwd_inst,
    &tp_cmd_set_burst_inst,
    &tp_cmd_set_txpkts_inst,
    NULL,
};

/* The context: this file's commands, the others', help, quit, and the
 * catch-all last (cmdline takes the first instruction that matches). */
static int
tp_ctx_build(void)
{
    cmdline_parse_inst_t **const parts[] = {
        tp_cmds_run, tp_cmds_port, tp_cmds_config,
    };
    unsigned int n = 0, i, k;

    for (i = 0; i < RTE_DIM(parts); i++)
        for (k = 0; parts[i][k] != NULL; k++) {
            if (n + 4 > RTE_DIM(tp_ctx))
                return -1;
            tp_ctx[n++] = parts[i][k];
        }
    tp_ctx[n++] = &tp_cmd_help_inst;
    tp_ctx[n++] = &tp_cmd_quit_inst;
    tp_ctx[n++] = &tp_cmd_other_inst;
    tp_ctx[n]   = NULL;
    return 0;
}

int
tp_prompt(volatile sig_atomic_t *signalled)
{
    struct cmdline *cl;
    char            buf[256];
    ssize_t         n;
    int             ret;

    if (tp_ctx_build() < 0) {
        fprintf(stderr, "evpl-testpmd: too many commands for the prompt\n");
        return -1;
    }
    /* The forwarding lcores print (set verbose) through tp.out while the
     * prompt runs, and cmdline writes the echo and the prompt to the same
     * descriptor one write() per character: their lines would land inside
     * "testpmd> ". So the command line writes (the first prompt, then
     * from each input's echo to the next prompt) holding tp.out's lock,
     * the one the lcores print under; they print while it waits for input
     * (or for them: tp_fwd_stop). */
    flockfile(tp.out);
    /* Under --json stdout is the summary's alone. */
    cl = tp.args.json ? cmdline_new(tp_ctx, "testpmd> ", STDIN_FILENO,
                                    STDERR_FILENO) :
                        cmdline_stdin_new(tp_ctx, "testpmd> ");
    funlockfile(tp.out);
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
        flockfile(tp.out);
        tp.out_held = 1;
        ret = cmdline_in(cl, buf, (int) n);
        fflush(tp.out);
        tp.out_held = 0;
        funlockfile(tp.out);
        if (ret < 0)
            break;
    }
    if (tp.args.json)
        cmdline_free(cl);
    else
        cmdline_stdin_exit(cl);
    return 0;
}
