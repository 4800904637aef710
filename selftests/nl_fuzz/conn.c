// SPDX-License-Identifier: GPL-2.0
/*
 * The sockets: requests and their outcomes (acks, dump parts, barriers),
 * the family's id, and the events socket that counts CHANGE_NTF.
 */

#include <sys/socket.h>
#include <unistd.h>

#include "nl_fuzz.h"

/* ------------------------------------------------------------ transport */

uint16_t family;
uint32_t mcgrp;
char *rx;

static void parse_status(const struct nlmsghdr *nlh, struct outcome *o)
{
	struct vipfo_nl_ack ack;

	o->terminal = true;
	vipfo_nl_parse_ack(nlh, &ack);
	o->done = ack.done;
	o->err = ack.err;
	o->has_msg = ack.has_msg;
	memcpy(o->msg, ack.msg, sizeof(o->msg));
}

/*
 * Read until the terminal message of seq `until`. Messages of seq a (the
 * request) go to *oa and cb, those of `until` (when it is another one, a
 * barrier) to *ob. Returns 0, or -errno when the socket failed.
 */
int conn_read(struct conn *c, uint32_t a, struct outcome *oa,
		     uint32_t until, struct outcome *ob, reply_cb cb,
		     void *data)
{
	struct outcome *ou = until == a ? oa : ob;

	while (!ou->terminal) {
		int len = recv(c->fd, rx, RX_SIZE, MSG_TRUNC);
		struct nlmsghdr *nlh = (struct nlmsghdr *)rx;

		if (len < 0)
			return -errno;
		if (len > RX_SIZE)
			return -EMSGSIZE;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			struct outcome *o = nlh->nlmsg_seq == a ? oa :
				nlh->nlmsg_seq == until ? ob : NULL;

			if (!o)
				continue;	/* a late reply: ignore */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				o->intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				parse_status(nlh, o);
				continue;
			}
			if (nlh->nlmsg_type == family) {
				o->replies++;
				if (cb && o == oa)
					cb(nlh, data);
			}
		}
	}
	return 0;
}

int conn_send(struct conn *c, const void *buf, size_t len)
{
	return send(c->fd, buf, len, 0) < 0 ? -errno : 0;
}

struct nlmsghdr *msg_start(char *buf, struct conn *c, uint8_t cmd,
			   uint16_t flags)
{
	return vipfo_nl_request(buf, family, ++c->seq, cmd, flags);
}

/* A well-formed request with NLM_F_ACK: its outcome. */
int talk(struct conn *c, struct nlmsghdr *nlh, struct outcome *o,
		reply_cb cb, void *data)
{
	int err;

	memset(o, 0, sizeof(*o));
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	err = conn_send(c, nlh, nlh->nlmsg_len);
	if (!err)
		err = conn_read(c, nlh->nlmsg_seq, o, nlh->nlmsg_seq, o, cb,
				data);
	if (err)
		die("netlink socket failed: %s", strerror(-err));
	return o->err;
}

int conn_open(struct conn *c, int rcvbuf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 20 };
	int one = 1;

	c->seq = (uint32_t)getpid() << 12;
	c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	/* Bound: an unbound socket has portid 0, the kernel's, and
	 * netlink_broadcast() skips it.
	 */
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(c->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(c->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

static void family_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	vipfo_nl_parse_family(nlh, &family, &mcgrp);
}

int resolve_family(struct conn *c)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct outcome o;
	uint16_t ours = family;

	family = GENL_ID_CTRL;
	nlh = msg_start(buf, c, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, VIPFO_GENL_NAME);
	if (talk(c, nlh, &o, family_cb, NULL) || family == GENL_ID_CTRL) {
		family = ours;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ events */

struct conn events;
long events_expected, events_seen, events_other;

void events_drain(void)
{
	char *buf = rx;
	int len;

	while ((len = recv(events.fd, buf, RX_SIZE, MSG_DONTWAIT)) != 0) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			die("events socket: %s", strerror(errno));
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != family)
				continue;
			if (g->cmd == VIPFO_CMD_CHANGE_NTF)
				events_seen++;
			else
				events_other++;
		}
	}
}
