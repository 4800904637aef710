/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_ANSWER_H
#define _VIPFO_ANSWER_H

#include <linux/types.h>

struct vipfo_group;
struct vipfo_member;
struct vipfo_request;
struct vipfo_vip;

bool vipfo_from_member(const struct vipfo_group *group, const u8 *mac);
void vipfo_answer(struct vipfo_member *member,
		  const struct vipfo_request *req, bool first);
struct vipfo_vip *vipfo_claimed(struct vipfo_group *group,
				struct vipfo_vip *vip, const u8 *mac,
				bool *checked);
void vipfo_claim_seen(struct vipfo_member *member, struct vipfo_vip *vip,
		      const u8 *mac, bool first, bool checked, bool answered);

#endif /* _VIPFO_ANSWER_H */
