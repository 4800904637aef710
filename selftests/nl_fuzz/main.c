// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz: hostile input for the "vipfo" generic netlink family.
 *
 * Run by nl_fuzz.sh inside a network namespace that holds the devices
 * d0..d15 and e0..e15 (veth pairs). Usage:
 *
 *   nl_fuzz [--seed N] [--count N] [--first N] [--batch N] [--unpriv]
 *           [--huge-netns /run/netns/NAME] [--verbose]
 *
 * Every message is a function of (seed, index) alone: `--seed S --first I
 * --count 1 --verbose` sends message I of run S again and prints its bytes
 * and what came back.
 *
 * Design
 *
 * - The state before every message is a known baseline: five groups (two
 *   small ones, an empty one, one with 15 members of 16, one with 200
 *   VIPs), with different options (reply rates 0 to 10,000,000). In root
 *   mode the fuzzer creates it; with --unpriv (run as an unprivileged user
 *   after a root run) it takes whatever the namespace holds as baseline,
 *   and every change must be refused.
 *
 * - Messages: a valid request of a random command (all eight operations,
 *   do and dump, naming existing and new groups, free, member, foreign,
 *   missing and non-Ethernet devices, free, owned, invalid and duplicated
 *   VIPs) is built as a tree, then mutated: attributes deleted, repeated,
 *   retyped (unknown ids, NLA_F_NESTED toggled), resized, given boundary
 *   or random values, wrapped in deep nesting (up to 300 levels), turned
 *   from leaf to nest and back, lists blown up to thousands of entries.
 *   Then, on the bytes: a bad nla_len, truncation, trailing garbage,
 *   flipped bits, a lying nlmsg_len. And the headers: unknown commands
 *   (incl. the notification ids), odd nlmsg flags (NLM_F_DUMP on do-only
 *   operations, reserved and ambiguous bits, no NLM_F_REQUEST or
 *   NLM_F_ACK), genl version and reserved bytes.
 *
 * - Huge dumps (--huge-netns): a group of 20,000 VIPs in another namespace,
 *   so that checking the fuzzed one stays cheap. Some messages are instead
 *   a dump of it, checked whole (every VIP once), a dump of it left unread
 *   on a socket that is then closed, or one with a change between its
 *   parts, which must be flagged NLM_F_DUMP_INTR.
 *
 * - Oracle: every message's bytes are judged before sending by a model of
 *   the ABI (include/uapi/linux/vipfo.h, kmod/netlink.c's per-op
 *   policies) and of 6.1's generic netlink core: the strict policy
 *   validation (lib/nlattr.c), the handler's checks against the baseline,
 *   the core's own checks. It says "must fail", "must succeed" or
 *   "ignored" (no NLM_F_REQUEST, or an nlmsg_len the core drops). A
 *   rejected valid request, an accepted invalid one, or an answer to an
 *   ignored one is a finding. Where the error is the core's alone (its
 *   header checks, the policy: EINVAL, or ERANGE for a value, string or
 *   binary length or nest size out of range) or the permission's, a
 *   rejection with another errno is a finding too.
 *
 * - Permission (--unpriv): the changing operations are refused by vipfo's
 *   pre_doit, with EPERM and a message naming CAP_NET_ADMIN. 6.1's
 *   genl_family_rcv_msg() gets there after the header checks, the command
 *   lookup and the NLM_F_DUMP check (dumpit: no pre_doit, and only
 *   GROUP_GET has one), and genl_family_rcv_msg_doit() after the policy:
 *   so a malformed change gets its policy error, a well-formed one EPERM,
 *   whatever the handler would have said.
 *
 * - Configuration: rejected requests must change nothing. An accepted
 *   valid change must leave what the model predicts (the baseline with the
 *   request applied, defaults for what GROUP_NEW leaves out): a dump is
 *   compared with it. Then the fuzzer puts the baseline back at once
 *   (deleting what was added, re-adding what was removed, from a diff of a
 *   dump against the baseline) and checks the dump equals it. So every
 *   message meets the same state (which makes the oracle and single-message
 *   replays possible). After every --batch (32) messages without an
 *   accepted change, and before any message the oracle expects to change
 *   something, a dump must still equal the baseline; when it does not, the
 *   batch is replayed one message at a time to name the culprit. An events
 *   socket counts CHANGE_NTF: exactly one per accepted change, none for a
 *   rejection (a run that cannot open it fails).
 *
 * - Extended acks: every rejection must carry NLMSGERR_ATTR_MSG, except
 *   the classes 6.1's genetlink core rejects without one before vipfo
 *   sees the message (predicted from the header: a message shorter than
 *   the genl header, an unknown command, incl. the notification ids,
 *   NLM_F_DUMP on an operation without dumpit). Those are counted per
 *   (command, errno) and printed; any other rejection without a message
 *   is a finding (EPERM included: vipfo's pre_doit sets one).
 *
 * - The socket keeps working: a request without an answer within 20 s, or
 *   a socket error, ends the run as a failure.
 *
 * Speed under TCG on 2 shared cores: 1,300 to 2,700 messages/s (100,000
 * in 75 s with the host loaded, 37 s without), 40% of it in the dumps that
 * check the state.
 *
 * Exit 0 without findings, 1 with, 4 (skip) without the family.
 */

#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nl_fuzz.h"

#define NOMSG_CLASSES	64
#define ERR_CLASSES	512

/* ------------------------------------------------------------ options */

static uint64_t opt_seed;
static long opt_count = 100000;
static long opt_first;
static int opt_batch = 32;
bool opt_unpriv;
static bool opt_verbose;
const char *opt_huge;	/* the huge group's namespace, or NULL */

static int findings;

void finding(const char *fmt, ...)
{
	va_list ap;

	findings++;
	if (findings > 50)
		return;
	printf("# FINDING: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void die(const char *fmt, ...)
{
	va_list ap;

	printf("# FATAL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

/* ------------------------------------------------------------ statistics */

struct eclass {
	int cmd, err;
	long n;
	char msg[96];		/* an example extack message */
	const char *core;	/* NULL: rejections with a message */
};

static struct eclass rejects[ERR_CLASSES], nomsg[NOMSG_CLASSES];
static int nrejects, nnomsg;
static long n_sent, n_accepted, n_accepted_changes, n_rejected, n_ignored,
	    n_dumps, n_dump_parts, n_abandoned, n_intr, n_barriers;

static void count_class(struct eclass *tab, int *n, int max, int cmd,
			int err, const char *msg, const char *core)
{
	int i;

	if (cmd > VIPFO_CMD_MAX)
		cmd = CMD_OTHER;
	for (i = 0; i < *n; i++)
		if (tab[i].cmd == cmd && tab[i].err == err &&
		    (core || !strncmp(tab[i].msg, msg, sizeof(tab[i].msg) - 1))) {
			tab[i].n++;
			return;
		}
	if (*n == max)
		return;
	tab[*n] = (struct eclass){ cmd, err, 1, "", core };
	snprintf(tab[*n].msg, sizeof(tab[*n].msg), "%s", msg);
	(*n)++;
}

static const char *errname(int err)
{
	static char buf[24];

	switch (-err) {
	case EINVAL: return "EINVAL";
	case ERANGE: return "ERANGE";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case ENOSPC: return "ENOSPC";
	case EPERM: return "EPERM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOMEM: return "ENOMEM";
	}
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

static void hexdump(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 512; i++)
		printf("%s%02x%s", i % 32 ? "" : "#   ", p[i],
		       i % 32 == 31 || i + 1 == len ? "\n" : i % 4 == 3 ? " " : "");
	if (len > 512)
		printf("#   ... (%zu bytes)\n", len);
}

/* ------------------------------------------------------------ one message */

static struct wire W;

struct result {
	bool accepted;		/* processed and not rejected */
	bool changing;		/* ... a changing operation */
};

static void partial_dump(long idx, int action);

static struct verdict prepare(long idx)
{
	gen_message(opt_seed, idx, &W);
	if (W.action != ACT_REQUEST)
		return (struct verdict){ .kind = V_IGNORED };
	return judge(&W);
}

/* Send message idx (prepared in W, judged v) and check what came back. */
static struct result execute(long idx, struct verdict v, bool quiet)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)W.buf;
	struct outcome o = {}, ob = {};
	struct result res = {};
	uint32_t seq, barrier = 0;
	char bbuf[64];
	int err;

	if (W.action != ACT_REQUEST) {
		partial_dump(idx, W.action);
		return res;
	}
	seq = ++main_c.seq;
	nlh->nlmsg_seq = seq;
	if (opt_verbose && !quiet) {
		printf("# [%ld] %s flags 0x%x, %zu bytes (nlmsg_len %u)%s%s: oracle says %s%s%s\n",
		       idx, cmd_name(W.cmd), nlh->nlmsg_flags, W.len,
		       nlh->nlmsg_len, W.mut[0] ? ", " : "", W.mut,
		       v.kind == V_OK ? "valid" : v.kind == V_FAIL ? "invalid" :
		       "ignored", why[0] ? ": " : "", why);
		hexdump(W.buf, W.len);
	}
	err = conn_send(&main_c, W.buf, W.len);
	if (err)
		die("[%ld] send: %s", idx, strerror(-err));
	n_sent++;

	/*
	 * Nothing may come back: then a barrier says when all did, a
	 * request to the genetlink controller (whatever vipfo's state). Not
	 * after a dump: it always ends with NLMSG_DONE or an error, and a
	 * request in the middle would be answered before the dump's end.
	 */
	if (v.kind == V_IGNORED || (!(nlh->nlmsg_flags & NLM_F_ACK) &&
				    (nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)) {
		uint16_t ours = family;
		struct nlmsghdr *b;

		family = GENL_ID_CTRL;
		b = msg_start(bbuf, &main_c, CTRL_CMD_GETFAMILY, NLM_F_ACK);
		family = ours;
		mnl_attr_put_strz(b, CTRL_ATTR_FAMILY_NAME, VIPFO_GENL_NAME);
		barrier = b->nlmsg_seq;
		if ((err = conn_send(&main_c, b, b->nlmsg_len)))
			die("[%ld] send barrier: %s", idx, strerror(-err));
		n_barriers++;
	}
	err = conn_read(&main_c, seq, &o, barrier ? barrier : seq, &ob, NULL, NULL);
	if (err)
		die("[%ld] %s: no answer (%s): the socket stopped working",
		    idx, cmd_name(W.cmd), strerror(-err));
	if (barrier && ob.err)
		finding("[%ld] the barrier after it failed: %s (%s)", idx,
			errname(ob.err), ob.msg);
	if (opt_verbose && !quiet)
		printf("#   -> %s%s%s%s, %d replies%s\n",
		       !o.terminal ? "no status" : o.err ? errname(o.err) :
		       o.done ? "NLMSG_DONE" : "ACK", o.has_msg ? " \"" : "",
		       o.msg, o.has_msg ? "\"" : "", o.replies,
		       barrier ? " (then the barrier)" : "");

	if (v.kind == V_IGNORED) {
		n_ignored++;
		if ((o.terminal && o.err) || o.replies)
			finding("[%ld] %s: %s, yet answered (%s, %d replies)",
				idx, cmd_name(W.cmd), why, errname(o.err), o.replies);
		return res;
	}
	if (o.terminal && o.err < 0) {
		n_rejected++;
		count_class(rejects, &nrejects, ERR_CLASSES, W.cmd, o.err, o.msg,
			    NULL);
		if (!o.has_msg) {
			if (v.core && v.core_err == o.err) {
				count_class(nomsg, &nnomsg, NOMSG_CLASSES, W.cmd,
					    o.err, "", v.core);
			} else {
				count_class(nomsg, &nnomsg, NOMSG_CLASSES, W.cmd,
					    o.err, "", "vipfo");
				finding("[%ld] %s rejected with %s and no extack message%s%s",
					idx, cmd_name(W.cmd), errname(o.err),
					v.core ? "; expected core: " : "",
					v.core ? v.core : "");
			}
		}
		if (v.kind == V_OK)
			finding("[%ld] %s: a valid request rejected: %s (%s)",
				idx, cmd_name(W.cmd), errname(o.err), o.msg);
		else if (v.err && o.err != v.err)
			finding("[%ld] %s rejected with %s (%s), but %s means %s",
				idx, cmd_name(W.cmd), errname(o.err), o.msg,
				why, errname(v.err));
		else if (v.msg && !strstr(o.msg, v.msg))
			finding("[%ld] %s rejected (%s), but the message \"%s\" does not name %s",
				idx, cmd_name(W.cmd), why, o.msg, v.msg);
		return res;
	}
	if (o.terminal && o.err > 0)
		finding("[%ld] positive error %d", idx, o.err);

	res.accepted = true;
	res.changing = cmd_changes(W.cmd);
	n_accepted++;
	if (res.changing) {
		n_accepted_changes++;
		events_expected++;
	}
	if (v.dump) {
		n_dumps++;
		n_dump_parts += o.replies;
		if (!o.done)
			finding("[%ld] a dump without NLMSG_DONE", idx);
	}
	if (v.kind == V_FAIL && v.judged && why[0] != '(')
		finding("[%ld] %s accepted, but it is invalid: %s", idx,
			cmd_name(W.cmd), why);
	return res;
}

/* A socket in the namespace at path (the huge group's). */
static int open_in_netns(struct conn *c, const char *path)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int other = open(path, O_RDONLY | O_CLOEXEC);
	int err = -1;

	if (self >= 0 && other >= 0 && !setns(other, CLONE_NEWNET)) {
		err = conn_open(c, 8 << 20);
		if (setns(self, CLONE_NEWNET))
			die("setns back: %m");
	}
	if (self >= 0)
		close(self);
	if (other >= 0)
		close(other);
	return err;
}

static struct snap huge;

/* The huge group, dumped whole: every VIP once, nothing else. */
static void huge_check(const char *when)
{
	const struct sgroup *g = &huge.g[0];
	int i;

	take_snap(&huge_c, &huge);
	n_dumps++;
	n_dump_parts += huge.parts;
	if (huge.bad[0] || huge.n != 1 || strcmp(g->name, "huge") ||
	    g->nvip != HUGE_N) {
		finding("%s: dump of the %d-VIP group: %s (%d groups, %d VIPs)",
			when, HUGE_N, huge.bad, huge.n, huge.n ? g->nvip : 0);
		return;
	}
	for (i = 0; i < HUGE_N; i++)
		if (g->vip[i] != HUGE_VIPS + 1 + (uint32_t)i) {
			finding("%s: dump of the %d-VIP group: VIP %d is %08x",
				when, HUGE_N, i, g->vip[i]);
			return;
		}
}

static void huge_setup(void)
{
	static uint32_t vips[HUGE_N];
	struct nlmsghdr *nlh;
	int i;

	if (open_in_netns(&huge_c, opt_huge))
		die("socket in %s: %m", opt_huge);
	take_snap(&huge_c, &huge);
	if (huge.n)
		return huge_check("at the start");
	nlh = msg_start(req, &huge_c, VIPFO_CMD_GROUP_NEW, 0);
	mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME, "huge");
	expect_ok(&huge_c, nlh, "GROUP_NEW huge");
	for (i = 0; i < HUGE_N; i++)
		vips[i] = HUGE_VIPS + 1 + i;
	vips_op(&huge_c, VIPFO_CMD_VIP_ADD, "huge", vips, HUGE_N);
	huge_check("after setting it up");
}

/*
 * Dumps on a socket of their own: the huge group whole (ACT_HUGE), one
 * part of it and close the socket (ACT_ABANDON), or a change between two
 * parts, which must flag the rest NLM_F_DUMP_INTR (ACT_INTR).
 */
static void partial_dump(long idx, int action)
{
	struct rng r = { .s = opt_seed ^ ~(uint64_t)idx };
	struct conn c;
	struct nlmsghdr *nlh;
	struct outcome o = {};
	char buf[128];
	uint32_t vip;
	int len;

	n_sent++;
	if (action == ACT_HUGE_DUMP)
		return huge_check("huge dump");
	if (opt_huge ? open_in_netns(&c, opt_huge) : conn_open(&c, 1 << 20))
		die("socket: %m");
	nlh = msg_start(buf, &c, VIPFO_CMD_GROUP_GET, NLM_F_DUMP);
	if (below(&r, 2))
		mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME,
				  opt_huge ? "huge" : "many");
	if (conn_send(&c, nlh, nlh->nlmsg_len))
		die("send: %m");
	/* A small buffer: the kernel fills parts of that size. */
	len = recv(c.fd, rx, 4096, 0);
	if (len <= 0)
		die("[%ld] partial dump: %m", idx);
	if (action == ACT_ABANDON_DUMP) {
		n_abandoned++;
		close(c.fd);
		return;
	}

	/* A VIP removed and back, then the rest. */
	vip = HUGE_VIPS + 1 + below(&r, HUGE_N);
	vips_op(&huge_c, VIPFO_CMD_VIP_DEL, "huge", &vip, 1);
	vips_op(&huge_c, VIPFO_CMD_VIP_ADD, "huge", &vip, 1);
	if (conn_read(&c, nlh->nlmsg_seq, &o, nlh->nlmsg_seq, &o, NULL, NULL))
		die("[%ld] interrupted dump: %m", idx);
	n_intr++;
	/* The part after the first was built before the change. */
	if (o.err)
		finding("[%ld] interrupted dump ended with %s", idx, errname(o.err));
	else if (o.replies >= 2 && !o.intr)
		finding("[%ld] a dump changed between its parts not flagged NLM_F_DUMP_INTR (%d more parts)",
			idx, o.replies);
	close(c.fd);
}

static struct result run_one(long idx, bool quiet)
{
	struct verdict v = prepare(idx);

	return execute(idx, v, quiet);
}

/* ------------------------------------------------------------ main loop */

static void events_check(long from, long to)
{
	events_drain();
	if (events_seen != events_expected) {
		finding("messages %ld-%ld: %ld CHANGE_NTF events for %ld changes",
			from, to, events_seen, events_expected);
		events_seen = events_expected;
	}
}

/* The configuration changed in batch [from, to): find who did it. */
static void bisect(long from, long to)
{
	long i;
	bool found = false;

	printf("# configuration changed in messages %ld-%ld: %s; replaying them one by one\n",
	       from, to - 1, snap_diff(&base, &cur));
	restore_and_verify("a changed batch");
	events_drain();
	events_seen = events_expected;
	for (i = from; i < to; i++) {
		struct result res = run_one(i, true);

		if (verify() && (events_drain(), events_seen == events_expected))
			continue;
		if (res.accepted && res.changing) {
			restore_and_verify("an accepted change");
			events_drain();
			events_seen = events_expected;
			continue;
		}
		found = true;
		finding("[%ld] %s rejected or ignored, yet the configuration changed: %s (%ld events for %ld); bytes:",
			i, cmd_name(W.cmd), snap_diff(&base, &cur), events_seen,
			events_expected);
		hexdump(W.buf, W.len);
		restore_and_verify("a culprit");
		events_drain();
		events_seen = events_expected;
	}
	if (!found)
		finding("messages %ld-%ld changed the configuration, but not one by one",
			from, to - 1);
}

/* Messages [from, to) were rejected or ignored: nothing may have changed. */
static void check_batch(long from, long to)
{
	if (!verify()) {
		if (opt_unpriv)
			die("configuration changed by unprivileged messages %ld-%ld: %s",
			    from, to - 1, snap_diff(&base, &cur));
		bisect(from, to);
	}
	events_check(from, to - 1);
}

static int cmp_class(const void *a, const void *b)
{
	const struct eclass *x = a, *y = b;

	if (x->cmd != y->cmd)
		return x->cmd - y->cmd;
	if (x->err != y->err)
		return y->err - x->err;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

static void print_classes(void)
{
	int i;

	qsort(rejects, nrejects, sizeof(rejects[0]), cmp_class);
	qsort(nomsg, nnomsg, sizeof(nomsg[0]), cmp_class);

	printf("# rejections by command, error and extack message:\n");
	for (i = 0; i < nrejects; i++)
		printf("#   %-12s %-12s %7ld  %s\n", cmd_name(rejects[i].cmd),
		       errname(rejects[i].err), rejects[i].n,
		       rejects[i].msg[0] ? rejects[i].msg : "(no message)");
	if (nrejects == ERR_CLASSES)
		printf("#   (more classes not counted)\n");
	printf("# rejections without an extack message, by command and error:\n");
	if (!nnomsg)
		printf("#   none\n");
	for (i = 0; i < nnomsg; i++)
		printf("#   %-12s %-12s %7ld  %s%s\n", cmd_name(nomsg[i].cmd),
		       errname(nomsg[i].err), nomsg[i].n,
		       strcmp(nomsg[i].core, "vipfo") ? "genetlink core: " :
		       "FROM VIPFO: ", nomsg[i].core);
}

static void usage(void)
{
	fprintf(stderr, "usage: nl_fuzz [--seed N] [--count N] [--first N] [--batch N] [--unpriv]\n"
		"               [--huge-netns /run/netns/NAME] [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "first", required_argument, NULL, 'f' },
		{ "batch", required_argument, NULL, 'b' },
		{ "unpriv", no_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "huge-netns", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct timespec t0, t1;
	bool seeded = false;
	long i, batch_start, last;
	double secs;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'c':
			opt_count = strtol(optarg, NULL, 0);
			break;
		case 'f':
			opt_first = strtol(optarg, NULL, 0);
			break;
		case 'b':
			opt_batch = strtol(optarg, NULL, 0);
			break;
		case 'u':
			opt_unpriv = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'H':
			opt_huge = optarg;
			break;
		default:
			usage();
		}
	}
	if (!seeded) {
		clock_gettime(CLOCK_REALTIME, &t0);
		opt_seed = (uint64_t)t0.tv_sec * 1000003 ^ t0.tv_nsec ^ getpid();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# nl_fuzz: seed %llu, messages %ld-%ld%s\n",
	       (unsigned long long)opt_seed, opt_first, opt_first + opt_count - 1,
	       opt_unpriv ? ", unprivileged" : "");

	rx = malloc(RX_SIZE);
	if (!rx || conn_open(&main_c, 8 << 20))
		die("socket: %m");
	if (resolve_family(&main_c)) {
		printf("# SKIP: no generic netlink family \"%s\"\n", VIPFO_GENL_NAME);
		return 4;
	}
	env_init();
	/* Events are open to everyone: without them nothing is checked. */
	if (!mcgrp)
		die("the family has no \"%s\" multicast group", VIPFO_MCGRP_EVENTS);
	if (conn_open(&events, 16 << 20) ||
	    setsockopt(events.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &mcgrp,
		       sizeof(mcgrp)))
		die("events socket: %m");

	/* The baseline: built (root), or whatever is there (unprivileged). */
	if (opt_unpriv) {
		take_snap(&main_c, &base);
		if (base.bad[0] || base.n != NBASE)
			die("unprivileged run needs the baseline of a root run (%s, %d groups)",
			    base.bad, base.n);
	} else {
		baseline_build(&base);
		take_snap(&main_c, &cur);
		restore(&cur);
		if (!verify())
			die("could not set up the baseline: %s %s",
			    snap_diff(&base, &cur), cur.bad);
	}
	if (opt_huge)
		huge_setup();
	events_drain();
	events_seen = events_expected = 0;
	restores = restore_msgs = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	batch_start = opt_first;
	last = opt_first + opt_count;
	for (i = opt_first; i < last; i++) {
		struct verdict v = prepare(i);
		struct result res;

		/*
		 * Before a change that will be accepted (and undone), the
		 * messages since the last check must have changed nothing.
		 */
		if (!opt_unpriv && i > batch_start && W.action == ACT_REQUEST &&
		    v.kind == V_OK && cmd_changes(W.cmd)) {
			check_batch(batch_start, i);
			batch_start = i;
			v = prepare(i);		/* bisect may have reused W */
		}
		res = execute(i, v, false);
		if (res.accepted && res.changing && !opt_unpriv) {
			/*
			 * It did what the model says, then the baseline goes
			 * back: the next message meets it.
			 */
			take_snap(&main_c, &cur);
			if (cur.bad[0]) {
				finding("[%ld] malformed dump after it: %s", i, cur.bad);
			} else if (v.kind == V_OK) {
				const char *d;

				predict(&W, &pred);
				d = snap_diff(&pred, &cur);
				if (d[0])
					finding("[%ld] %s accepted, but the configuration is not the model's: %s",
						i, cmd_name(W.cmd), d);
			}
			restore(&cur);
			if (!verify())
				die("[%ld] restore failed: %s", i, snap_diff(&base, &cur));
			events_check(i, i);
			batch_start = i + 1;
		} else if (i + 1 - batch_start >= opt_batch || i + 1 == last) {
			check_batch(batch_start, i + 1);
			batch_start = i + 1;
		}
		if ((i - opt_first + 1) % 10000 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			printf("# %ld messages, %.1f s\n", i - opt_first + 1,
			       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	/* The socket still works, and so do events. */
	if (!verify())
		finding("configuration not the baseline at the end: %s %s",
			snap_diff(&base, &cur), cur.bad);
	if (!opt_unpriv) {
		const struct sgroup *b = &base.g[0];
		struct nlmsghdr *nlh = msg_start(req, &main_c, VIPFO_CMD_GROUP_SET, 0);

		mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME, b->name);
		mnl_attr_put_u32(nlh, VIPFO_A_GARP_COUNT, b->garp_count);
		expect_ok(&main_c, nlh, "final GROUP_SET");
		events_check(last, last);
	}

	printf("# %ld messages in %.1f s: %.0f messages/s\n", opt_count, secs,
	       opt_count / secs);
	printf("# sent %ld: accepted %ld (%ld changes, restored by %ld requests), rejected %ld, ignored %ld;\n",
	       n_sent, n_accepted, n_accepted_changes, restore_msgs, n_rejected,
	       n_ignored);
	printf("#   dumps %ld (%ld messages), abandoned dumps %ld, interrupted dumps %ld, barriers %ld,\n",
	       n_dumps, n_dump_parts, n_abandoned, n_intr, n_barriers);
	printf("#   snapshots %ld (%.1f s), events %ld (+%ld other)\n", snap_count,
	       snap_secs, events_seen, events_other);
	print_classes();
	printf("# findings: %d\n", findings);
	return findings ? 1 : 0;
}
