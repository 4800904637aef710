/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_CARRIER_H
#define _VIPFO_CARRIER_H

struct vipfo_limit_val;
struct vipfo_net;

void vipfo_carrier_poll_init(struct vipfo_net *vn);
const struct vipfo_limit_val *
vipfo_carrier_poll_floor(const struct vipfo_net *vn);
void vipfo_carrier_poll_update(struct vipfo_net *vn);
void vipfo_carrier_poll_sync(struct vipfo_net *vn);
void vipfo_carrier_poll_stop(struct vipfo_net *vn);

#endif /* _VIPFO_CARRIER_H */
