/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_REQUEST_H
#define _VIPFO_REQUEST_H

#include <linux/in6.h>
#include <linux/socket.h>
#include <linux/types.h>

/*
 * What the answering path needs of a received ARP request or reply
 * (arp_in.c), or of a neighbour solicitation or advertisement
 * (ndisc_in.c): who asked, for what, from which MACs.
 */
struct vipfo_request {
	const u8 *src;		/* Ethernet source */
	const u8 *sha;		/* sender's link-layer address: ARP's, or the
				 * NS's source link-layer option; NULL: none
				 */
	union {
		struct {		/* AF_INET */
			__be32 sip;
			__be32 tip;
		};
		struct {		/* AF_INET6 */
			struct in6_addr saddr;	/* :: for a DAD probe */
			struct in6_addr target;
		};
	};
	u8 family;		/* AF_INET or AF_INET6 */
	bool request;		/* a request or a solicitation */
};

/* Seeds the hashes of the reply rotation and of the caches (seen.c). */
extern u32 vipfo_request_seed;

#endif /* _VIPFO_REQUEST_H */
