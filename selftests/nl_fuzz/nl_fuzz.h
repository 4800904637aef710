/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nl_fuzz: what its files share. main.c says how the fuzzer works; each
 * file is one part of it:
 *
 *   main.c      options, the main loop, one message sent and judged,
 *               the statistics
 *   conn.c      the sockets: requests and their outcomes, the events
 *   state.c     the configuration as a dump shows it (snapshots)
 *   baseline.c  the state every message meets, and putting it back
 *   tree.c      a message under construction: a tree of attributes
 *   generate.c  a valid request, then mutated: tree, bytes, headers
 *   oracle.c    the model of the ABI and of the genetlink core: verdicts
 *   predict.c   what an accepted change must leave
 */
#ifndef NL_FUZZ_H
#define NL_FUZZ_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vipfo.h>

#include "vipfo_nl.h"

#define MSG_MAX		(80 * 1024)	/* largest message generated */
#define RX_SIZE		(512 * 1024)
#define NODES_MAX	16384

/* ------------------------------------------------------------ main.c */

extern bool opt_unpriv;
extern const char *opt_huge;	/* the huge group's namespace, or NULL */

/* A wrong answer of the module: counted, the first 50 printed. */
void finding(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The fuzzer cannot go on. */
void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* ------------------------------------------------------------ PRNG */

struct rng {
	uint64_t s;
};

static inline uint64_t rnd(struct rng *r)	/* splitmix64 */
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint32_t below(struct rng *r, uint32_t n)
{
	return n ? rnd(r) % n : 0;
}

static inline bool chance(struct rng *r, int permille)
{
	return (int)below(r, 1000) < permille;
}

static inline uint32_t pick_u32(struct rng *r, const uint32_t *v, int n)
{
	return v[below(r, n)];
}

#define PICK(r, arr) pick_u32(r, arr, sizeof(arr) / sizeof(arr[0]))

/* ------------------------------------------------------------ state.c */

#define CMD_OTHER 0x1000	/* every command id above VIPFO_CMD_MAX */

const char *cmd_name(int cmd);
bool cmd_is_op(int cmd);
bool cmd_changes(int cmd);

#define SNAP_V6_MAX	64

/* A group as a dump shows it; devices and IPv4 VIPs sorted. */
struct sgroup {
	char name[VIPFO_GROUP_NAME_SIZE];
	uint32_t garp_count, garp_interval, carrier_poll, reply_rate, up_delay;
	uint32_t vip_count;
	int heads;		/* messages carrying the group's options */
	int ndev;
	uint32_t dev[VIPFO_MAX_MEMBERS + 8];
	int nvip, vcap;
	uint32_t *vip;		/* host byte order */
	/*
	 * IPv6 VIPs, which the model does not hold: the generator sends
	 * refused ones only, but a mutation can make one valid. Seen in a
	 * dump, they are no model's, and restore() deletes them.
	 */
	int nv6;
	uint8_t v6[SNAP_V6_MAX][16];
};

struct snap {
	int n;
	struct sgroup g[64];
	bool intr;
	int parts;		/* messages */
	char bad[160];		/* what was malformed, "" if nothing */
};

void snap_clear(struct snap *s);
int cmp_u32(const void *a, const void *b);
struct sgroup *snap_find(const struct snap *s, const char *name);
bool sorted_has(const uint32_t *v, int n, uint32_t x);
/* The group that holds VIP a (host order) or device ifindex, or NULL. */
const struct sgroup *vip_owner(const struct snap *s, uint32_t a);
const struct sgroup *dev_owner(const struct snap *s, uint32_t ifindex);
bool options_equal(const struct sgroup *x, const struct sgroup *y);
/* "" when equal, else what differs. */
const char *snap_diff(const struct snap *a, const struct snap *b);
void sgroup_add_vip(struct sgroup *g, uint32_t a);

/* ------------------------------------------------------------ conn.c */

struct conn {
	int fd;
	uint32_t seq;
};

/* What came back for one request. */
struct outcome {
	bool terminal;		/* NLMSG_ERROR or NLMSG_DONE for it */
	bool done;		/* it was NLMSG_DONE (a dump) */
	int err;
	bool has_msg;
	char msg[sizeof(((struct vipfo_nl_ack *)0)->msg)];
	int replies;		/* messages of the family */
	bool intr;		/* NLM_F_DUMP_INTR seen */
	int after_intr;		/* parts received since intr_mark was set */
};

typedef void (*reply_cb)(const struct nlmsghdr *nlh, void *data);

extern uint16_t family;
extern uint32_t mcgrp;
extern char *rx;
extern struct conn main_c;
extern struct conn huge_c;	/* in the other namespace, fd -1 if none */
extern struct conn events;
extern char req[MSG_MAX + 4096];
extern long events_expected, events_seen, events_other;

int conn_open(struct conn *c, int rcvbuf);
int resolve_family(struct conn *c);
struct nlmsghdr *msg_start(char *buf, struct conn *c, uint8_t cmd,
			   uint16_t flags);
int conn_send(struct conn *c, const void *buf, size_t len);
int conn_read(struct conn *c, uint32_t a, struct outcome *oa,
	      uint32_t until, struct outcome *ob, reply_cb cb, void *data);
int talk(struct conn *c, struct nlmsghdr *nlh, struct outcome *o,
	 reply_cb cb, void *data);
void events_drain(void);

/* Dump every group into s and check the dump is well-formed (state.c). */
void take_snap(struct conn *c, struct snap *s);
extern double snap_secs;
extern long snap_count;

/* ------------------------------------------------------------ baseline.c */

#define NET_VIPS	0xc6336400	/* 198.51.100.0 */
#define HUGE_VIPS	0x0a640000	/* 10.100.0.0, in the other namespace */
#define HUGE_N		20000
#define NDEV		16
#define NBASE		5		/* groups of the baseline */

struct env {
	uint32_t d[NDEV], e[NDEV];	/* ifindexes of dN and eN */
	uint32_t lo;
	uint32_t exist[256];		/* every ifindex of the namespace */
	int nexist;
	uint32_t absent;		/* one that does not exist */
};

extern struct env env;
extern struct snap base;		/* what the kernel must hold */
extern struct snap cur, pred;
extern long restores, restore_msgs;

void env_init(void);
bool dev_exists(uint32_t ifindex);
bool dev_is_ether(uint32_t ifindex);
void baseline_build(struct snap *s);
/* A change the fuzzer makes itself; the events socket sees main_c's. */
void expect_ok(struct conn *c, struct nlmsghdr *nlh, const char *what);
/* VIP_ADD or VIP_DEL of the addresses, 2,000 a message. */
void vips_op(struct conn *c, uint8_t cmd, const char *name,
	     const uint32_t *vip, int n);
void restore(const struct snap *cur);
/* The configuration must be the baseline: true if it is. */
bool verify(void);
void restore_and_verify(const char *why);

/* ------------------------------------------------------------ tree.c */

/* A message under construction: attributes as a tree of nodes. */
struct node {
	uint16_t type;		/* with NLA_F_* bits */
	bool nest;
	uint16_t len;		/* payload of a leaf */
	uint32_t off;		/* into data */
	int kid, next;		/* first child, next sibling; -1 ends */
};

struct tree {
	struct node n[NODES_MAX];
	int nn;
	uint8_t data[MSG_MAX];
	uint32_t dlen;
	int top;		/* first top-level node */
	bool full;
};

/* Every node with its parent and the link that points at it. */
struct ref {
	int node, parent;
	int *link;
	int depth;
};

extern struct tree T;
extern struct ref refs[NODES_MAX];
extern int nrefs;

int node_new(bool nest, uint16_t type, const void *p, int len);
uint8_t *payload(int i);
/* Append node k to the children of parent (-1: top level). */
void append(int parent, int k);
int leaf(int parent, uint16_t type, const void *p, int len);
int leaf_u32(int parent, uint16_t type, uint32_t v);
int leaf_u16(int parent, uint16_t type, uint16_t v);
int nest(int parent, uint16_t type);
void refs_build(void);
int copy_subtree(int k);
/* Serialize node k and its siblings if all, false if it did not fit. */
bool emit(int k, uint8_t *buf, size_t *pos, size_t max, bool all);

/* ------------------------------------------------------------ generate.c */

/* What is done with a message besides sending it. */
enum { ACT_REQUEST, ACT_ABANDON_DUMP, ACT_INTR_DUMP, ACT_HUGE_DUMP };

/* What happens to the bytes and header after serializing. */
struct wire {
	size_t len;		/* bytes sent */
	int cmd;
	int action;		/* ACT_* */
	const char *mut;	/* byte-level mutation applied, for reports */
	uint8_t buf[MSG_MAX + 4096];
};

/* Message idx of run seed: a function of the two alone. */
void gen_message(uint64_t seed, long idx, struct wire *w);

/* ------------------------------------------------------------ oracle.c */

enum verdict_kind { V_IGNORED, V_FAIL, V_OK };

struct verdict {
	enum verdict_kind kind;
	int err;		/* a rejection must be this -errno (0: any) */
	const char *msg;	/* ... and its message contain this (or NULL) */
	int core_err;		/* the core rejects without a message: -errno */
	const char *core;	/* ... and why */
	bool dump;
	bool judged;		/* a "(...)" reason: oracle gave up, no check */
};

extern const char *why;		/* the oracle's reason, for reports */

struct verdict judge(const struct wire *w);

/* Attributes as the oracle reads them (validated already). */
bool attr_ok(const struct nlattr *a, int rem);
void parse(const void *head, int len, const struct nlattr **tb, int max);
const void *data_of(const struct nlattr *a);
int len_of(const struct nlattr *a);

#define for_each_attr(a, head, len, rem) \
	for (a = (const struct nlattr *)(head), rem = (len); attr_ok(a, rem); \
	     rem -= NLA_ALIGN(a->nla_len), \
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len)))

/* ------------------------------------------------------------ predict.c */

/* The baseline with the accepted request w applied, into p. */
void predict(const struct wire *w, struct snap *p);

#endif
