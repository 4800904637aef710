// SPDX-License-Identifier: GPL-2.0
/*
 * The IPv6 path, neighbour discovery's twin of arp_in.c. A neighbour
 * solicitation for a VIPv6 that arrives on a member is consumed here and
 * answered by every live member of the VIP's group (answer.c). The kernel
 * would not answer it (ndisc answers for addresses of the receiving
 * device only, and a VIP is on lo), but nothing else should see it
 * either: it is ours. Every advertisement for a VIP, and every duplicate
 * address detection probe for one, is also checked for another host's
 * claim on it.
 *
 * The hook is at PRE_ROUTING: a solicitation goes to the VIP's
 * solicited-node multicast group, which is delivered locally only when
 * the device joined it, and a group of many VIPs joins only so many
 * (ndisc_join.c). A frame the kernel's ndisc would drop as invalid
 * (RFC 4861 7.1) is left to it, to be dropped there and counted in its
 * statistics.
 */

#include <linux/etherdevice.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv6.h>
#include <net/addrconf.h>
#include <net/ndisc.h>

#include "answer.h"
#include "group.h"
#include "ndisc_in.h"
#include "net.h"
#include "request.h"
#include "seen.h"
#include "vip.h"

/*
 * The link-layer address option of type @type in a message's options, as
 * ndisc_parse_options() would find it: NULL when there is none, an
 * ERR_PTR() when the options are malformed (a zero length, one running
 * past the end) or the address is not an Ethernet one.
 */
static const u8 *lladdr_option(const u8 *opt, int len, u8 type)
{
	const u8 *found = NULL;

	while (len) {
		int l;

		if (len < 2)
			return ERR_PTR(-EINVAL);
		l = opt[1] << 3;
		if (!l || l > len)
			return ERR_PTR(-EINVAL);
		if (opt[0] == type && !found) {
			if (l != 8)
				return ERR_PTR(-EINVAL);
			found = opt + 2;
		}
		opt += l;
		len -= l;
	}
	return found;
}

/*
 * A valid Ethernet neighbour solicitation or advertisement, checked as
 * ndisc_rcv(), ndisc_recv_ns() and ndisc_recv_na() check it.
 */
static bool ndisc_frame_parse(struct sk_buff *skb, const struct net_device *dev,
			      struct vipfo_request *req)
{
	unsigned int thoff = skb_network_offset(skb) + sizeof(struct ipv6hdr);
	const struct ipv6hdr *ip6h;
	const struct nd_msg *msg;
	const u8 *lladdr;
	int len;

	if (dev->type != ARPHRD_ETHER || !skb_mac_header_was_set(skb) ||
	    ipv6_hdr(skb)->nexthdr != IPPROTO_ICMPV6 ||
	    ipv6_hdr(skb)->hop_limit != 255)
		return false;
	len = (int)skb->len - (int)thoff;
	if (len < (int)sizeof(*msg) || !pskb_may_pull(skb, thoff + len))
		return false;
	ip6h = ipv6_hdr(skb);
	msg = (const struct nd_msg *)(skb->data + thoff);
	if ((msg->icmph.icmp6_type != NDISC_NEIGHBOUR_SOLICITATION &&
	     msg->icmph.icmp6_type != NDISC_NEIGHBOUR_ADVERTISEMENT) ||
	    msg->icmph.icmp6_code ||
	    ipv6_addr_is_multicast(&msg->target) ||
	    /* the key of an IPv4 VIP, never an IPv6 one */
	    ipv6_addr_v4mapped(&msg->target) ||
	    nf_ip6_checksum(skb, NF_INET_PRE_ROUTING, thoff, IPPROTO_ICMPV6))
		return false;

	req->family = AF_INET6;
	req->request = msg->icmph.icmp6_type == NDISC_NEIGHBOUR_SOLICITATION;
	lladdr = lladdr_option(msg->opt, len - sizeof(*msg),
			       req->request ? ND_OPT_SOURCE_LL_ADDR :
					      ND_OPT_TARGET_LL_ADDR);
	if (IS_ERR(lladdr))
		return false;
	if (req->request && ipv6_addr_any(&ip6h->saddr) &&
	    (!ipv6_addr_is_solict_mult(&ip6h->daddr) || lladdr))
		return false;
	if (!req->request && ipv6_addr_is_multicast(&ip6h->daddr) &&
	    msg->icmph.icmp6_solicited)
		return false;

	req->src = eth_hdr(skb)->h_source;
	req->sha = lladdr;
	req->saddr = ip6h->saddr;
	req->target = msg->target;
	return true;
}

/*
 * Solicitations of a peer are answered: not from our own adapters (by
 * link-layer option or Ethernet source), not from a multicast MAC. A DAD
 * probe (source ::, RFC 4862) is a solicitation like any other: our
 * answers tell the prober that the VIP is taken.
 */
static bool ndisc_from_peer(const struct vipfo_group *group,
			    const struct vipfo_request *req)
{
	return is_valid_ether_addr(req->src) &&
	       (!req->sha || is_valid_ether_addr(req->sha)) &&
	       !vipfo_from_member(group, req->sha) &&
	       !vipfo_from_member(group, req->src);
}

/*
 * NF_INET_PRE_ROUTING: runs in softirq under rcu_read_lock(), takes no
 * lock. Solicitations for a VIP are answered and consumed, and so are
 * our own advertisements heard on a sibling; another host's
 * advertisement for a VIP, or its DAD probe, is a claim.
 */
static unsigned int vipfo_ndisc_in(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct vipfo_net *vn = vipfo_net(state->net);
	struct vipfo_vip *vip, *claimed = NULL;
	struct vipfo_member *member;
	struct vipfo_group *group;
	struct vipfo_request req;
	bool peer, first = false, checked = false;
	const u8 *mac;

	member = vipfo_member_find_rcu(vn, state->in);
	if (!member || !ndisc_frame_parse(skb, state->in, &req))
		return NF_ACCEPT;
	group = member->group;
	vip = vipfo_vip_lookup(vn, &req.target);
	if (!vip || vip->group != group)
		return NF_ACCEPT;

	mac = req.sha ?: req.src;
	if (!req.request || ipv6_addr_any(&req.saddr))
		claimed = vipfo_claimed(group, vip, mac, &checked);
	peer = req.request && ndisc_from_peer(group, &req);
	if (claimed || peer)
		first = vipfo_first_copy(group, member, &req);
	/* A DAD probe's answers to all nodes are the announcement. */
	if (claimed)
		vipfo_claim_seen(member, claimed, mac, first, checked, peer);
	/* Another host's advertisement: the kernel's, as without vipfo. */
	if (!req.request && !vipfo_from_member(group, mac))
		return NF_ACCEPT;
	if (peer)
		vipfo_answer(member, &req, first);

	consume_skb(skb);
	return NF_STOLEN;
}

/* After any filter chain of PRE_ROUTING, so an administrator's rules apply. */
static const struct nf_hook_ops vipfo_ndisc_ops = {
	.hook = vipfo_ndisc_in,
	.pf = NFPROTO_IPV6,
	.hooknum = NF_INET_PRE_ROUTING,
	.priority = NF_IP6_PRI_FILTER + 1,
};

/**
 * vipfo_ndisc_hook_register() - Register the IPv6 hook in a namespace
 * @net: the namespace, which is getting its first group
 *
 * Context: RTNL held; may sleep.
 * Return: 0, or a negative errno.
 */
int vipfo_ndisc_hook_register(struct net *net)
{
	return nf_register_net_hook(net, &vipfo_ndisc_ops);
}

/**
 * vipfo_ndisc_hook_unregister() - Unregister a namespace's IPv6 hook
 * @net: the namespace, whose last group is going
 *
 * As vipfo_arp_hook_unregister(), readers may remain for a grace period.
 *
 * Context: RTNL held; may sleep.
 */
void vipfo_ndisc_hook_unregister(struct net *net)
{
	nf_unregister_net_hook(net, &vipfo_ndisc_ops);
}
