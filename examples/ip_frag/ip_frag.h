/* SPDX-License-Identifier: LGPL-2.1-only */

/* ip_frag's two parts: main.c (the example) and bench.c (--bench). */

#ifndef EXAMPLES_IP_FRAG_H
#define EXAMPLES_IP_FRAG_H

/* ip_frag --bench: the side-by-side benchmark; argv holds its options.
 * Returns the exit status. */
int ip_frag_bench(int argc, char **argv);

#endif /* EXAMPLES_IP_FRAG_H */
