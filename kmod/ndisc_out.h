/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NDISC_OUT_H
#define _VIPFO_NDISC_OUT_H

#include <linux/in6.h>

struct vipfo_member;
struct vipfo_request;

int vipfo_ndisc_send_unsol_na(struct vipfo_member *member,
			      const struct in6_addr *vip);
int vipfo_ndisc_reply(struct vipfo_member *member,
		      const struct vipfo_request *req);

#endif /* _VIPFO_NDISC_OUT_H */
